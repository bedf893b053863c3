"""The alerts JSON API and FHIR views over the real app (both backends)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from telesurveillance.domain.measures import reading
from tests.adapters.alerts import seed
from tests.conftest import ClientFactory

NOW = seed.at(dt.date(2026, 2, 10), 12)


def _now() -> dt.datetime:
    return NOW


def _alert(engine: sa.Engine) -> tuple[int, int]:
    pid = seed.patient(engine, seed.operateur(engine), "insuffisance_respiratoire")
    seed.ingest(engine, [reading.Reading(pid, seed.SPO2, seed.ts(NOW), 80.0)], NOW)
    [row] = seed.alert_rows(engine)
    return pid, int(row.id)


def test_the_worklist_lists_open_alerts(engine: sa.Engine, make_client: ClientFactory) -> None:
    pid, alert_id = _alert(engine)
    client = make_client(role="medecin", now=_now)
    answer = client.get("/api/alerts", params={"status": "open"})
    assert answer.status_code == 200
    [item] = answer.json()
    assert (item["id"], item["patient_id"], item["rule_id"]) == (alert_id, pid, "ir.spo2.basse")
    assert client.get("/api/alerts", params={"status": "closed"}).json() == []


def test_acknowledge_then_close_through_the_api(
    engine: sa.Engine, make_client: ClientFactory
) -> None:
    _, alert_id = _alert(engine)
    client = make_client(role="medecin", now=_now)
    acked = client.post(f"/api/alerts/{alert_id}/acknowledge", json={})
    assert acked.status_code == 200, acked.text
    assert acked.json()["status"] == "acknowledged"
    again = client.post(f"/api/alerts/{alert_id}/acknowledge", json={})
    assert again.status_code == 409
    assert "another user changed it first" in again.json()["detail"]
    closed = client.post(f"/api/alerts/{alert_id}/close", json={"decision": "treatment_adjusted"})
    assert closed.status_code == 200
    body = closed.json()
    assert (body["status"], body["decision"]) == ("closed", "treatment_adjusted")
    assert [t["to_status"] for t in body["transitions"]] == ["open", "acknowledged", "closed"]
    # who acted is the token's principal
    assert [(t["actor"], t["role"]) for t in body["transitions"][1:]] == [
        ("test medecin", "medecin"),
        ("test medecin", "medecin"),
    ]


def test_a_nurse_cannot_close_without_a_cooperation_protocol(
    engine: sa.Engine, make_client: ClientFactory
) -> None:
    _, alert_id = _alert(engine)
    client = make_client(role="soignant", now=_now)
    answer = client.post(f"/api/alerts/{alert_id}/close", json={"decision": "no_action"})
    assert answer.status_code == 403


def test_an_unknown_alert_is_404(engine: sa.Engine, make_client: ClientFactory) -> None:
    client = make_client(now=_now)
    assert client.get("/api/alerts/999").status_code == 404
    assert client.get("/fhir/DetectedIssue/999").status_code == 404


def test_the_alert_is_a_detected_issue_implicating_its_observation(
    engine: sa.Engine, make_client: ClientFactory
) -> None:
    pid, alert_id = _alert(engine)
    client = make_client(role="medecin", now=_now)
    answer = client.get(f"/fhir/DetectedIssue/{alert_id}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/fhir+json")
    issue = answer.json()
    assert issue["resourceType"] == "DetectedIssue"
    assert issue["status"] == "preliminary"
    assert issue["severity"] == "high"
    assert issue["patient"] == {"reference": f"Patient/{pid}"}
    assert issue["implicated"] == [{"reference": f"Observation/p{pid}-k5-t{seed.ts(NOW)}"}]


def test_flags_are_searched_by_patient_and_status(
    engine: sa.Engine, make_client: ClientFactory
) -> None:
    pid, alert_id = _alert(engine)
    client = make_client(role="medecin", now=_now)
    bundle = client.get("/fhir/Flag", params={"patient": f"Patient/{pid}", "status": "active"})
    assert bundle.status_code == 200
    [entry] = bundle.json()["entry"]
    assert entry["resource"]["id"] == str(alert_id)
    assert entry["resource"]["status"] == "active"
    none = client.get("/fhir/Flag", params={"patient": f"Patient/{pid}", "status": "inactive"})
    assert none.json()["total"] == 0
    issues = client.get("/fhir/DetectedIssue", params={"patient": str(pid)}).json()
    assert issues["total"] == 1


def test_an_override_through_the_api_is_kept_in_history(
    engine: sa.Engine, make_client: ClientFactory
) -> None:
    pid = seed.patient(engine, seed.operateur(engine), "insuffisance_respiratoire")
    client = make_client(role="medecin", now=_now)
    answer = client.put(
        f"/api/alerts/overrides/{pid}/ir.spo2.basse/threshold",
        json={"value": 85, "reason": "BPCO hypercapnique"},
    )
    assert answer.status_code == 200, answer.text
    rules = client.get("/api/alerts/rules", params={"patient": pid}).json()
    spo2 = next(r for r in rules if r["id"] == "ir.spo2.basse")
    assert spo2["threshold"] == 85
    [entry] = client.get(f"/api/alerts/overrides/{pid}").json()
    assert (entry["old_value"], entry["new_value"], entry["actor"]) == (None, 85, "test medecin")
    bad = client.put(
        f"/api/alerts/overrides/{pid}/ir.spo2.basse/label", json={"value": 1, "reason": "x"}
    )
    assert bad.status_code == 422


def test_statistics_are_served(engine: sa.Engine, make_client: ClientFactory) -> None:
    _alert(engine)
    client = make_client(role="medecin", now=_now)
    answer = client.get("/api/alerts/stats", params={"start": "2026-02-01", "end": "2026-03-01"})
    assert answer.status_code == 200
    [line] = answer.json()
    assert line["rule_id"] == "ir.spo2.basse"
    assert (
        client.get(
            "/api/alerts/stats", params={"start": "2026-02-01", "end": "2026-02-01"}
        ).status_code
        == 400
    )


def test_the_exploitant_prefilters_through_the_api_where_delegated(
    engine: sa.Engine, make_client: ClientFactory
) -> None:
    op = seed.operateur(engine)
    dmn = seed.dmn_with_convention(engine, op, True)
    pid = seed.patient(engine, op, "insuffisance_respiratoire", dmn_id=dmn)
    seed.ingest(engine, [reading.Reading(pid, seed.SPO2, seed.ts(NOW), 80.0)], NOW)
    [row] = seed.alert_rows(engine)
    with engine.connect() as conn:
        exploitant_id = conn.execute(
            sa.text("SELECT exploitant_id FROM dmns WHERE id = :id"), {"id": dmn}
        ).scalar_one()
    other = make_client(role="exploitant", exploitant_id=exploitant_id + 1, now=_now)
    refused = other.post(f"/api/alerts/{row.id}/prefilter", json={"verdict": "artefact"})
    assert refused.status_code == 403
    client = make_client(role="exploitant", exploitant_id=exploitant_id, now=_now)
    answer = client.post(f"/api/alerts/{row.id}/prefilter", json={"verdict": "artefact"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["prefilter"]["verdict"] == "artefact"
    assert answer.json()["status"] == "open"


def test_an_observation_posted_to_the_fhir_api_opens_an_alert(
    engine: sa.Engine, make_client: ClientFactory
) -> None:
    from tests.web.fhir import resources

    pid = seed.patient(engine, seed.operateur(engine))
    client = make_client(role="medecin", now=_now)
    for at, kg in (("2026-02-08T07:00:00Z", 80.0), ("2026-02-10T07:00:00Z", 82.4)):
        posted = client.post(
            "/fhir/Observation",
            json=resources.weight(f"Patient/{pid}", at=at, value=kg),
            headers={"Content-Type": "application/fhir+json"},
        )
        assert posted.status_code in (200, 201), posted.text
    [row] = seed.alert_rows(engine)
    assert row.rule_id == "ic.poids.prise_3j"
    assert row.opened_at == seed.ts(NOW)


def test_an_alert_closed_as_artefact_is_a_cancelled_detected_issue(
    engine: sa.Engine, make_client: ClientFactory
) -> None:
    _, alert_id = _alert(engine)
    client = make_client(role="medecin", now=_now)
    client.post(f"/api/alerts/{alert_id}/close", json={"decision": "artefact"})
    issue = client.get(f"/fhir/DetectedIssue/{alert_id}").json()
    assert issue["status"] == "cancelled"
    assert issue["mitigation"][0]["action"]["coding"][0]["code"] == "artefact"
    assert client.get(f"/fhir/Flag/{alert_id}").json()["status"] == "inactive"
