"""The patient's own page: entries through the ingestion service, refusals next to their
field, their own curves and entries, the team's instructions, nothing of anyone else."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from telesurveillance.adapters.sql.alerts import tables as alert_tables
from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.patient_space import tables as space_tables
from tests.conftest import ClientFactory
from tests.web.dashboard.conftest import NOW, TODAY, AddPatient, clock

SINCE = TODAY - dt.timedelta(days=10)


def _readings(engine: sa.Engine, patient: int) -> list[tuple[int, float]]:
    r = tables.readings.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(r.kind, r.value).where(r.patient_id == patient).order_by(r.ts, r.kind)
        ).all()
    return [(row.kind, row.value) for row in rows]


def _entries(engine: sa.Engine) -> list[tuple[int, int, str]]:
    e = space_tables.patient_entries.c
    with engine.connect() as conn:
        rows = conn.execute(sa.select(e.patient_id, e.kind, e.entered_by).order_by(e.id)).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_a_patient_enters_a_weight_stored_as_a_reading_marked_patient_entered(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    client = make_client("patient", patient_id=patient, now=clock)
    answer = client.post("/moi/saisie/weight", data={"weight": "72,4"}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/moi?done=weight#h-weight"
    assert _readings(engine, patient) == [(1, 72.4)]
    assert [(p, k) for p, k, _by in _entries(engine)] == [(patient, 1)]
    assert _entries(engine)[0][2].startswith("token/")
    page = client.get("/moi?done=weight").text
    assert "Votre poids est enregistré" in page
    assert "72,4" in page.split('id="h-entries"', 1)[1]


def test_a_blood_pressure_with_its_pulse_is_three_readings_at_one_instant(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    client = make_client("patient", patient_id=patient, now=clock)
    data = {"systolic": "128", "diastolic": "79", "pulse": "66"}
    answer = client.post("/moi/saisie/pressure", data=data, follow_redirects=False)
    assert answer.status_code == 303
    assert _readings(engine, patient) == [(2, 128.0), (3, 79.0), (4, 66.0)]


def test_the_pulse_is_optional(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    client = make_client("patient", patient_id=patient, now=clock)
    data = {"systolic": "128", "diastolic": "79", "pulse": ""}
    assert client.post("/moi/saisie/pressure", data=data, follow_redirects=False).is_redirect
    assert _readings(engine, patient) == [(2, 128.0), (3, 79.0)]


def test_an_implausible_weight_is_refused_next_to_its_field_in_french_keeping_what_was_typed(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    client = make_client("patient", patient_id=patient, now=clock)
    answer = client.post("/moi/saisie/weight", data={"weight": "400,1"})
    assert answer.status_code == 422
    assert 'id="err-weight"' in answer.text
    assert "comprise entre 0,3 et 400 kg" in answer.text
    assert 'value="400,1"' in answer.text
    assert _readings(engine, patient) == []
    assert _entries(engine) == []


def test_the_plausible_bounds_themselves_are_accepted(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    client = make_client("patient", patient_id=patient, now=clock)
    assert client.post("/moi/saisie/weight", data={"weight": "400"}).status_code == 200
    assert _readings(engine, patient) == [(1, 400.0)]


def test_a_diastolic_above_the_systolic_is_refused_on_the_diastolic_field(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    client = make_client("patient", patient_id=patient, now=clock)
    answer = client.post("/moi/saisie/pressure", data={"systolic": "80", "diastolic": "81"})
    assert answer.status_code == 422
    assert 'id="err-diastolic"' in answer.text
    assert "ne peut pas dépasser la systolique" in answer.text
    equal = client.post("/moi/saisie/pressure", data={"systolic": "80", "diastolic": "80"})
    assert equal.status_code == 200
    assert _readings(engine, patient) == [(2, 80.0), (3, 80.0)]


def test_text_that_is_not_a_number_is_named_in_the_refusal(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    client = make_client("patient", patient_id=patient, now=clock)
    answer = client.post("/moi/saisie/pressure", data={"systolic": "douze", "diastolic": ""})
    assert answer.status_code == 422
    assert "« douze » n&#39;est pas un nombre" in answer.text
    assert 'id="err-diastolic"' in answer.text


def test_a_patient_id_in_the_form_is_ignored_the_entry_is_the_principals(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    mine = add_patient("insuffisance_cardiaque", SINCE, [])
    other = add_patient("insuffisance_cardiaque", SINCE, [], family="Martin")
    client = make_client("patient", patient_id=mine, now=clock)
    data = {"weight": "70", "patient": str(other), "patient_id": str(other)}
    assert client.post("/moi/saisie/weight", data=data, follow_redirects=False).is_redirect
    assert _readings(engine, other) == []
    assert _readings(engine, mine) == [(1, 70.0)]


def test_a_low_systolic_entered_by_the_patient_raises_the_alert_of_the_indication(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    client = make_client("patient", patient_id=patient, now=clock)
    client.post("/moi/saisie/pressure", data={"systolic": "85", "diastolic": "50"})
    a = alert_tables.alerts.c
    with engine.connect() as conn:
        rules = conn.execute(sa.select(a.rule_id).where(a.patient_id == patient)).scalars().all()
    assert "ic.pas.basse" in rules


def test_the_heart_failure_questionnaire_counts_the_symptoms_and_alerts_from_three(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    client = make_client("patient", patient_id=patient, now=clock)
    page = client.get("/moi").text
    assert "Plus d&#39;essoufflement que d&#39;habitude" in page
    items = ["essoufflement", "orthopnee", "reveil_nocturne", "oedemes", "fatigue"]
    data = {f"item_{i}": "non" for i in items} | {"item_toux_nocturne": "non"}
    data |= {"questionnaire": "symptomes-insuffisance-cardiaque"}
    data |= {"item_essoufflement": "oui", "item_oedemes": "oui"}
    assert client.post("/moi/saisie/questionnaire", data=data, follow_redirects=False).is_redirect
    assert _readings(engine, patient) == [(13, 2.0)]
    a = alert_tables.alerts.c
    with engine.connect() as conn:
        found = conn.execute(sa.select(a.rule_id).where(a.patient_id == patient)).scalars()
        assert "ic.symptomes.score" not in list(found)
    later = make_client("patient", patient_id=patient, now=lambda: NOW + dt.timedelta(hours=1))
    data |= {"item_fatigue": "oui"}
    assert later.post("/moi/saisie/questionnaire", data=data, follow_redirects=False).is_redirect
    with engine.connect() as conn:
        found = conn.execute(sa.select(a.rule_id).where(a.patient_id == patient)).scalars()
        assert "ic.symptomes.score" in list(found)


def test_an_unanswered_question_is_refused_next_to_it_and_nothing_is_stored(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    client = make_client("patient", patient_id=patient, now=clock)
    data = {"questionnaire": "symptomes-insuffisance-cardiaque", "item_essoufflement": "oui"}
    answer = client.post("/moi/saisie/questionnaire", data=data)
    assert answer.status_code == 422
    assert 'id="err-item_orthopnee"' in answer.text
    assert _readings(engine, patient) == []


def test_a_questionnaire_of_another_indication_is_refused(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("diabete", SINCE, [])
    client = make_client("patient", patient_id=patient, now=clock)
    assert "h-questionnaire" not in client.get("/moi").text
    data = {"questionnaire": "symptomes-oncologie-grade-max", "item_nausees": "grade3"}
    answer = client.post("/moi/saisie/questionnaire", data=data)
    assert answer.status_code == 422
    assert _readings(engine, patient) == []


def test_the_curves_hold_the_patients_own_readings_only(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    mine = add_patient("insuffisance_cardiaque", SINCE, [TODAY - dt.timedelta(days=1)])
    add_patient("insuffisance_cardiaque", SINCE, [TODAY - dt.timedelta(days=2)])  # another
    client = make_client("patient", patient_id=mine, now=clock)
    client.post("/moi/saisie/weight", data={"weight": "71"})
    series = client.get("/moi/courbes").json()["series"]
    assert [s["kind"] for s in series] == ["poids"]
    assert [v for v in series[0]["y"] if v is not None] == [70.0, 71.0]
    assert series[0]["thresholds"] == []


def test_the_team_instructions_are_shown_to_the_patient_newest_first(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    team = make_client("medecin", now=clock)
    for text in ("Pesez-vous chaque matin.", "Diurétique : 1 comprimé de plus si +2 kg."):
        answer = team.post(
            f"/ui/patients/{patient}/espace-patient/consignes",
            data={"body": text},
            follow_redirects=False,
        )
        assert "done=instruction_saved" in answer.headers["location"]
    page = make_client("patient", patient_id=patient, now=clock).get("/moi").text
    shown = page.split('id="h-instructions"', 1)[1]
    assert shown.index("Diurétique") < shown.index("Pesez-vous")


def test_another_patients_instructions_and_entries_never_show(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    mine = add_patient("insuffisance_cardiaque", SINCE, [])
    other = add_patient("insuffisance_cardiaque", SINCE, [], family="Martin")
    make_client("medecin", now=clock).post(
        f"/ui/patients/{other}/espace-patient/consignes", data={"body": "Consigne de Martin."}
    )
    make_client("patient", patient_id=other, now=clock).post(
        "/moi/saisie/weight", data={"weight": "99,9"}
    )
    page = make_client("patient", patient_id=mine, now=clock).get("/moi").text
    assert "Consigne de Martin." not in page
    assert "99,9" not in page


def test_the_patient_opens_no_care_team_page(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    mine = add_patient("insuffisance_cardiaque", SINCE, [])
    other = add_patient("insuffisance_cardiaque", SINCE, [], family="Martin")
    client = make_client("patient", patient_id=mine, now=clock)
    for path in (
        "/ui/worklist",
        f"/ui/patients/{mine}",
        f"/ui/patients/{other}",
        f"/ui/patients/{mine}/espace-patient",
        f"/ui/patients/{other}/series",
        "/ui/alerts",
    ):
        assert client.get(path).status_code == 403, path
    answer = client.post(f"/ui/patients/{mine}/espace-patient/liens", data={"days": "7"})
    assert answer.status_code == 403


def test_the_patient_lands_on_their_page_and_the_menu_offers_it(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    client = make_client("patient", patient_id=patient, now=clock)
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 303
    assert home.headers["location"] == "/moi"
    page = client.get("/moi").text
    assert "Bonjour Jeanne" in page
    assert 'href="/moi"' in page


def test_a_principal_without_a_patient_has_no_page_here(make_client: ClientFactory) -> None:
    assert make_client("administrateur", now=clock).get("/moi").status_code == 404


def test_the_page_is_complete_in_english(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("oncologie", SINCE, [])
    client = make_client("patient", patient_id=patient, now=clock)
    client.cookies.set("tsv_lang", "en")
    page = client.get("/moi").text
    for text in ("Hello Jeanne", "My weight", "My blood pressure", "My side effects", "Nausea"):
        assert text in page
    assert "Mon poids" not in page
