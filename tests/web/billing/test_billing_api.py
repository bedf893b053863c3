"""The billing API: runs, lines, reversals, statuses, audit, forecast, exploitant, files."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from telesurveillance.adapters.sql.billing import synthetic, tables
from tests.conftest import ClientFactory

#: The synthetic population's first start of monitoring.
START = dt.date(2025, 1, 6)
NOW = dt.datetime(2025, 9, 15, 10, tzinfo=dt.UTC)


def _now() -> dt.datetime:
    return NOW


def test_a_run_bills_once_and_the_lines_can_be_listed(
    engine: sa.Engine, make_client: ClientFactory
) -> None:
    pop = synthetic.populate(engine, 4, starts_on=START, periods=6)
    client = make_client(now=_now)
    first = client.post("/api/billing/runs", json={"until": "2025-06-01"})
    assert first.status_code == 200
    body = first.json()
    assert len(body["written"]) == 2 * body["billable_periods"] > 0
    assert body["run"]["actor"]  # the authenticated user, else "api"
    again = client.post("/api/billing/runs", json={"until": "2025-06-01"}).json()
    assert again["written"] == []
    listed = client.get("/api/billing/lines", params={"operateur_id": pop.operateur_ids[0]})
    assert listed.status_code == 200
    lines = listed.json()["lines"]
    assert lines
    assert {ln["operateur_id"] for ln in lines} == {pop.operateur_ids[0]}
    assert lines[0]["basis"][0][0]


def test_a_reversal_is_written_once(engine: sa.Engine, make_client: ClientFactory) -> None:
    synthetic.populate(engine, 1, starts_on=START, periods=3)
    client = make_client(now=_now)
    line = client.post("/api/billing/runs", json={"until": "2025-04-01"}).json()["written"][0]
    reversed_ = client.post(f"/api/billing/lines/{line['id']}/reversal", json={"reason": "doublon"})
    assert reversed_.status_code == 200
    assert reversed_.json()["reversal"]["amount_cents"] == -line["amount_cents"]
    twice = client.post(f"/api/billing/lines/{line['id']}/reversal", json={"reason": "x"})
    assert twice.status_code == 409


def test_lines_are_marked_sent(engine: sa.Engine, make_client: ClientFactory) -> None:
    synthetic.populate(engine, 1, starts_on=START, periods=3)
    client = make_client(now=_now)
    ids = [
        ln["id"]
        for ln in client.post("/api/billing/runs", json={"until": "2025-04-01"}).json()["written"]
    ]
    marked = client.post("/api/billing/lines/status", json={"line_ids": ids, "status": "sent"})
    assert marked.json() == {"recorded": len(ids)}
    bad = client.post("/api/billing/lines/status", json={"line_ids": ids, "status": "lost"})
    assert bad.status_code == 422


def test_the_operateur_file_downloads_as_csv_json_and_fhir(
    engine: sa.Engine, make_client: ClientFactory
) -> None:
    pop = synthetic.populate(engine, 2, starts_on=START, periods=8, operateurs=1)
    client = make_client(now=_now)
    client.post("/api/billing/runs", json={"until": "2025-09-01"})
    url = f"/api/billing/exports/operateurs/{pop.operateur_ids[0]}"
    csv_file = client.get(url, params={"format": "csv"})
    assert csv_file.status_code == 200
    assert csv_file.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv_file.headers["content-disposition"]
    assert csv_file.text.lstrip("\ufeff").startswith("invoice;sheet;line_id")
    invoices = client.get(url, params={"format": "json"}).json()["invoices"]
    assert all(sum(len(s) for s in i["sheets"]) <= 6 for i in invoices)
    fhir = client.get(url, params={"format": "fhir"})
    assert fhir.headers["content-type"].startswith("application/fhir+json")
    assert fhir.json()["entry"][0]["resource"]["resourceType"] == "ChargeItem"
    technique = client.get(f"/api/billing/exports/exploitants/{pop.exploitant_id}")
    assert technique.status_code == 200
    assert ";technique;" in technique.text


def test_audit_forecast_and_exploitant_answer(
    engine: sa.Engine, make_client: ClientFactory
) -> None:
    pop = synthetic.populate(engine, 4, starts_on=START, periods=10)
    client = make_client(now=_now)
    client.post("/api/billing/runs", json={"until": "2025-06-01"})
    audit = client.get("/api/billing/audit").json()
    assert audit == {"at_risk_cents": 0, "findings": []}
    forecast = client.get("/api/billing/forecast")
    assert forecast.status_code == 200
    assert isinstance(forecast.json()["at_risk"], list)
    view = client.get(
        f"/api/billing/exploitants/{pop.exploitant_id}", params={"simulate": 6000}
    ).json()
    assert view["months"]
    assert len(view["simulation"]) == 2
    assert view["tiers"][0]["tier_from"] == 0


def test_a_run_for_an_unknown_operateur_is_a_404_and_writes_nothing(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    client = make_client("facturation")
    answer = client.post("/api/billing/runs", json={"until": "2024-06-01", "operateur_id": 999})
    assert answer.status_code == 404
    assert "999" in answer.json()["detail"]
    with engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(tables.billing_runs)).scalar() == 0
        )
