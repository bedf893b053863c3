"""The administration pages: accounts, tokens shown once, the audit trail with its exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from telesurveillance.adapters.sql.security import admin as sql_admin
from telesurveillance.adapters.sql.security import audit as sql_audit
from telesurveillance.domain.access import roles
from telesurveillance.services.security import accounts, admin, audit
from tests.conftest import ClientFactory

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
PASSWORD = "Correct-horse-9x"


def _new_account(client: TestClient, username: str = "bdupont", role: str = "soignant") -> None:
    answer = client.post(
        "/ui/admin/accounts",
        data={"username": username, "password": PASSWORD, "role": role},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def test_an_account_created_disabled_and_enabled_again(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    client = make_client()
    _new_account(client)
    store = sql_admin.SqlAdmin(engine)
    (row,) = [a for a in store.account_rows() if a.username == "bdupont"]
    client.post(f"/ui/admin/accounts/{row.id}", data={"action": "disable"})
    assert store.account_row(row.id).active is False  # type: ignore[union-attr]
    assert accounts.authenticate(store, "bdupont", PASSWORD, NOW) is None
    client.post(f"/ui/admin/accounts/{row.id}", data={"action": "enable"})
    assert accounts.authenticate(store, "bdupont", PASSWORD, NOW) is not None


def test_a_reset_password_replaces_the_old_one_and_lifts_the_lock(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    client = make_client()
    _new_account(client)
    store = sql_admin.SqlAdmin(engine)
    (row,) = [a for a in store.account_rows() if a.username == "bdupont"]
    for _ in range(accounts.MAX_FAILURES):
        accounts.authenticate(store, "bdupont", "wrong password!", NOW)
    weak = client.post(f"/ui/admin/accounts/{row.id}", data={"action": "password", "password": "x"})
    assert weak.status_code == 422
    new = "Another-horse-7y"
    done = client.post(
        f"/ui/admin/accounts/{row.id}",
        data={"action": "password", "password": new},
        follow_redirects=False,
    )
    assert done.headers["location"].startswith("/ui/admin/accounts?done=password")
    assert accounts.authenticate(store, "bdupont", PASSWORD, NOW) is None
    assert accounts.authenticate(store, "bdupont", new, NOW) is not None


def test_a_role_change_is_a_compare_and_set_on_the_role_seen(engine: sa.Engine) -> None:
    store = sql_admin.SqlAdmin(engine)
    account = accounts.create_account(store, "cmoreau", PASSWORD, roles.Role.SOIGNANT, NOW)
    assert store.set_role(account, roles.Role.MEDECIN, roles.Role.FACTURATION) is False
    assert store.set_role(account, roles.Role.SOIGNANT, roles.Role.MEDECIN) is True
    assert store.account_row(account).role is roles.Role.MEDECIN  # type: ignore[union-attr]


def test_an_administrateur_may_not_disable_or_demote_their_own_account(engine: sa.Engine) -> None:
    store = sql_admin.SqlAdmin(engine)
    me = accounts.create_account(store, "root", PASSWORD, roles.Role.ADMINISTRATEUR, NOW)
    who = roles.Principal(roles.Kind.ACCOUNT, me, "root", roles.Role.ADMINISTRATEUR)
    with pytest.raises(accounts.AccountError) as disabling:
        admin.set_active(store, who, me, False)
    with pytest.raises(accounts.AccountError) as demoting:
        admin.change_role(store, who, me, roles.Role.MEDECIN)
    assert disabling.value.code == demoting.value.code == "account.self"
    other = accounts.create_account(store, "other", PASSWORD, roles.Role.ADMINISTRATEUR, NOW)
    admin.set_active(store, who, other, False)
    assert store.account_row(other).active is False  # type: ignore[union-attr]


def test_a_device_token_is_shown_once_and_listed_with_its_last_use(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    client = make_client()
    answer = client.post(
        "/ui/admin/tokens",
        data={"role": "patient", "patient_id": "5", "device": "on", "label": "tensiomètre"},
    )
    assert answer.headers["cache-control"] == "no-store"
    secret = re.search(r'id="token-secret">(tsv_[^<]+)<', answer.text)
    assert secret is not None
    listed = client.get("/ui/admin/tokens").text
    assert secret.group(1) not in listed
    assert "tensiomètre" in listed
    assert "jamais" in listed
    store = sql_admin.SqlAdmin(engine)
    token = accounts.resolve_token(store, secret.group(1), NOW)
    assert token is not None
    assert token.device
    assert token.patient_id == 5
    assert "jamais" not in client.get("/ui/admin/tokens").text.split("tensiomètre")[1][:400]
    revoked = client.post(f"/ui/admin/tokens/{token.id}/revoke", follow_redirects=False)
    assert revoked.status_code == 303
    assert accounts.resolve_token(store, secret.group(1), NOW) is None


def test_a_device_token_without_patient_is_refused(make_client: ClientFactory) -> None:
    answer = make_client().post("/ui/admin/tokens", data={"role": "patient", "device": "on"})
    assert answer.status_code == 422
    assert "tsv_" not in answer.text.split('id="token"')[0].split("<table>")[0]


def _events(engine: sa.Engine) -> None:
    log = sql_audit.SqlAuditLog(engine)
    for when, actor, patient in (
        (NOW - dt.timedelta(days=2), "account/1", 1),
        (NOW - dt.timedelta(days=1), "account/2", 2),
        (NOW, "account/1", 2),
    ):
        log.append(
            audit.Event(when, actor, "n", "medecin", "r", "R", "GET", "/x", patient, "", 200, "q")
        )


def test_the_audit_trail_filters_by_patient_user_and_day(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    _events(engine)
    store = sql_admin.SqlAdmin(engine)
    by_patient = admin.events(store, admin.AuditFilter(patient_id=2))
    assert {e.patient_id for e in by_patient} == {2}
    by_actor = admin.events(store, admin.AuditFilter(actor="account/1", patient_id=2))
    assert len(by_actor) == 1
    yesterday = (NOW - dt.timedelta(days=1)).date()
    one_day = admin.events(store, admin.AuditFilter(since=yesterday, until=yesterday))
    assert [e.actor for e in one_day if e.route == "r"] == ["account/2"]


def test_the_audit_trail_exports_as_csv_and_fhir_audit_events(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    _events(engine)
    client = make_client()
    answer = client.get("/ui/admin/audit/export?format=csv&patient=1")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert answer.headers["content-type"].startswith("text/csv")
    assert [r["patient_id"] for r in rows] == ["1"]
    bundle = client.get("/ui/admin/audit/export?format=fhir&patient=1").json()
    assert bundle["resourceType"] == "Bundle"
    assert bundle["entry"][0]["resource"]["resourceType"] == "AuditEvent"
    assert bundle["entry"][0]["resource"]["entity"][0]["what"]["reference"] == "Patient/1"


def test_a_csv_cell_that_would_run_as_a_formula_is_neutralised() -> None:
    event = audit.Event(
        NOW, "account/1", "=HYPERLINK()", None, "r", "R", "GET", "/", None, "", 200, "q"
    )
    assert "'=HYPERLINK()" in admin.as_csv([event])


def test_an_audit_period_ending_before_it_starts_is_refused(make_client: ClientFactory) -> None:
    answer = make_client().get("/ui/admin/audit?since=2026-11-23&until=2026-11-22")
    assert answer.status_code == 422
    assert "La fin doit venir après le début." in answer.text
    same_day = make_client().get("/ui/admin/audit?since=2026-11-23&until=2026-11-23")
    assert same_day.status_code == 200


def test_administration_actions_are_in_the_audit_trail_and_page_views_are_not(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    client = make_client()
    log = sql_audit.SqlAuditLog(engine)
    before = len(log.events(limit=100_000))
    client.get("/ui/admin/accounts")
    assert len(log.events(limit=100_000)) == before
    _new_account(client, username="etraced")
    refused = client.post("/ui/admin/accounts", data={"username": "x", "password": "short"})
    assert refused.status_code == 422
    created, failed = sorted(log.events(limit=100_000)[:2], key=lambda e: e.status)
    assert (created.route, created.action, created.status) == (
        "dashboard.admin_account_create",
        "C",
        303,
    )
    assert created.role == "administrateur"
    assert created.patient_id is None
    assert (failed.route, failed.status) == ("dashboard.admin_account_create", 422)
