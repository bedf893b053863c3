"""The triage queue records decisions: a closure needs its decision (visible, required) and
keeps its comment; times and who show in the queue and the history; alerts are assigned,
filtered and acknowledged several at once, each by compare-and-set."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.alerts import tables
from telesurveillance.adapters.sql.security import tables as security_tables
from telesurveillance.domain.measures import reading
from tests.conftest import ClientFactory
from tests.web.dashboard.conftest import NOW, TODAY, AddPatient, clock
from tests.web.dashboard.test_alert_actions import _alert


def _opened_hours_ago(engine: sa.Engine, alert_id: int, hours: float) -> None:
    at = reading.millis(NOW - dt.timedelta(hours=hours))
    with database.writing(engine) as conn:
        conn.execute(
            sa.update(tables.alerts).where(tables.alerts.c.id == alert_id).values(opened_at=at)
        )


def _account(engine: sa.Engine, name: str, role: str, active: bool = True) -> int:
    with database.writing(engine) as conn:
        return int(
            conn.execute(
                sa.insert(security_tables.accounts).returning(security_tables.accounts.c.id),
                {
                    "username": name.lower().replace(" ", "."),
                    "display_name": name,
                    "role": role,
                    "active": active,
                    "created_at": NOW,
                },
            ).scalar_one()
        )


def _history(engine: sa.Engine, alert_id: int) -> list[tuple[str, str | None, str | None]]:
    t = tables.alert_transitions.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.to_status, t.decision, t.note).where(t.alert_id == alert_id).order_by(t.id)
        )
        return [(r[0], r[1], r[2]) for r in rows]


def test_the_decision_is_a_visible_required_field_with_a_comment_box(
    engine: sa.Engine, make_client: ClientFactory, add_patient: AddPatient
) -> None:
    _alert(engine, add_patient("insuffisance_cardiaque", TODAY, [TODAY]))
    html = make_client(role="medecin", now=clock).get("/ui/alerts").text
    form = html.split('class="close-form"')[1].split("</form>")[0]
    assert '<label for="decision-' in form
    assert 'name="decision" required' in form
    assert '<option value="">— choisir —</option>' in form
    assert 'name="note"' in form
    assert 'class="sr"' not in form


def test_a_closure_records_the_decision_chosen_and_the_comment_typed(
    engine: sa.Engine, make_client: ClientFactory, add_patient: AddPatient
) -> None:
    alert = _alert(engine, add_patient("insuffisance_cardiaque", TODAY, [TODAY]))
    client = make_client(role="medecin", now=clock)
    data = {"action": "close", "decision": "treatment_adjusted", "note": "  Furosémide +20 mg  "}
    done = client.post(f"/ui/alerts/{alert}", data=data, follow_redirects=False)
    assert done.headers["location"] == "/ui/alerts?done=done"
    assert _history(engine, alert)[-1] == ("closed", "treatment_adjusted", "Furosémide +20 mg")


def test_a_closure_without_a_decision_changes_nothing_and_keeps_the_comment(
    engine: sa.Engine, make_client: ClientFactory, add_patient: AddPatient
) -> None:
    alert = _alert(engine, add_patient("insuffisance_cardiaque", TODAY, [TODAY]))
    client = make_client(role="medecin", now=clock)
    page = client.post(f"/ui/alerts/{alert}", data={"action": "close", "note": "Rappeler lundi"})
    assert page.status_code == 422
    assert "Choisissez la décision prise" in page.text
    assert ">Rappeler lundi</textarea>" in page.text
    assert _history(engine, alert) == []


def test_a_comment_of_the_longest_length_is_kept_and_one_longer_is_refused(
    engine: sa.Engine, make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("insuffisance_cardiaque", TODAY, [TODAY])
    first = _alert(engine, patient)
    client = make_client(role="medecin", now=clock)
    longer = {"action": "close", "decision": "no_action", "note": "x" * 2001}
    assert client.post(f"/ui/alerts/{first}", data=longer).status_code == 422
    assert _history(engine, first) == []
    longest = {"action": "close", "decision": "no_action", "note": "x" * 2000}
    client.post(f"/ui/alerts/{first}", data=longest)
    assert _history(engine, first)[-1] == ("closed", "no_action", "x" * 2000)


def test_the_queue_and_the_history_show_when_and_who(
    engine: sa.Engine, make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("insuffisance_cardiaque", TODAY, [TODAY])
    alert = _alert(engine, patient)
    client = make_client(role="medecin", now=clock)
    client.post(f"/ui/alerts/{alert}", data={"action": "acknowledge"})
    opened = NOW.astimezone(dt.timezone(dt.timedelta(hours=1))).strftime("%d/%m/%Y %H:%M")
    queue = client.get("/ui/alerts").text
    assert f"Ouverte le {opened}" in queue
    assert f"Prise en compte le {opened} par test medecin" in queue
    client.post(
        f"/ui/alerts/{alert}", data={"action": "close", "decision": "referred", "note": "Cardio"}
    )
    page = client.get(f"/ui/patients/{patient}").text
    assert f"<time>{opened}</time> — clôturée" in page
    assert "<strong>Adressé</strong>" in page
    assert '<q class="comment">Cardio</q>' in page


def test_an_alert_is_assigned_to_an_active_care_team_member_only(
    engine: sa.Engine, make_client: ClientFactory, add_patient: AddPatient
) -> None:
    alert = _alert(engine, add_patient("insuffisance_cardiaque", TODAY, [TODAY]))
    nurse = _account(engine, "Inès Infirmière", "soignant")
    gone = _account(engine, "Ancien Médecin", "medecin", active=False)
    biller = _account(engine, "Fanny Facturation", "facturation")
    client = make_client(role="medecin", now=clock)
    queue = client.get("/ui/alerts").text
    assert "Inès Infirmière" in queue
    assert "Ancien Médecin" not in queue
    assert "Fanny Facturation" not in queue
    for refused in (gone, biller):
        sent = {"assignee": str(refused), "expected": ""}
        moved = client.post(f"/ui/alerts/{alert}/assign", data=sent, follow_redirects=False)
        assert moved.headers["location"] == "/ui/alerts?done=forbidden"
    done = client.post(f"/ui/alerts/{alert}/assign", data={"assignee": str(nurse), "expected": ""})
    assert "Alerte assignée." in done.text
    with engine.connect() as conn:
        assigned = conn.execute(
            sa.select(tables.alerts.c.assignee_id).where(tables.alerts.c.id == alert)
        ).scalar()
    assert assigned == nurse


def test_assigning_from_a_stale_page_is_a_conflict(
    engine: sa.Engine, make_client: ClientFactory, add_patient: AddPatient
) -> None:
    alert = _alert(engine, add_patient("insuffisance_cardiaque", TODAY, [TODAY]))
    first = _account(engine, "Alice Médecin", "medecin")
    second = _account(engine, "Bruno Médecin", "medecin")
    client = make_client(role="medecin", now=clock)
    client.post(f"/ui/alerts/{alert}/assign", data={"assignee": str(first), "expected": ""})
    late = client.post(f"/ui/alerts/{alert}/assign", data={"assignee": str(second), "expected": ""})
    assert "Quelqu&#39;un a agi sur cette alerte avant vous" in late.text
    sent = {"assignee": str(second), "expected": str(first)}
    assert "Alerte assignée." in client.post(f"/ui/alerts/{alert}/assign", data=sent).text


def test_the_queue_filters_by_severity_indication_assignee_and_age(
    engine: sa.Engine, make_client: ClientFactory, add_patient: AddPatient
) -> None:
    high = _alert(engine, add_patient("insuffisance_cardiaque", TODAY, [TODAY], family="Haut"))
    low = _alert(engine, add_patient("insuffisance_cardiaque", TODAY, [TODAY], family="Bas"), "low")
    _opened_hours_ago(engine, high, 24)
    _opened_hours_ago(engine, low, 23.9)
    nurse = _account(engine, "Inès Infirmière", "soignant")
    client = make_client(role="medecin", now=clock)
    client.post(f"/ui/alerts/{low}/assign", data={"assignee": str(nurse), "expected": ""})

    def shown(query: str) -> set[str]:
        html = client.get(f"/ui/alerts?{query}").text
        return {name for name in ("HAUT", "BAS") if name in html.split("<tbody>")[-1]}

    assert shown("") == {"HAUT", "BAS"}
    assert shown("severity=high") == {"HAUT"}
    assert shown("severity=low") == {"BAS"}
    assert shown("indication=insuffisance_cardiaque") == {"HAUT", "BAS"}
    assert shown("indication=diabete") == set()
    assert shown(f"assignee={nurse}") == {"BAS"}
    assert shown("assignee=none") == {"HAUT"}
    assert shown("age=24h") == {"HAUT"}
    assert "1 sur 2 alertes non clôturées" in client.get("/ui/alerts?age=24h").text


def test_several_alerts_are_acknowledged_at_once_and_a_closed_one_is_counted_apart(
    engine: sa.Engine, make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("insuffisance_cardiaque", TODAY, [TODAY])
    other = add_patient("insuffisance_cardiaque", TODAY, [TODAY], family="Autre")
    first, second = _alert(engine, patient), _alert(engine, other)
    client = make_client(role="soignant", now=clock)
    client.post(f"/ui/alerts/{second}", data={"action": "acknowledge"})
    moved = client.post(
        "/ui/triage/acknowledge",
        data={"ids": [str(first), str(second), "999999"]},
        follow_redirects=False,
    )
    location = moved.headers["location"]
    assert location == "/ui/alerts?done=bulk&acknowledged=1&conflicts=1&missing=1"
    page = client.get(location).text
    assert "1 alerte prise en compte." in page
    assert "1 alerte avait déjà été traitée par quelqu&#39;un d&#39;autre." in page
    assert [s for s, _, _ in _history(engine, first)] == ["acknowledged"]


def test_acknowledging_nothing_ticked_says_so(make_client: ClientFactory) -> None:
    page = make_client(role="medecin", now=clock).post("/ui/triage/acknowledge", data={})
    assert "Cochez au moins une alerte" in page.text


def test_a_biller_may_not_acknowledge_or_assign(
    engine: sa.Engine, make_client: ClientFactory, add_patient: AddPatient
) -> None:
    alert = _alert(engine, add_patient("insuffisance_cardiaque", TODAY, [TODAY]))
    client = make_client(role="facturation", now=clock)
    sent = client.post("/ui/triage/acknowledge", data={"ids": [str(alert)]}, follow_redirects=False)
    assert sent.status_code == 403
    assigned = client.post(
        f"/ui/alerts/{alert}/assign", data={"assignee": ""}, follow_redirects=False
    )
    assert assigned.status_code == 403
