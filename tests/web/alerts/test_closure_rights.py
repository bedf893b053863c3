"""Who may close an alert medically comes from the server only (issue 12, finding 3).

A soignant closes medically only when a protocole de coopération stored for the opérateur and in
force that Paris day delegates the closure; nothing the client sends (`cooperation`, `actor`,
`role`) counts. The same rule answers the JSON API and the dashboard's close button.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from fastapi import HTTPException
from starlette.requests import Request

from telesurveillance.adapters.sql.alerts import tables
from telesurveillance.domain.measures import reading
from telesurveillance.web import billing as web_billing
from telesurveillance.web.alerts import api
from tests.adapters.alerts import seed
from tests.conftest import ClientFactory

TODAY = dt.date(2026, 2, 10)
NOW = seed.at(TODAY, 12)
DAY = dt.timedelta(days=1)


def _now() -> dt.datetime:
    return NOW


def _alert(engine: sa.Engine) -> tuple[int, int]:
    """An opérateur and an open alert of one of its patients."""
    op = seed.operateur(engine)
    pid = seed.patient(engine, op, "insuffisance_respiratoire")
    seed.ingest(engine, [reading.Reading(pid, seed.SPO2, seed.ts(NOW), 80.0)], NOW)
    [row] = seed.alert_rows(engine)
    return op, int(row.id)


def _status(engine: sa.Engine, alert_id: int) -> str:
    a = tables.alerts.c
    with engine.connect() as conn:
        return str(conn.execute(sa.select(a.status).where(a.id == alert_id)).scalar_one())


def _close_api(make_client: ClientFactory, alert_id: int) -> int:
    client = make_client(role="soignant", now=_now)
    return client.post(f"/api/alerts/{alert_id}/close", json={"decision": "no_action"}).status_code


def _close_dashboard(make_client: ClientFactory, alert_id: int) -> str:
    """The outcome code the dashboard's close button leads to (`done=…` of the redirect)."""
    client = make_client(role="soignant", now=_now)
    answer = client.post(
        f"/ui/alerts/{alert_id}",
        data={"action": "close", "decision": "no_action"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return answer.headers["location"].rsplit("done=", 1)[1]


# --- without a protocol ---------------------------------------------------------------------


def test_a_soignant_without_protocol_cannot_close_through_the_api(
    engine: sa.Engine, make_client: ClientFactory
) -> None:
    _op, alert_id = _alert(engine)
    assert _close_api(make_client, alert_id) == 403
    assert _status(engine, alert_id) == "open"


def test_a_soignant_without_protocol_cannot_close_from_the_dashboard(
    engine: sa.Engine, make_client: ClientFactory
) -> None:
    _op, alert_id = _alert(engine)
    assert _close_dashboard(make_client, alert_id) == "forbidden"
    assert _status(engine, alert_id) == "open"


def test_a_soignant_claiming_cooperation_in_the_body_is_refused(
    engine: sa.Engine, make_client: ClientFactory
) -> None:
    _op, alert_id = _alert(engine)
    client = make_client(role="soignant", now=_now)
    answer = client.post(
        f"/api/alerts/{alert_id}/close", json={"decision": "no_action", "cooperation": True}
    )
    assert answer.status_code == 422
    assert ["body", "cooperation"] in [e["loc"] for e in answer.json()["detail"]]
    assert _status(engine, alert_id) == "open"


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("acknowledge", {}),
        ("close", {"decision": "no_action"}),
        ("prefilter", {"verdict": "artefact"}),
    ],
)
@pytest.mark.parametrize("claim", [{"actor": "dr-house"}, {"role": "medecin"}])
def test_a_body_naming_who_acts_is_refused(
    engine: sa.Engine,
    make_client: ClientFactory,
    route: str,
    body: dict[str, str],
    claim: dict[str, str],
) -> None:
    _op, alert_id = _alert(engine)
    client = make_client(role="soignant", now=_now)
    answer = client.post(f"/api/alerts/{alert_id}/{route}", json={**body, **claim})
    assert answer.status_code == 422
    [field] = claim
    assert ["body", field] in [e["loc"] for e in answer.json()["detail"]]
    assert _status(engine, alert_id) == "open"


def test_an_override_naming_its_actor_is_refused(
    engine: sa.Engine, make_client: ClientFactory
) -> None:
    pid = seed.patient(engine, seed.operateur(engine), "insuffisance_respiratoire")
    client = make_client(role="medecin", now=_now)
    answer = client.put(
        f"/api/alerts/overrides/{pid}/ir.spo2.basse/threshold",
        json={"value": 85, "reason": "BPCO", "actor": "dr-a"},
    )
    assert answer.status_code == 422
    assert client.get(f"/api/alerts/overrides/{pid}").json() == []


# --- with a protocol ------------------------------------------------------------------------


def test_a_soignant_under_a_protocol_in_force_closes_through_the_api(
    engine: sa.Engine, make_client: ClientFactory
) -> None:
    op, alert_id = _alert(engine)
    seed.protocol(engine, op, TODAY - 30 * DAY)
    client = make_client(role="soignant", now=_now)
    answer = client.post(f"/api/alerts/{alert_id}/close", json={"decision": "patient_called"})
    assert answer.status_code == 200, answer.text
    closing = answer.json()["transitions"][-1]
    assert (closing["to_status"], closing["role"], closing["cooperation"]) == (
        "closed",
        "soignant",
        True,
    )
    assert closing["actor"] == "test soignant"


def test_a_soignant_under_a_protocol_in_force_closes_from_the_dashboard(
    engine: sa.Engine, make_client: ClientFactory
) -> None:
    op, alert_id = _alert(engine)
    seed.protocol(engine, op, TODAY - 30 * DAY)
    assert _close_dashboard(make_client, alert_id) == "done"
    assert _status(engine, alert_id) == "closed"


# Protocols are in force on `[declared_on, ends_on)`, judged on the Paris day of the closure.
BOUNDARIES = [
    pytest.param(TODAY, None, True, id="declared-today"),
    pytest.param(TODAY + DAY, None, False, id="declared-tomorrow"),
    pytest.param(TODAY - 30 * DAY, TODAY + DAY, True, id="ends-tomorrow"),
    pytest.param(TODAY - 30 * DAY, TODAY, False, id="ended-today"),
]


@pytest.mark.parametrize(("declared_on", "ends_on", "allowed"), BOUNDARIES)
def test_only_a_protocol_in_force_that_day_lets_a_soignant_close_through_the_api(
    engine: sa.Engine,
    make_client: ClientFactory,
    declared_on: dt.date,
    ends_on: dt.date | None,
    allowed: bool,
) -> None:
    op, alert_id = _alert(engine)
    seed.protocol(engine, op, declared_on, ends_on)
    assert _close_api(make_client, alert_id) == (200 if allowed else 403)


@pytest.mark.parametrize(("declared_on", "ends_on", "allowed"), BOUNDARIES)
def test_only_a_protocol_in_force_that_day_lets_a_soignant_close_from_the_dashboard(
    engine: sa.Engine,
    make_client: ClientFactory,
    declared_on: dt.date,
    ends_on: dt.date | None,
    allowed: bool,
) -> None:
    op, alert_id = _alert(engine)
    seed.protocol(engine, op, declared_on, ends_on)
    assert _close_dashboard(make_client, alert_id) == ("done" if allowed else "forbidden")


def test_the_day_of_a_closure_is_its_paris_day(
    engine: sa.Engine, make_client: ClientFactory
) -> None:
    """At 23:30 UTC on 9 February it is already 10 February in Paris: a protocol declared on
    the 10th is in force."""
    op, alert_id = _alert(engine)
    seed.protocol(engine, op, TODAY)
    late = dt.datetime.combine(TODAY - DAY, dt.time(23, 30), tzinfo=dt.UTC)
    client = make_client(role="soignant", now=lambda: late)
    answer = client.post(f"/api/alerts/{alert_id}/close", json={"decision": "no_action"})
    assert answer.status_code == 200, answer.text


def test_the_closure_question_answers_for_the_callers_own_role(
    engine: sa.Engine, make_client: ClientFactory
) -> None:
    op, _alert_id = _alert(engine)
    client = make_client(role="soignant", now=_now)
    path = f"/api/pathway/operateurs/{op}/medical-closure"
    before = client.get(path).json()
    assert (before["role"], before["allowed"]) == ("soignant", False)
    seed.protocol(engine, op, TODAY)
    assert client.get(path).json()["allowed"] is True


# --- no principal, no guess -----------------------------------------------------------------


def _anonymous() -> Request:
    return Request({"type": "http", "method": "POST", "path": "/", "headers": [], "state": {}})


def test_a_request_without_a_principal_is_refused_not_guessed() -> None:
    with pytest.raises(HTTPException) as alerts_refusal:
        api._who(_anonymous())
    with pytest.raises(HTTPException) as billing_refusal:
        web_billing._actor(_anonymous())
    assert alerts_refusal.value.status_code == billing_refusal.value.status_code == 401
