"""Each role's answers carry only what the role may see (issue 12, finding 6), on both backends.

A store with clinical content everywhere (readings with unmistakable values, alerts opened on
them, a médecin's acknowledgement note, a care-team note, a support session's topic, a
majoration's clinical criterion) and two exploitants. Then every route that returns patient
data and that `facturation` or `exploitant` may call — enumerated from the app's router and the
permission table, so a new route fails here until it has a call below — is called as that role,
and its answer must hold no clinical value, no note, and, for the exploitant, no patient of
another exploitant's devices.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI, routing
from fastapi.testclient import TestClient
from starlette.routing import Mount

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.alerts import evaluation, tables
from telesurveillance.adapters.sql.core import readings
from telesurveillance.domain.access import matrix, projection, roles
from telesurveillance.domain.alerts import ruleset
from telesurveillance.domain.measures import reading
from telesurveillance.domain.regulation import store
from telesurveillance.services.alerts import pending
from tests.conftest import ClientFactory
from tests.services.pathway import world as w
from tests.web.fhir import resources

Role = roles.Role
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
START = dt.date(2026, 9, 1)
API = "/api/pathway"
#: weights no billing figure looks like: 73,91 kg, then a gain to 77,13 kg
BASE_KG, HIGH_KG = 73.91, 77.13
ACK_NOTE = "NOTE-ACQUITTEMENT-CONFIDENTIELLE"
CARE_NOTE = "NOTE-EQUIPE-CONFIDENTIELLE"
TOPIC = "SEANCE-CONFIDENTIELLE"
CRITERION = "CRITERE-CLINIQUE-CONFIDENTIEL"
OTHER_FAMILY = "HORSPERIMETRE"
RESTRICTED = (Role.FACTURATION, Role.EXPLOITANT)


def _now() -> dt.datetime:
    return NOW


@dataclass
class World:
    operateur: int
    doctor: int
    exploitant: int
    other_exploitant: int
    patient: int
    other_patient: int
    pec: int
    other_pec: int
    alert: int
    other_alert: int
    other_nir: str
    forbidden: set[str] = field(default_factory=set)


def _created(client: TestClient, path: str, body: dict[str, Any]) -> int:
    answer = client.post(f"{API}{path}", json=body)
    assert answer.status_code == 201, answer.text
    found: int = answer.json()["id"]
    return found


def _exploitant(client: TestClient, op: int, name: str, delegated: bool) -> tuple[int, int]:
    expl = _created(client, "/exploitants", {"name": name})
    dmn = _created(
        client,
        "/dmns",
        {
            "exploitant_id": expl,
            "name": f"Balance {name}",
            "benefit": "organisationnel",
            "indication": "insuffisance_cardiaque",
            "latm_code": "1612544",
            "certified_from": "2023-12-01",
        },
    )
    convention = {
        "operateur_id": op,
        "exploitant_id": expl,
        "signed_on": "2024-01-02",
        "prefilter_delegated": delegated,
    }
    _created(client, "/conventions", convention)
    return expl, dmn


def _include(
    client: TestClient, regulation: store.Regulation, op: int, doctor: int, dmn: int,
    family: str, nir13: str,
) -> tuple[int, int]:  # fmt: skip
    att = w.attestation(regulation, w.Indication.INSUFFISANCE_CARDIAQUE, START)
    body = {
        "operateur_id": op,
        "indication": "insuffisance_cardiaque",
        "dmn_id": dmn,
        "starts_on": START.isoformat(),
        "consent_on": START.isoformat(),
        "consent_method": "ecrit",
        "sous_population": att.sous_population,
        "criteres": sorted(att.criteres),
        "patient": {
            "nir": w.nir(nir13),
            "nir_type": "NH",
            "family": family,
            "given": "Jeanne",
            "birth_date": "1950-03-02",
            "sex": "female",
            "coverage": "ald",
            "synthetic": True,
        },
        "attested_by": doctor,
    }
    answer = client.post(f"{API}/inclusions", json=body)
    assert answer.status_code == 201, answer.text
    pec = answer.json()["prise_en_charge_id"]
    rx = {"prescriber_id": doctor, "prescribed_on": START.isoformat(), "months": 6}
    assert client.post(f"{API}/prises-en-charge/{pec}/prescriptions", json=rx).status_code == 201
    return answer.json()["patient_id"], pec


def _weights(engine: sa.Engine, patient: int) -> None:
    """A weight every morning since the start, and a gain of 3.22 kg two days ago."""
    days = (NOW.date() - START).days
    batch = []
    for n in range(days):
        moment = dt.datetime.combine(START + dt.timedelta(days=n), dt.time(6), tzinfo=dt.UTC)
        kg = HIGH_KG if n >= days - 2 else BASE_KG
        batch.append(reading.Reading(patient, 1, reading.millis(moment), kg))
    with database.writing(engine) as conn:
        readings.store(conn, batch)


def _alert_of(engine: sa.Engine, patient: int) -> int:
    a = tables.alerts.c
    with engine.connect() as conn:
        found = conn.execute(sa.select(a.id).where(a.patient_id == patient).order_by(a.id))
        return int(found.scalars().first() or 0)


def _clinical_markers(engine: sa.Engine) -> set[str]:
    """Every reading value and every alert's message and observed value, as text."""
    markers = {f"{v}" for v in (BASE_KG, HIGH_KG)}
    markers |= {f"{v}".replace(".", ",") for v in (BASE_KG, HIGH_KG)}
    a = tables.alerts.c
    with engine.connect() as conn:
        for message, observed in conn.execute(sa.select(a.message, a.observed)):
            markers.add(message)
            if observed is not None:
                markers |= {f"{observed:g}", f"{observed:g}".replace(".", ",")}
    return markers


@pytest.fixture
def world(engine: sa.Engine, make_client: ClientFactory, regulation: store.Regulation) -> World:
    admin = make_client(role="administrateur", now=_now)
    op = _created(admin, "/operateurs", {"name": "Cabinet SYNTHÉTIQUE", "kind": "liberal"})
    declared = admin.post(
        f"{API}/operateurs/{op}/ars-declaration", json={"received_on": "2024-01-15"}
    )
    assert declared.status_code == 200, declared.text
    doctor = _created(
        admin,
        f"/operateurs/{op}/members",
        {
            "family": "Dupont",
            "given": "Anne",
            "profession": "medecin",
            "rpps": "10003456786",
            "speciality": "cardiologue",
        },
    )
    expl, dmn = _exploitant(admin, op, "Fabricant A", delegated=True)
    other_expl, other_dmn = _exploitant(admin, op, "Fabricant B", delegated=True)
    patient, pec = _include(admin, regulation, op, doctor, dmn, "DANSPERIMETRE", "2500375000123")
    other_nir13 = "2500375000456"
    other, other_pec = _include(admin, regulation, op, doctor, other_dmn, OTHER_FAMILY, other_nir13)
    for p in (patient, other):
        _weights(engine, p)
    pending.catch_up(evaluation.SqlAlerts(engine), ruleset.packaged(), NOW)
    alert, other_alert = _alert_of(engine, patient), _alert_of(engine, other)
    assert alert, "the weight gain opened no alert"
    assert other_alert, "the weight gain opened no alert"
    medecin = make_client(role="medecin", now=_now)
    acked = medecin.post(f"/api/alerts/{alert}/acknowledge", json={"note": ACK_NOTE})
    assert acked.status_code == 200, acked.text
    noted = medecin.post(f"/ui/patients/{patient}/notes", data={"body": CARE_NOTE})
    assert noted.status_code in (200, 303), noted.text
    session = {"held_on": "2026-09-02", "given_by": doctor, "topic": TOPIC}
    assert (
        medecin.post(f"{API}/prises-en-charge/{pec}/support-sessions", json=session).status_code
        == 201
    )
    majoration = {"level": 2, "since": "2026-09-01", "attested_by": doctor, "criterion": CRITERION}
    assert (
        medecin.post(f"{API}/prises-en-charge/{pec}/majorations", json=majoration).status_code
        == 201
    )
    # a first billing run (the first period); facturation's own run below bills the next one
    first = admin.post("/api/billing/runs", json={"until": "2026-10-15"})
    assert first.status_code == 200, first.text
    assert first.json()["written"], "nothing billable: the billing answers would be empty"
    found = World(
        op, doctor, expl, other_expl, patient, other, pec, other_pec, alert, other_alert,
        w.nir(other_nir13),
    )  # fmt: skip
    found.forbidden = _clinical_markers(engine) | {ACK_NOTE, CARE_NOTE, TOPIC, CRITERION}
    return found


# --- the calls ------------------------------------------------------------------------------

Call = tuple[str, str, dict[str, Any]]


def _line_id(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT min(id) FROM billing_lines")).scalar_one())


#: route name → the requests that exercise it, given the world (a route open to facturation
#: or exploitant with patient data and no entry here fails `test_every_route_is_called`).
CALLS: dict[str, Callable[[World, sa.Engine], list[Call]]] = {
    "billing.run": lambda x, e: [("POST", "/api/billing/runs", {"json": {"until": "2026-11-22"}})],
    "billing.lines": lambda x, e: [("GET", "/api/billing/lines", {})],
    "billing.reverse": lambda x, e: [
        ("POST", f"/api/billing/lines/{_line_id(e)}/reversal", {"json": {"reason": "erreur"}})
    ],
    "billing.mark": lambda x, e: [
        (
            "POST",
            "/api/billing/lines/status",
            {"json": {"line_ids": [_line_id(e)], "status": "sent"}},
        )
    ],
    "billing.audit": lambda x, e: [("GET", "/api/billing/audit", {})],
    "billing.forecast": lambda x, e: [("GET", "/api/billing/forecast", {})],
    "billing.exploitant": lambda x, e: [("GET", f"/api/billing/exploitants/{x.exploitant}", {})],
    "billing.export_operateur": lambda x, e: [
        ("GET", f"/api/billing/exports/operateurs/{x.operateur}", {"params": {"format": f}})
        for f in ("csv", "json", "fhir")
    ],
    "billing.export_exploitant": lambda x, e: [
        ("GET", f"/api/billing/exports/exploitants/{x.exploitant}", {"params": {"format": f}})
        for f in ("csv", "json", "fhir")
    ],
    "fhir.patient.create": lambda x, e: [
        ("POST", "/fhir/Patient", {"json": resources.patient(nir=None, family="NOUVEAU")})
    ],
    "fhir.patient.update": lambda x, e: [
        (
            "PUT",
            f"/fhir/Patient/{x.patient}",
            {"json": {**resources.patient(nir=None, family="DANSPERIMETRE"), "id": str(x.patient)}},
        )
    ],
    "fhir.patient.search": lambda x, e: [("GET", "/fhir/Patient", {})],
    "fhir.patient.read": lambda x, e: [("GET", f"/fhir/Patient/{x.patient}", {})],
    "pathway.view": lambda x, e: [("GET", f"{API}/prises-en-charge/{x.pec}", {})],
    "pathway.tasks": lambda x, e: [("GET", f"{API}/prises-en-charge/{x.pec}/tasks", {})],
    "pathway.task_done": lambda x, e: [
        (
            "POST",
            f"{API}/prises-en-charge/{x.pec}/tasks/done",
            {
                "json": {
                    "kind": "point_de_controle_observance",
                    "due_on": "2026-10-01",
                    "done_on": "2026-10-02",
                }
            },
        )
    ],
    "alerts.prefilter": lambda x, e: [
        (
            "POST",
            f"/api/alerts/{x.alert}/prefilter",
            {"json": {"verdict": "artefact", "note": "capteur"}},
        )
    ],
    "dashboard.billing": lambda x, e: [("GET", "/ui/billing", {})],
    # issue 16: the billing desk and the exploitant's workspace (forms answer 303 to a page)
    "dashboard.desk": lambda x, e: [("GET", "/ui/desk", {}), ("GET", "/ui/desk?billable=no", {})],
    "dashboard.desk_mark": lambda x, e: [
        ("POST", "/ui/desk/lines", {"data": {"status": "sent", "ids": ["1", "2"]}})
    ],
    "dashboard.exploitant": lambda x, e: [
        ("GET", "/ui/exploitant", {}),
        ("GET", "/ui/exploitant?simulate=120", {}),
    ],
    "dashboard.exploitant_prefilter": lambda x, e: [
        ("POST", f"/ui/exploitant/alerts/{x.alert}/prefilter", {"data": {"verdict": "artefact"}})
    ],
}


def _routes(app: FastAPI) -> set[tuple[str, str]]:
    found = set()
    for route in routing.iter_route_contexts(app.routes):
        if isinstance(route.original_route, Mount):
            continue
        for method in route.methods or {"GET"}:
            if method != "HEAD":
                found.add((str(route.name), method))
    return found


def _opened_to(app: FastAPI, role: Role) -> list[str]:
    """Routes of the app that return patient data and that `role` may call."""
    table = matrix.packaged()
    who = roles.Principal(roles.Kind.TOKEN, 1, "t", role, exploitant_id=1)
    names = set()
    for name, _method in _routes(app):
        rule = table.rule(name)
        if (
            rule is not None
            and rule.patient_data
            and table.decide(name, who) is matrix.Decision.ALLOW
        ):
            names.add(name)
    return sorted(names)


def test_every_route_is_called(make_client: ClientFactory) -> None:
    app = make_client().app
    assert isinstance(app, FastAPI)
    missing = sorted({n for r in RESTRICTED for n in _opened_to(app, r)} - set(CALLS))
    assert missing == [], (
        f"routes returning patient data to facturation/exploitant not tested: {missing}"
    )


def _text(answer: httpx.Response) -> str:
    try:
        return json.dumps(answer.json(), ensure_ascii=False)
    except ValueError:
        return answer.text


@pytest.mark.parametrize("role", RESTRICTED, ids=lambda r: r.value)
def test_no_clinical_value_note_or_other_patient_reaches_a_restricted_role(
    engine: sa.Engine, make_client: ClientFactory, world: World, role: Role
) -> None:
    client = make_client(
        role=role.value,
        now=_now,
        exploitant_id=world.exploitant if role is Role.EXPLOITANT else None,
    )
    app = client.app
    assert isinstance(app, FastAPI)
    forbidden = set(world.forbidden)
    if role is Role.EXPLOITANT:
        forbidden |= {OTHER_FAMILY, world.other_nir}
    answered = []
    for name in _opened_to(app, role):
        for method, path, options in CALLS[name](world, engine):
            answer = client.request(method, path, follow_redirects=False, **options)
            if answer.status_code == 303 and answer.headers["location"].startswith("/ui/"):
                # a dashboard form answers with the page it goes back to: that page is checked
                answer = client.get(answer.headers["location"], follow_redirects=False)
            assert answer.status_code < 500, (name, answer.text)
            text = _text(answer)
            leaked = sorted(m for m in forbidden if m and m in text)
            assert leaked == [], f"{name} {method} {path} as {role.value} leaks {leaked}"
            answered.append((name, answer.status_code))
    # not vacuous: the calls were answered with data
    ok = {name for name, status in answered if 200 <= status < 300}
    assert ok == set(_opened_to(app, role)), answered


def test_the_exploitants_prefilter_answer_keeps_transmission_facts_only(
    make_client: ClientFactory, world: World
) -> None:
    """The reported leak: after a médecin's acknowledgement with a note, the exploitant's
    pre-filter answer held the whole alert view."""
    client = make_client(role="exploitant", exploitant_id=world.exploitant, now=_now)
    answer = client.post(f"/api/alerts/{world.alert}/prefilter", json={"verdict": "artefact"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["id"] == world.alert
    assert body["status"] == "acknowledged"
    assert body["prefilter"]["verdict"] == "artefact"
    assert body["implicated"]  # which readings, when: transmission facts
    for hidden in ("message", "observed", "transitions", "decision", "severity", "indication"):
        assert hidden not in body, hidden
    medecin = make_client(role="medecin", now=_now)
    whole = medecin.get(f"/api/alerts/{world.alert}").json()
    assert whole["transitions"][-1]["note"] == ACK_NOTE
    assert whole["message"]


def test_the_exploitant_cannot_prefilter_another_exploitants_patient(
    make_client: ClientFactory, world: World
) -> None:
    client = make_client(role="exploitant", exploitant_id=world.exploitant, now=_now)
    answer = client.post(f"/api/alerts/{world.other_alert}/prefilter", json={"verdict": "artefact"})
    assert answer.status_code == 403
    assert OTHER_FAMILY not in answer.text


def test_the_exploitants_billing_page_shows_its_own_patients_only(
    make_client: ClientFactory, world: World
) -> None:
    page = make_client(role="exploitant", exploitant_id=world.exploitant, now=_now).get(
        "/ui/billing"
    )
    assert page.status_code == 200
    assert "DANSPERIMETRE" in page.text
    assert OTHER_FAMILY not in page.text
    whole = make_client(role="facturation", now=_now).get("/ui/billing")
    assert OTHER_FAMILY in whole.text


def test_facturation_sees_the_prise_en_charge_without_care_team_text(
    make_client: ClientFactory, world: World
) -> None:
    view = make_client(role="facturation", now=_now).get(f"{API}/prises-en-charge/{world.pec}")
    assert view.status_code == 200
    body = view.json()
    assert body["majorations"][0]["level"] == 2
    assert "criterion" not in body["majorations"][0]
    assert body["sessions"][0]["held_on"] == "2026-09-02"
    assert "topic" not in body["sessions"][0]
    whole = make_client(role="medecin", now=_now).get(f"{API}/prises-en-charge/{world.pec}").json()
    assert (whole["majorations"][0]["criterion"], whole["sessions"][0]["topic"]) == (
        CRITERION,
        TOPIC,
    )


# --- the table itself -----------------------------------------------------------------------


def test_a_field_added_to_a_record_later_stays_hidden() -> None:
    table = projection.packaged()
    line = {"id": 1, "amount_cents": 2800, "poids_kg": 73.91}
    assert table.project("billing_line", Role.FACTURATION, line) == {"id": 1, "amount_cents": 2800}


def test_a_role_without_a_record_kind_gets_none_of_it() -> None:
    with pytest.raises(projection.Hidden):
        projection.packaged().project("alert", Role.FACTURATION, {"id": 1})
    with pytest.raises(projection.Hidden):
        projection.packaged().project("billing_line", Role.PATIENT, {"id": 1})


def test_the_care_team_sees_whole_records() -> None:
    alert = {"id": 1, "message": "Prise de poids", "transitions": [{"note": "n"}]}
    assert projection.packaged().project("alert", Role.MEDECIN, alert) == alert


def test_every_route_of_the_table_exists(make_client: ClientFactory) -> None:
    app = make_client().app
    assert isinstance(app, FastAPI)
    names = {name for name, _ in _routes(app)}
    assert sorted(set(projection.packaged().routes) - names) == []


def test_a_malformed_table_is_refused() -> None:
    good = "full: [medecin]\nscopes: {}\nrecords:\n  r:\n    facturation: [a]\nroutes:\n  x: r\n"
    projection.parse(good)
    for bad in (
        good.replace("routes:\n  x: r", "routes:\n  x: nowhere"),
        good.replace("facturation: [a]", "facturation: [{a: nowhere}]"),
        good.replace("facturation", "comptable"),
        good.replace("facturation", "medecin"),
        good + "extra: 1\n",
    ):
        with pytest.raises(projection.ProjectionError):
            projection.parse(bad)


def test_scopes_keep_an_exploitants_own_rows() -> None:
    table = projection.packaged()
    assert table.in_scope(Role.EXPLOITANT, 3, {"exploitant_id": 3})
    assert not table.in_scope(Role.EXPLOITANT, 3, {"exploitant_id": 4})
    assert not table.in_scope(Role.EXPLOITANT, None, {"exploitant_id": None})
    assert table.in_scope(Role.FACTURATION, None, {"exploitant_id": 4})
