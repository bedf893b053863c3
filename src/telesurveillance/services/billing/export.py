"""Billing files: one row per patient × period × forfait, grouped into invoices and sheets.

Per opérateur: the forfait opérateur lines (TVA / TVB and coefficient) for its practice software
or billing office; per exploitant: the forfait technique lines (LATM code). A patient's periods
are cut into invoices of at most `series.max_periodes` periods (B3: one FSE per series), each cut
into paper sheets of at most `series.max_lignes_feuille_papier` lines (the cerfa's limit). We do
not produce SESAM-Vitale FSE/B2 flows (they need an approved software): these rows are what such
software imports.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

from telesurveillance.domain.billing import series, verdict
from telesurveillance.domain.regulation import store
from telesurveillance.services.billing import basis as billing_basis
from telesurveillance.services.billing import explained, ledger


@dataclass(frozen=True, slots=True)
class Row:
    """One billing line as the files print it (dates ISO, amounts in euros with two decimals)."""

    invoice: str
    sheet: int
    line_id: int
    forfait: str
    patient_id: int
    nir: str
    nir_type: str
    family: str
    given: str
    indication: str
    period_number: int
    execution_date: str
    period_last_day: str
    code: str
    coefficient: str
    amount: str
    amo: str
    amc: str
    days_with_data: int
    expected_days: int
    prescriber_rpps: str
    operateur_rpps: str
    operateur: str
    operateur_finess: str
    prescribed_on: str
    renewals: str
    consent_on: str
    dmn: str
    certified_from: str
    certified_until: str
    exploitant: str
    exploitant_siret: str
    basis: str
    #: why the period was billed, in words (`explained.summary`): French unless asked otherwise
    explanation: str = ""


COLUMNS = tuple(f.name for f in fields(Row))


def euros(value: int | None) -> str:
    """Cents as "28.00"; empty when no encoded amount applies."""
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value) // 100}.{abs(value) % 100:02d}"


def _day(value: dt.date | None) -> str:
    return "" if value is None else value.isoformat()


def rows(
    regulation: store.Regulation,
    streams: Iterable[ledger.Stream],
    lines: Iterable[ledger.Line],
    forfait: verdict.Forfait,
    as_of: dt.date,
    lang: explained.Lang = explained.Lang.FR,
) -> list[Row]:
    """The standing charges of `forfait` among `lines`, as rows grouped into invoices, each
    with the explanation of its period in `lang`."""
    lines = list(lines)
    by_pec = {s.prise_en_charge_id: s for s in streams}
    # Both forfaits of a period billed by one run share its verdict: explain them together.
    runs: dict[explained.Key, list[ledger.Line]] = defaultdict(list)
    summaries = explained.Summaries(regulation, lang)
    for ln in lines:
        if ln.entry is ledger.Entry.CHARGE:
            runs[explained.key(ln)].append(ln)
    per_series = regulation.get("series.max_periodes", int).at_or_first(as_of).value
    per_sheet = regulation.get("series.max_lignes_feuille_papier", int).at_or_first(as_of).value
    standing = [ln for ln in ledger.active_charges(lines).values() if ln.forfait is forfait]
    grouped: dict[int, list[ledger.Line]] = defaultdict(list)
    for ln in standing:
        grouped[ln.prise_en_charge_id].append(ln)
    out: list[Row] = []
    for pec_id in sorted(grouped):
        billed = sorted(grouped[pec_id], key=lambda ln: ln.period_number)
        stream = by_pec.get(pec_id)
        numbers = [ln.period_number for ln in billed]
        by_number = {ln.period_number: ln for ln in billed}
        for invoice in series.chunks(numbers, per_series):
            for sheet_index, sheet in enumerate(series.chunks(invoice, per_sheet), start=1):
                for number in sheet:
                    ln = by_number[number]
                    name = f"{pec_id}-{invoice[0]:03d}"
                    row = _row(regulation, name, sheet_index, ln, stream)
                    why = summaries.of(runs[explained.key(ln)])
                    out.append(dataclasses.replace(row, explanation=why))
    return out


def _row(
    regulation: store.Regulation,
    invoice: str,
    sheet: int,
    ln: ledger.Line,
    stream: ledger.Stream | None,
) -> Row:
    facts = stream.facts if stream is not None else ledger.Facts()
    dmn = stream.situation.dmn if stream is not None else None
    return Row(
        invoice=invoice,
        sheet=sheet,
        line_id=ln.id or 0,
        forfait=ln.forfait.value,
        patient_id=ln.patient_id,
        nir=facts.nir or "",
        nir_type=facts.nir_type or "",
        family=facts.patient_family,
        given=facts.patient_given,
        indication=ln.indication,
        period_number=ln.period_number,
        execution_date=ln.period_start.isoformat(),
        period_last_day=ln.period_last_day.isoformat(),
        code=ln.code or "",
        coefficient=ln.coefficient or "",
        amount=euros(ln.amount_cents),
        amo=euros(ln.amo_cents),
        amc=euros(ln.amc_cents),
        days_with_data=ln.days_with_data,
        expected_days=ln.expected_days,
        prescriber_rpps=facts.prescriber_rpps or "",
        operateur_rpps=facts.operateur_rpps or "",
        operateur=facts.operateur_name,
        operateur_finess=facts.operateur_finess or "",
        prescribed_on=_day(facts.prescribed_on),
        renewals=" ".join(d.isoformat() for d in facts.renewals),
        consent_on=_day(facts.consent_on),
        dmn=facts.dmn_name or "",
        certified_from=_day(dmn.certified_from if dmn else None),
        certified_until=_day(dmn.certified_until if dmn else None),
        exploitant=facts.exploitant_name or "",
        exploitant_siret=facts.exploitant_siret or "",
        basis=" | ".join(c.text() for c in billing_basis.cites(regulation, ln.basis)),
    )


def invoices(found: Sequence[Row]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = defaultdict(list)
    for row in found:
        out[row.invoice].append(row)
    return dict(out)


def for_operateur(
    store_: ledger.Ledger,
    regulation: store.Regulation,
    operateur_id: int,
    as_of: dt.date,
    run_id: int | None = None,
    lang: explained.Lang = explained.Lang.FR,
) -> list[Row]:
    """The opérateur's file: its standing forfait opérateur charges (of one run, if given)."""
    lines = store_.lines(operateur_id=operateur_id)
    if run_id is not None:
        lines = [ln for ln in lines if ln.run_id == run_id]
    streams = store_.streams(as_of, operateur_id)
    return rows(regulation, streams, lines, verdict.Forfait.OPERATEUR, as_of, lang)


def for_exploitant(
    store_: ledger.Ledger,
    regulation: store.Regulation,
    exploitant_id: int,
    as_of: dt.date,
    run_id: int | None = None,
    lang: explained.Lang = explained.Lang.FR,
) -> list[Row]:
    """The exploitant's file: the standing forfait technique charges of its DMN."""
    lines = store_.lines(exploitant_id=exploitant_id)
    if run_id is not None:
        lines = [ln for ln in lines if ln.run_id == run_id]
    streams = [s for s in store_.streams(as_of) if s.exploitant_id == exploitant_id]
    return rows(regulation, streams, lines, verdict.Forfait.TECHNIQUE, as_of, lang)
