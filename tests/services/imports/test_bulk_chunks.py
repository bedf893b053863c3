"""A bulk import judged and counted a chunk at once (issue 18) leaves exactly what the same
lines leave one by one: the readings and their senders, the identifiers, the day counters, the
DMN day counters, the worklist counters, the alert outbox and the report — whatever the chunk
size, on SQLite and on PostgreSQL, for mixed good, bad, duplicate, amended and withdrawn lines
of several patients, around Paris midnight and the spring DST change."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telesurveillance.adapters.fhir import bulk
from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.alerts import tables as tables_alerts
from telesurveillance.adapters.sql.core import readings, tables
from telesurveillance.adapters.sql.dashboard import counters, worklist
from telesurveillance.adapters.sql.fhir import observations
from telesurveillance.domain.access import matrix, roles, writes
from telesurveillance.domain.measures import instants
from telesurveillance.domain.measures import table as measures
from telesurveillance.domain.regulation import store as regulation_store
from telesurveillance.services import ingest

TABLE = measures.packaged()
NOW = dt.datetime(2026, 4, 1, 12, tzinfo=dt.UTC)
WINDOW = instants.window(
    NOW, dt.timedelta(minutes=5), regulation_store.packaged().common_law_start()
)
#: Paris moved to summer time on 2026-03-29 at 01:00 UTC: the instants run every 3 hours from
#: 2026-03-27 20:00 UTC over two Paris midnights (slots 1 and 9, both 23:00 UTC) and the change
#: (between slots 9 and 10). Few slots: lines meet at the same key often.
FIRST = dt.datetime(2026, 3, 27, 20, tzinfo=dt.UTC)
STEP = dt.timedelta(hours=3)
TODAY = dt.date(2026, 3, 31)
LENGTH = 30
#: patient → birth date; patient 2 is born on 2026-03-28 (Paris): slot 0 is refused, slot 1 not.
BORN = {1: dt.date(1950, 1, 1), 2: dt.date(2026, 3, 28)}
#: patient 3 does not exist; Device 99 neither.
PATIENTS = (1, 2, 3)
SOURCE = ingest.Source(ingest.SourceKind.IMPORT, label="lines.ndjson")
#: what fills the store between two runs (the senders' rows stay: they are found by their key)
WRITTEN = (
    tables.readings,
    tables.reading_identifiers,
    tables.reading_days,
    tables.reading_dmn_days,
    tables.last_readings,
    tables_alerts.alert_pending,
    counters.patient_days,
    counters.worklist_periods,
)


def _world(engine: sa.Engine) -> dict[int, int]:
    """The patients, a prise en charge each, and a Device of a DMN per patient: patient →
    device id (made once per store)."""
    with database.writing(engine) as conn:
        d = tables.devices.c
        found = conn.execute(sa.select(d.patient_id, d.id).where(d.serial == "SN-CHUNK")).all()
        if found:
            return {int(patient): int(device) for patient, device in found}
        conn.execute(sa.insert(tables.operateurs).values(id=1, name="Équipe", kind="etablissement"))
        maker = conn.execute(
            sa.insert(tables.exploitants)
            .values(name="Fabricant")
            .returning(tables.exploitants.c.id)
        ).scalar_one()
        devices = {}
        for patient, born in BORN.items():
            conn.execute(
                sa.insert(tables.patients).values(
                    id=patient, family="SYNTHETIQUE", given="Lot", birth_date=born, synthetic=True
                )
            )
            conn.execute(
                sa.insert(tables.prises_en_charge).values(
                    id=patient, patient_id=patient, operateur_id=1, indication="diabete",
                    starts_on=dt.date(2026, 3, 20),
                )
            )  # fmt: skip
            dmn = conn.execute(
                sa.insert(tables.dmns)
                .values(exploitant_id=maker, name=f"Lecteur {patient}", benefit="medical")
                .returning(sa.literal_column("id", sa.Integer))
            ).scalar_one()
            devices[patient] = conn.execute(
                sa.insert(tables.devices)
                .values(dmn_id=dmn, patient_id=patient, serial="SN-CHUNK")
                .returning(sa.literal_column("id", sa.Integer))
            ).scalar_one()
    return {p: int(device) for p, device in devices.items()}


_line = st.fixed_dictionaries(
    {
        "what": st.sampled_from(
            ["final"] * 6 + ["amended", "corrected", "entered-in-error", "future", "broken", "unit"]
        ),
        "patient": st.sampled_from(PATIENTS),
        "glucose": st.booleans(),
        "slot": st.integers(0, 12),
        "value": st.integers(40, 300),
        "identifier": st.booleans(),
        "device": st.sampled_from(["none", "none", "own", "other", "unknown"]),
    }
)


def _ndjson(line: dict[str, Any], devices: dict[int, int], number: int) -> bytes:
    """One NDJSON line as a device would send it (`broken`: not JSON at all)."""
    if line["what"] == "broken":
        return b'{"resourceType": "Observation", "status": \n'
    moment = FIRST + line["slot"] * STEP
    if line["what"] == "future":
        moment = NOW + dt.timedelta(days=3)
    glucose = line["glucose"]
    unit = "mg/dL" if glucose else "kg"
    if line["what"] == "unit":
        unit = "kg" if glucose else "mg/dL"
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final" if line["what"] in ("future", "unit") else line["what"],
        "code": {
            "coding": [{"system": "http://loinc.org", "code": "99504-3" if glucose else "29463-7"}]
        },
        "subject": {"reference": f"Patient/{line['patient']}"},
        "effectiveDateTime": moment.isoformat().replace("+00:00", "Z"),
        "valueQuantity": {
            "value": line["value"] if glucose else line["value"] / 4,
            "system": "http://unitsofmeasure.org",
            "code": unit,
        },
    }
    if line["identifier"]:
        resource["identifier"] = [{"system": "urn:test:meter", "value": f"rec-{number}"}]
    owner = {"own": line["patient"], "other": 3 - line["patient"] if line["patient"] < 3 else 1}
    if line["device"] in owner and owner[line["device"]] in devices:
        resource["device"] = {"reference": f"Device/{devices[owner[line['device']]]}"}
    elif line["device"] != "none":
        resource["device"] = {"reference": "Device/99"}
    return json.dumps(resource).encode() + b"\n"


def _run(engine: sa.Engine, lines: list[bytes], chunk: int) -> tuple[Any, ...]:
    """Import `lines` into an emptied store, `chunk` lines per chunk: (report, store)."""
    with database.writing(engine) as conn:
        for table in WRITTEN:
            conn.execute(sa.delete(table))
    worklist.SqlWorklist(engine).followed(TODAY, LENGTH)  # the worklist's rows exist
    store = observations.SqlStore(engine)
    judge = writes.Judge(matrix.packaged(), roles.CONSOLE)
    report = ingest.bulk(
        bulk.ndjson(lines, TABLE, WINDOW),
        store,
        ingest.judged_by(judge),
        table=TABLE,
        chunk=chunk,
        correct=store.correct,
        source=SOURCE,
    )
    told = (
        report.accepted,
        report.duplicates,
        report.corrected,
        report.readings,
        sorted(report.patients),
        [(r.line, r.diagnostics, r.expression, r.code, r.forbidden) for r in report.rejected],
    )
    return told, _stored(engine)


def _stored(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    r, s = tables.readings.c, tables.reading_sources.c
    p = tables_alerts.alert_pending.c
    with engine.connect() as conn:
        rows = {
            "readings": conn.execute(
                sa.select(r.patient_id, r.kind, r.ts, r.value, s.key)
                .select_from(tables.readings.outerjoin(tables.reading_sources, r.source_id == s.id))
                .order_by(r.patient_id, r.kind, r.ts)
            ),
            "outbox": conn.execute(
                sa.select(p.patient_id, p.kind, p.since_ts, p.until_ts).order_by(
                    p.patient_id, p.kind
                )
            ),
        }
        for table in WRITTEN[1:-3] + WRITTEN[-2:]:
            rows[table.name] = conn.execute(sa.select(table).order_by(*table.primary_key))
        return {name: [tuple(row) for row in found] for name, found in rows.items()}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(lines=st.lists(_line, min_size=8, max_size=40), chunk=st.sampled_from([2, 7, 20_000]))
def test_a_chunk_judged_at_once_leaves_what_its_lines_leave_one_by_one(
    engine: sa.Engine, lines: list[dict[str, Any]], chunk: int
) -> None:
    devices = _world(engine)
    raw = [_ndjson(line, devices, n) for n, line in enumerate(lines, start=1)]
    one_by_one = _run(engine, raw, chunk=1)
    chunked = _run(engine, raw, chunk=chunk)
    assert chunked == one_by_one
    with engine.connect() as conn:
        for patient in BORN:
            assert readings.days(conn, patient) == readings.recount(conn, patient)


def test_a_file_mixing_every_case_is_reported_line_by_line_in_one_chunk(
    engine: sa.Engine,
) -> None:
    devices = _world(engine)
    cases = [
        {"what": "final", "slot": 3},  # 1: stored
        {"what": "final", "slot": 3},  # 2: a duplicate of line 1
        {"what": "amended", "slot": 3, "value": 120},  # 3: replaces line 1's value
        {"what": "final", "slot": 3, "value": 130},  # 4: the key is stored: a duplicate
        {"what": "entered-in-error", "slot": 9},  # 5: nothing to withdraw
        {"what": "final", "slot": 9},  # 6: stored (after line 5, as one by one)
        {"what": "future", "slot": 0},  # 7: a future instant
        {"what": "broken", "slot": 0},  # 8: not JSON
        {"what": "final", "slot": 4, "patient": 3},  # 9: an unknown patient
        {"what": "final", "slot": 0, "patient": 2},  # 10: before patient 2's birth
        {"what": "final", "slot": 12, "device": "other"},  # 11: another patient's device
        {"what": "final", "slot": 13, "device": "own", "identifier": True},  # 12: stored
    ]
    base = {"patient": 1, "glucose": True, "value": 100, "identifier": False, "device": "none"}
    raw = [_ndjson({**base, **case}, devices, n) for n, case in enumerate(cases, start=1)]
    told, stored = _run(engine, raw, chunk=ingest.CHUNK)
    accepted, duplicates, corrected, new, patients, rejected = told
    assert (accepted, duplicates, corrected, new, patients) == (3, 2, 1, 3, [1])
    assert [(line, where) for line, _why, where, _code, _f in rejected] == [
        (5, "Observation.effectiveDateTime"),
        (7, "Observation.effectiveDateTime"),
        (8, None),
        (9, "Observation.subject"),
        (10, "Observation.effectiveDateTime"),
        (11, "Observation.device"),
    ]
    assert "future" in rejected[1][1]
    assert [value for _p, _k, _ts, value, _key in stored["readings"]] == [120.0, 100.0, 100.0]
    assert (told, stored) == _run(engine, raw, chunk=1)
