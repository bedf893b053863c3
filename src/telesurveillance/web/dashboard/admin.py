"""The administration pages: accounts (create, disable / enable, reset the password, change the
role), API and device tokens (create — the secret shown once —, revoke, last use), and the audit
trail (filter by patient, user and dates; export as CSV or FHIR AuditEvent).

Who acts is the authenticated principal (`request.state.principal`), never a form field.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from telesurveillance.domain.access import roles
from telesurveillance.services.security import accounts, admin, audit
from telesurveillance.services.setup import organisation
from telesurveillance.web import context
from telesurveillance.web.dashboard import render, setup_forms
from telesurveillance.web.security import gate

router = APIRouter(prefix="/ui/admin", tags=["dashboard"])

ACCOUNT_DONE = frozenset({"created", "disabled", "enabled", "password", "role"})
ROLES = [r.value for r in roles.Role]
NO_STORE = {"Cache-Control": "no-store"}


def _accounts_page(
    request: Request,
    *,
    done: str | None = None,
    failed: setup_forms.Failure | None = None,
) -> HTMLResponse:
    services = context.of(request)
    found = organisation.logins(services.store.setup, services.store.admin)
    return render.page(
        request,
        "admin_accounts.html",
        status=422 if failed is not None else 200,
        active="admin",
        rows=found.accounts,
        members=found.unlinked_members,
        exploitants=[(e.id, e.name) for e in found.exploitants],
        roles=ROLES,
        done=done,
        failed=failed,
        me=gate.principal(request),
    )


@router.get("/accounts", name="dashboard.admin_accounts", response_class=HTMLResponse)
def accounts_page(request: Request, done: str | None = None) -> HTMLResponse:
    return _accounts_page(request, done=done if done in ACCOUNT_DONE else None)


@router.post("/accounts", name="dashboard.admin_account_create", include_in_schema=False)
def create_account(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=32)],
    password: Annotated[str, Form(max_length=1024)],
    display_name: Annotated[str, Form(max_length=200)] = "",
    exploitant_id: Annotated[str, Form(max_length=12)] = "",
    member_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    values = {
        "username": username,
        "role": role,
        "display_name": display_name,
        "exploitant_id": exploitant_id,
        "member_id": member_id,
    }
    services = context.of(request)
    try:
        organisation.create_login(
            services.store.setup,
            services.store.admin,
            organisation.NewLogin(
                username=username,
                password=password,
                role=_role(role),
                display_name=display_name,
                exploitant_id=_number(exploitant_id, "exploitant_id"),
                member_id=_number(member_id, "member_id"),
            ),
            services.clock(),
        )
    except (accounts.AccountError, ValueError, LookupError) as exc:
        return _accounts_page(request, failed=setup_forms.failure("account", values, exc))
    return RedirectResponse("/ui/admin/accounts?done=created", status_code=303)


@router.post(
    "/accounts/{account_id}", name="dashboard.admin_account_action", include_in_schema=False
)
def account_action(
    request: Request,
    account_id: int,
    action: Annotated[str, Form(max_length=16)],
    password: Annotated[str, Form(max_length=1024)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Disable, enable, reset the password or change the role of one account."""
    store = context.of(request).store.admin
    who = gate.principal(request)
    form = f"account-{account_id}"
    try:
        if action in ("disable", "enable"):
            admin.set_active(store, who, account_id, action == "enable")
            done = "disabled" if action == "disable" else "enabled"
        elif action == "password":
            admin.reset_password(store, account_id, password)
            done = "password"
        elif action == "role":
            admin.change_role(store, who, account_id, _role(role))
            done = "role"
        else:
            raise accounts.AccountError(f"unknown action {action!r}", "action.unknown")
    except admin.Conflict as exc:
        failed = setup_forms.Failure(form, {}, None, "admin.error.conflict", str(exc))
        return _accounts_page(request, failed=failed)
    except (accounts.AccountError, ValueError) as exc:
        return _accounts_page(request, failed=setup_forms.failure(form, {"role": role}, exc))
    return RedirectResponse(f"/ui/admin/accounts?done={done}#account-{account_id}", 303)


def _role(value: str) -> roles.Role:
    try:
        return roles.parse(value)
    except ValueError:
        raise accounts.AccountError(f"unknown role {value!r}", "role.unknown") from None


def _number(value: str, name: str) -> int | None:
    if not value.strip():
        return None
    if not value.strip().isdigit():
        raise accounts.AccountError(f"{name}: a number is expected", f"{name}.format")
    return int(value.strip())


# --- tokens -----------------------------------------------------------------------------------


def _tokens_page(
    request: Request,
    *,
    created: tuple[int, str] | None = None,
    failed: setup_forms.Failure | None = None,
    revoked: int | None = None,
) -> HTMLResponse:
    services = context.of(request)
    page = render.page(
        request,
        "admin_tokens.html",
        status=422 if failed is not None else 200,
        active="admin",
        rows=services.store.admin.token_rows(),
        roles=ROLES,
        created=created,
        revoked=revoked,
        failed=failed,
    )
    page.headers.update(NO_STORE)  # the secret is on this page once: never cached
    return page


@router.get("/tokens", name="dashboard.admin_tokens", response_class=HTMLResponse)
def tokens_page(request: Request, revoked: int | None = None) -> HTMLResponse:
    return _tokens_page(request, revoked=revoked)


@router.post("/tokens", name="dashboard.admin_token_create", include_in_schema=False)
def create_token(
    request: Request,
    role: Annotated[str, Form(max_length=32)],
    label: Annotated[str, Form(max_length=200)] = "",
    patient_id: Annotated[str, Form(max_length=12)] = "",
    exploitant_id: Annotated[str, Form(max_length=12)] = "",
    device: Annotated[str, Form(max_length=8)] = "",
    days: Annotated[str, Form(max_length=6)] = "",
    device_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """A new token; its secret is shown on the answer page only, once (never redirected to)."""
    values = {
        "role": role,
        "label": label,
        "patient_id": patient_id,
        "exploitant_id": exploitant_id,
        "device": device,
        "days": days,
        "device_id": device_id,
    }
    services = context.of(request)
    now = services.clock()
    try:
        lifetime = _number(days, "days")
        created = accounts.create_token(
            services.store.admin,
            _role(role),
            now,
            label=label.strip(),
            patient_id=_number(patient_id, "patient_id"),
            exploitant_id=_number(exploitant_id, "exploitant_id"),
            device=device == "on",
            expires=now + dt.timedelta(days=lifetime) if lifetime else None,
            device_id=_number(device_id, "device_id"),
        )
    except (accounts.AccountError, ValueError) as exc:
        return _tokens_page(request, failed=setup_forms.failure("token", values, exc))
    return _tokens_page(request, created=created)


@router.post(
    "/tokens/{token_id}/revoke", name="dashboard.admin_token_revoke", include_in_schema=False
)
def revoke_token(request: Request, token_id: int) -> Response:
    services = context.of(request)
    try:
        admin.revoke_token(
            services.store.admin, gate.principal(request), token_id, services.clock()
        )
    except accounts.AccountError as exc:
        return _tokens_page(request, failed=setup_forms.failure("revoke", {}, exc))
    return RedirectResponse(f"/ui/admin/tokens?revoked={token_id}", status_code=303)


# --- audit trail ------------------------------------------------------------------------------


def _filter(
    patient: int | None, actor: str | None, since: str | None, until: str | None
) -> admin.AuditFilter:
    return admin.AuditFilter(
        patient_id=patient,
        actor=(actor or "").strip() or None,
        since=setup_forms.day(since or "", "since", optional=True),
        until=setup_forms.day(until or "", "until", optional=True),
    )


Patient = Annotated[int | None, Query(ge=1)]
Actor = Annotated[str | None, Query(max_length=64)]
Day = Annotated[str | None, Query(max_length=10)]


@router.get("/audit", name="dashboard.admin_audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    patient: Patient = None,
    actor: Actor = None,
    since: Day = None,
    until: Day = None,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    """The audit trail, newest first, a page at a time, with its filters."""
    values = {
        "patient": str(patient or ""),
        "actor": actor or "",
        "since": since or "",
        "until": until or "",
    }
    store = context.of(request).store.admin
    failed = None
    events: list[audit.Event] = []
    try:
        events = list(admin.events(store, _filter(patient, actor, since, until), before_id=before))
    except ValueError as exc:
        failed = setup_forms.failure("audit", values, exc)
    query = urllib.parse.urlencode({k: v for k, v in values.items() if v})
    return render.page(
        request,
        "admin_audit.html",
        status=422 if failed is not None else 200,
        active="admin",
        events=events,
        values=values,
        query=query,
        failed=failed,
        more=len(events) == admin.AUDIT_PAGE,
        actors=sorted({e.actor for e in events}),
    )


@router.get("/audit/export", name="dashboard.admin_audit_export")
def audit_export(
    request: Request,
    format: Annotated[str, Query(pattern="^(csv|fhir)$")] = "csv",
    patient: Patient = None,
    actor: Actor = None,
    since: Day = None,
    until: Day = None,
) -> Response:
    """The filtered trail (at most `admin.AUDIT_EXPORT_MAX` events) as CSV or as a FHIR
    searchset Bundle of AuditEvent resources."""
    store = context.of(request).store.admin
    try:
        found = admin.events(
            store, _filter(patient, actor, since, until), limit=admin.AUDIT_EXPORT_MAX
        )
    except ValueError as exc:
        return Response(str(exc), status_code=422, media_type="text/plain; charset=utf-8")
    stamp = context.of(request).clock().strftime("%Y%m%dT%H%M%SZ")
    if format == "fhir":
        body = json.dumps(audit.bundle(found), ensure_ascii=False)
        return Response(
            body,
            media_type="application/fhir+json; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.json"'},
        )
    return Response(
        admin.as_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.csv"'},
    )
