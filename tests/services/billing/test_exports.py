"""The billing files print exactly what the engine decided, grouped into invoices and sheets."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter

import sqlalchemy as sa

from telesurveillance.adapters.exports import fhir_chargeitem, tabular
from telesurveillance.adapters.sql.billing import ledger, synthetic
from telesurveillance.domain import money
from telesurveillance.domain.billing import engine as billing_engine
from telesurveillance.domain.billing import series, verdict
from telesurveillance.domain.regulation import store
from telesurveillance.services.billing import export, run

#: The synthetic population's first start of monitoring.
START = dt.date(2025, 1, 6)
UNTIL = dt.date(2025, 11, 1)
NOW = dt.datetime(2025, 11, 2, tzinfo=dt.UTC)


def _billed(engine: sa.Engine, regulation: store.Regulation) -> ledger.SqlLedger:
    synthetic.populate(engine, 6, starts_on=START, periods=10, operateurs=1)
    lines = ledger.SqlLedger(engine)
    run.run(lines, regulation, UNTIL, actor="test", now=NOW)
    return lines


def test_export_rows_equal_the_engine_verdicts(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    lines = _billed(engine, regulation)
    streams = lines.streams(UNTIL)
    for forfait in verdict.Forfait:
        rows = export.rows(regulation, streams, lines.lines(), forfait, UNTIL)
        expected = set()
        for s in streams:
            for p in billing_engine.judge(regulation, s.situation, UNTIL).periods:
                ln = p.line(forfait)
                if p.billable and ln is not None:
                    expected.add(
                        (
                            s.patient_id,
                            p.number,
                            ln.execution_date.isoformat(),
                            ln.code or "",
                            "" if ln.coefficient is None else str(ln.coefficient.normalize()),
                            "" if ln.amount is None else money.text(ln.amount),
                            "" if ln.amo is None else money.text(ln.amo),
                            "" if ln.rest is None else money.text(ln.rest),
                            p.days_with_data,
                            p.expected_days,
                        )
                    )
        got = {
            (
                r.patient_id,
                r.period_number,
                r.execution_date,
                r.code,
                r.coefficient,
                r.amount,
                r.amo,
                r.amc,
                r.days_with_data,
                r.expected_days,
            )
            for r in rows
        }
        assert expected
        assert got == expected
        assert len(rows) == len(expected)


def test_invoices_hold_at_most_six_periods_and_sheets_at_most_four_lines(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    lines = _billed(engine, regulation)
    rows = export.rows(
        regulation, lines.streams(UNTIL), lines.lines(), verdict.Forfait.OPERATEUR, UNTIL
    )
    per_invoice = Counter(r.invoice for r in rows)
    per_sheet = Counter((r.invoice, r.sheet) for r in rows)
    assert max(per_invoice.values()) == 6
    assert max(per_sheet.values()) == 4
    assert any(n > 6 for n in Counter(r.patient_id for r in rows).values())
    for invoice, found in export.invoices(rows).items():
        assert len({r.patient_id for r in found}) == 1, invoice
        assert [r.period_number for r in found] == sorted(r.period_number for r in found)


def test_the_six_periods_boundary_splits_the_seventh_into_a_new_invoice() -> None:
    assert [len(s) for s in series.chunks(list(range(1, 7)), 6)] == [6]
    assert [len(s) for s in series.chunks(list(range(1, 8)), 6)] == [6, 1]


def test_the_csv_and_json_files_carry_every_row(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    lines = _billed(engine, regulation)
    rows = export.rows(
        regulation, lines.streams(UNTIL), lines.lines(), verdict.Forfait.OPERATEUR, UNTIL
    )
    text = tabular.to_csv(rows)
    parsed = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert len(parsed) == len(rows)
    assert parsed[0]["code"] in {"TVA", "TVB"}
    assert parsed[0]["nir"] == rows[0].nir
    assert parsed[0]["prescriber_rpps"]
    assert "arrêté" in parsed[0]["basis"].lower() or "décret" in parsed[0]["basis"].lower()
    document = json.loads(tabular.to_json(rows))
    assert sum(len(sheet) for i in document["invoices"] for sheet in i["sheets"]) == len(rows)
    assert all(len(i["sheets"]) <= 2 for i in document["invoices"])


def test_the_fhir_bundle_is_a_valid_collection_of_charge_items(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    lines = _billed(engine, regulation)
    rows = export.rows(
        regulation, lines.streams(UNTIL), lines.lines(), verdict.Forfait.TECHNIQUE, UNTIL
    )
    document = fhir_chargeitem.bundle(rows)
    assert document["type"] == "collection"
    assert len(document["entry"]) == len(rows)
    item = document["entry"][0]["resource"]
    assert item["resourceType"] == "ChargeItem"
    assert item["occurrencePeriod"]["start"] == rows[0].execution_date
    assert item["priceOverride"]["value"] == float(rows[0].amount)


def test_amounts_are_printed_in_euros_with_two_decimals() -> None:
    assert export.euros(2800) == "28.00"
    assert export.euros(-5) == "-0.05"
    assert export.euros(None) == ""
