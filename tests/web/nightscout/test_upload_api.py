"""The Nightscout upload API: the bodies the Nightscout project documents and uploaders send,
stored through the ingestion service (checks, duplicates, alert hand-off, audit), answered as
uploaders need, and read back as followers read."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from telesurveillance.adapters.nightscout import credentials, ids
from telesurveillance.adapters.sql.security import audit as security_audit
from telesurveillance.domain.measures import reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.web import context
from tests.web.nightscout.conftest import NOW, Opened, Readings

FIXTURES = Path(__file__).parents[2] / "fixtures" / "nightscout"
TABLE = measures.packaged()
SENSOR = TABLE.by_name("glucose_capteur").id
BLOOD = TABLE.by_name("glycemie").id


def body(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def ms(text: str) -> int:
    return reading.millis(dt.datetime.fromisoformat(text))


def test_xdrip_entries_are_stored_and_echoed_with_their_ids(
    uploader: TestClient, site: Opened, readings: Readings
) -> None:
    sent = body("entries_xdrip.json")
    answer = uploader.post(f"{site.base}/entries", json=sent, headers=site.header)
    assert answer.status_code == 200
    echoed = answer.json()
    assert len(echoed) == len(sent)
    assert [e.get("type") for e in echoed] == [d.get("type") for d in sent]
    stored = readings(site.patient_id)
    assert {kind for kind, _, _ in stored} == {SENSOR, BLOOD}
    first = sent[0]
    assert (SENSOR, first["date"], float(first["sgv"])) in stored
    assert echoed[0]["_id"] == ids.entry_id(site.patient_id, SENSOR, first["date"])
    low = next(d for d in sent if d.get("sgv") == 39)
    assert (SENSOR, low["date"], 39.0) in stored  # Nightscout's LOW, stored as sent
    assert len(stored) == sum(1 for d in sent if d.get("type") in ("sgv", "mbg"))


def test_the_same_upload_again_creates_nothing(
    uploader: TestClient, site: Opened, readings: Readings, engine: sa.Engine
) -> None:
    sent = body("entries_share2nightscout_bridge.json")
    first = uploader.post(f"{site.base}/entries.json", json=sent, headers=site.header)
    stored = readings(site.patient_id)
    with engine.connect() as conn:
        days = conn.execute(sa.text("SELECT sum(n) FROM reading_days")).scalar_one()
    again = uploader.post(f"{site.base}/entries.json", json=sent, headers=site.header)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert readings(site.patient_id) == stored
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT sum(n) FROM reading_days")).scalar_one() == days


def test_the_documented_example_entry_is_stored(
    uploader: TestClient, site: Opened, readings: Readings
) -> None:
    answer = uploader.post(
        f"{site.base}/entries", json=body("entries_schema_example.json"), headers=site.header
    )
    assert answer.status_code == 200
    assert answer.json()[0]["_id"] == ids.entry_id(site.patient_id, SENSOR, 1704067200000)
    assert readings(site.patient_id) == [(SENSOR, 1704067200000, 120.0)]


def test_error_codes_and_implausible_instants_are_acknowledged_not_stored(
    uploader: TestClient, site: Opened, readings: Readings
) -> None:
    future = reading.millis(NOW + dt.timedelta(hours=1))
    sent = [
        *body("entries_error_codes_example.json"),
        {"type": "sgv", "sgv": 150, "date": future},
        {"type": "sgv", "sgv": 151, "date": ms("2023-06-30T12:00:00+00:00")},
        {"type": "sgv", "sgv": 152, "dateString": "2026-11-29T10:00:00"},
        {"type": "sgv", "sgv": 153, "date": ms("2026-11-29T10:05:00+00:00")},
    ]
    answer = uploader.post(f"{site.base}/entries", json=sent, headers=site.header)
    assert answer.status_code == 200
    assert len(answer.json()) == len(sent)
    assert all(len(e["_id"]) == 24 for e in answer.json())
    values = [value for _, _, value in readings(site.patient_id)]
    assert 150.0 not in values  # an hour ahead of the server's clock
    assert 151.0 not in values  # before the LATM common law
    assert 152.0 not in values  # no offset: the instant is unknown
    assert 153.0 in values


def test_an_upload_hands_its_new_readings_to_the_alert_evaluation(
    uploader: TestClient, site: Opened
) -> None:
    seen: list[reading.Reading] = []
    context.of_app(uploader.app).after_ingest.append(seen.extend)  # type: ignore[arg-type]
    sent = body("entries_share2nightscout_bridge.json")
    uploader.post(f"{site.base}/entries", json=sent, headers=site.header)
    assert len(seen) == len(sent)
    assert {r.patient_id for r in seen} == {site.patient_id}
    seen.clear()
    uploader.post(f"{site.base}/entries", json=sent, headers=site.header)
    assert seen == []  # nothing new, nothing to judge


def test_every_upload_is_audited_naming_the_patient(
    uploader: TestClient, site: Opened, engine: sa.Engine
) -> None:
    uploader.post(f"{site.base}/entries", json=body("entries_xdrip.json"), headers=site.header)
    uploader.get(f"{site.base}/entries.json", headers=site.header)
    events = security_audit.SqlAuditLog(engine).events()
    assert {(e.route, e.patient_id, e.status) for e in events} == {
        ("nightscout.entries.create", site.patient_id, 200),
        ("nightscout.entries.read", site.patient_id, 200),
    }
    assert {e.actor for e in events} == {f"nightscout/{site.site.id}"}
    assert {e.role for e in events} == {"patient"}


def test_a_finger_stick_treatment_is_a_blood_glucose_and_the_rest_acknowledged(
    uploader: TestClient, site: Opened, readings: Readings
) -> None:
    sent = body("treatments_nightscout_tests.json") + body("treatments_xdrip.json")
    answer = uploader.post(f"{site.base}/treatments", json=sent, headers=site.header)
    assert answer.status_code == 200
    assert len(answer.json()) == len(sent)
    stored = readings(site.patient_id)
    assert stored
    assert {kind for kind, _, _ in stored} == {BLOOD}
    put = uploader.put(f"{site.base}/treatments", json=sent[:1], headers=site.header)
    assert put.status_code == 200
    assert readings(site.patient_id) == stored
    assert uploader.get(f"{site.base}/treatments.json", headers=site.header).json() == []


def test_a_device_status_is_acknowledged_with_an_id(uploader: TestClient, site: Opened) -> None:
    one = body("devicestatus_xdrip.json")
    answer = uploader.post(f"{site.base}/devicestatus", json=one, headers=site.header)
    assert answer.status_code == 200
    (echoed,) = answer.json()
    assert len(echoed["_id"]) == 24
    bridge = body("devicestatus_share2nightscout_bridge.json")
    answer = uploader.post(f"{site.base}/devicestatus.json", json=bridge, headers=site.header)
    assert answer.status_code == 200


def test_a_gzipped_body_is_read(uploader: TestClient, site: Opened, readings: Readings) -> None:
    raw = gzip.compress(json.dumps(body("entries_schema_example.json")).encode())
    headers = {**site.header, "content-encoding": "gzip", "content-type": "application/json"}
    answer = uploader.post(f"{site.base}/entries", content=raw, headers=headers)
    assert answer.status_code == 200
    assert len(readings(site.patient_id)) == 1


def test_a_body_that_is_not_json_is_a_400_in_nightscouts_shape(
    uploader: TestClient, site: Opened
) -> None:
    answer = uploader.post(f"{site.base}/entries", content=b"{nope", headers=site.header)
    assert answer.status_code == 400
    assert answer.json()["status"] == 400
    assert "not JSON" in answer.json()["description"]


# --- credentials ------------------------------------------------------------------------------


def test_every_form_of_the_secret_opens_the_site(uploader: TestClient, site: Opened) -> None:
    forms: list[dict[str, Any]] = [
        {"headers": {"api-secret": credentials.sha1_hex(site.secret).upper()}},
        {"headers": {"api-secret": credentials.sha512_hex(site.secret)}},
        {"headers": {"api-secret": site.secret}},
        {"headers": {"api-secret": f"token={site.secret}"}},
        {"params": {"token": site.secret}},
        {"params": {"secret": credentials.sha1_hex(site.secret)}},
        {"headers": {"Authorization": f"Bearer {site.secret}"}},
    ]
    for form in forms:
        assert uploader.get(f"{site.base}/experiments/test", **form).status_code == 200, form


def test_a_wrong_missing_or_other_sites_secret_is_a_401(
    uploader: TestClient, site: Opened, engine: sa.Engine, readings: Readings
) -> None:
    from tests.web.nightscout.conftest import add_patient, open_site

    other = open_site(engine, add_patient(engine))
    sent = body("entries_schema_example.json")
    for headers in (
        {},
        {"api-secret": credentials.sha1_hex("not-the-secret-at-all")},
        other.header,  # the right secret of another site, on this site's URL
    ):
        answer = uploader.post(f"{site.base}/entries", json=sent, headers=headers)
        assert answer.status_code == 401, headers
    assert readings(site.patient_id) == []
    assert readings(other.patient_id) == []


def test_loop_without_the_sites_path_is_found_by_its_secret(
    uploader: TestClient, site: Opened, engine: sa.Engine, readings: Readings
) -> None:
    from tests.web.nightscout.conftest import add_patient, open_site

    other = open_site(engine, add_patient(engine))
    sent = body("entries_schema_example.json")
    answer = uploader.post("/api/v1/entries", json=sent, headers=other.header)
    assert answer.status_code == 200
    assert readings(other.patient_id) == [(SENSOR, 1704067200000, 120.0)]
    assert readings(site.patient_id) == []
    # a SHA-512 names no site by itself: it needs the site's URL
    sha512 = {"api-secret": credentials.sha512_hex(other.secret)}
    assert uploader.get("/api/v1/experiments/test", headers=sha512).status_code == 401


def test_a_revoked_site_is_refused_from_its_next_call(
    uploader: TestClient, site: Opened, engine: sa.Engine
) -> None:
    from telesurveillance import composition
    from telesurveillance.services.nightscout import sites

    assert uploader.get(f"{site.base}/status.json", headers=site.header).status_code == 200
    sites.revoke(composition.over(engine).nightscout_sites, patient_id=site.patient_id, now=NOW)
    assert uploader.get(f"{site.base}/status.json", headers=site.header).status_code == 401
    assert uploader.get("/api/v1/status.json", headers=site.header).status_code == 401


def test_verifyauth_says_whether_the_secret_opens_the_site(
    uploader: TestClient, site: Opened
) -> None:
    opened = uploader.get(f"{site.base}/verifyauth", headers=site.header).json()
    assert opened["message"]["canRead"] is True
    closed = uploader.get(f"{site.base}/verifyauth").json()
    assert closed["message"]["canRead"] is False


def test_status_reports_the_sites_units(uploader: TestClient, engine: sa.Engine) -> None:
    from tests.web.nightscout.conftest import add_patient, open_site

    mmol = open_site(engine, add_patient(engine), units="mmol/L")
    status = uploader.get(f"{mmol.base}/status.json", headers=mmol.header).json()
    assert status["settings"]["units"] == "mmol"
    assert status["status"] == "ok"
    assert status["apiEnabled"] is True


# --- reading back -----------------------------------------------------------------------------


def test_entries_read_back_newest_first_with_count_type_and_delta(
    uploader: TestClient, site: Opened
) -> None:
    older = {"type": "sgv", "sgv": 110, "date": ms("2026-11-29T18:45:02.526+00:00")}
    sent = body("entries_xdrip.json") + body("entries_share2nightscout_bridge.json") + [older]
    uploader.post(f"{site.base}/entries", json=sent, headers=site.header)
    got = uploader.get(f"{site.base}/entries/sgv.json?count=3", headers=site.header).json()
    assert len(got) == 3
    assert [e["type"] for e in got] == ["sgv"] * 3
    assert got[0]["date"] > got[1]["date"] > got[2]["date"]
    assert got[0]["delta"] == got[0]["sgv"] - got[1]["sgv"]
    assert got[2]["delta"] == got[2]["sgv"] - 110  # from the next older reading, fetched for it
    assert len(uploader.get(f"{site.base}/entries.json", headers=site.header).json()) == 4
    mbg = uploader.get(f"{site.base}/entries.json?find[type]=mbg", headers=site.header).json()
    assert mbg == []  # the xDrip+ meter reading is in January: beyond the last four days
    since = "find[date][$gte]=1768000000000"
    mbg = uploader.get(f"{site.base}/entries/mbg?{since}", headers=site.header).json()
    assert [e["type"] for e in mbg] == ["mbg"]


def test_an_entry_reads_back_by_its_id_and_current_is_the_newest(
    uploader: TestClient, site: Opened
) -> None:
    sent = body("entries_share2nightscout_bridge.json")
    echoed = uploader.post(f"{site.base}/entries", json=sent, headers=site.header).json()
    one = uploader.get(f"{site.base}/entries/{echoed[1]['_id']}", headers=site.header).json()
    assert [(e["_id"], e["sgv"]) for e in one] == [(echoed[1]["_id"], sent[1]["sgv"])]
    newest = max(sent, key=lambda d: d["date"])
    current = uploader.get(f"{site.base}/entries/current.json", headers=site.header).json()
    assert [e["date"] for e in current] == [newest["date"]]


def test_a_bad_filter_is_a_400(uploader: TestClient, site: Opened) -> None:
    answer = uploader.get(f"{site.base}/entries.json?count=many", headers=site.header)
    assert answer.status_code == 400


def test_a_site_reads_only_its_own_patient(
    uploader: TestClient, site: Opened, engine: sa.Engine
) -> None:
    from tests.web.nightscout.conftest import add_patient, open_site

    other = open_site(engine, add_patient(engine))
    sent = body("entries_share2nightscout_bridge.json")
    uploader.post(f"{other.base}/entries", json=sent, headers=other.header)
    mine = uploader.get(f"{site.base}/entries.json", headers=site.header).json()
    assert mine == []
    prefixless = uploader.get("/api/v1/entries.json", headers=site.header).json()
    assert prefixless == []


# --- care-team principals ---------------------------------------------------------------------


def test_the_administrateur_reads_a_site_by_its_url_and_others_are_refused(
    make_client: Any, site: Opened, uploader: TestClient
) -> None:
    sent = body("entries_share2nightscout_bridge.json")
    uploader.post(f"{site.base}/entries", json=sent, headers=site.header)
    admin = make_client(now=lambda: NOW)
    assert len(admin.get(f"{site.base}/entries.json").json()) == len(sent)
    assert admin.get("/api/v1/entries.json").status_code == 404  # no site named
    assert make_client(role="medecin").get(f"{site.base}/entries.json").status_code == 403
    other_patient = make_client(role="patient", patient_id=site.patient_id + 1000)
    assert other_patient.get(f"{site.base}/entries.json").status_code == 403


def test_an_entry_keeps_its_uploaders_ids_and_device_as_its_provenance(
    uploader: TestClient, site: Opened, engine: sa.Engine
) -> None:
    answer = uploader.post(
        f"{site.base}/entries", json=body("entries_schema_example.json"), headers=site.header
    )
    assert answer.status_code == 200
    with engine.connect() as conn:
        named = conn.execute(
            sa.text("SELECT system, value FROM reading_identifiers ORDER BY n")
        ).all()
        senders = conn.execute(sa.text("SELECT kind, label FROM reading_sources")).all()
        source_ids = conn.execute(sa.text("SELECT source_id FROM readings")).scalars().all()
    assert [tuple(row) for row in named] == [
        ("urn:telesurveillance:nightscout:device", "xDrip-DexcomG6"),
        ("urn:telesurveillance:nightscout:record", "550e8400-e29b-41d4-a716-446655440000"),
    ]
    assert [tuple(row) for row in senders] == [("nightscout", f"site {site.site.id}")]
    assert source_ids[0] is not None
