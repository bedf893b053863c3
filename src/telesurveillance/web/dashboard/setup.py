"""The organisation set-up pages (the administrateur's home): the checklist of what still blocks
the first billing, and the forms that declare the opérateur, its ARS receipt (with the document),
its team (each member with a log-in), the exploitants, the DMN catalogue, the conventions and the
protocoles de coopération.

Each form posts to its own route; a refusal renders the page again (422) with what was typed and
the message next to the field, in the user's language; a success redirects back (303) to the
section written.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from telesurveillance.domain import calendar, identity
from telesurveillance.domain.access import roles
from telesurveillance.domain.billing import model
from telesurveillance.domain.pathway import delegation, refusals
from telesurveillance.domain.regulation import catalogue, records
from telesurveillance.services.pathway import setup
from telesurveillance.services.security import accounts
from telesurveillance.services.setup import organisation
from telesurveillance.services.setup import ports as setup_ports
from telesurveillance.web import context
from telesurveillance.web.dashboard import render, setup_forms

router = APIRouter(prefix="/ui/setup", tags=["dashboard"])

Text = Annotated[str, Form(max_length=200)]
Optional = Annotated[str, Form(max_length=200)]


def _today(request: Request) -> dt.date:
    return calendar.paris_day(context.of(request).clock())


def _page(
    request: Request,
    *,
    done: str | None = None,
    failed: setup_forms.Failure | None = None,
) -> HTMLResponse:
    services = context.of(request)
    today = _today(request)
    found = organisation.overview(services.store.setup, services.regulation, today)
    return render.page(
        request,
        "setup.html",
        status=422 if failed is not None else 200,
        active="setup",
        view=found,
        today=today,
        done=done,
        failed=failed,
        rule_texts={
            i.rule: services.regulation.rule_text(i.rule, today).value
            for i in found.items
            if i.rule in catalogue.RULE_IDS
        },
        kinds=[k.value for k in model.OperateurKind],
        exploitant_choices=[(e.id, e.name) for e in found.exploitants],
        benefits=[b.value for b in records.Benefit],
        indications=[i.value for i in catalogue.Indication],
        specialities=setup_forms.specialities(services.regulation, today),
        professions=setup_forms.PROFESSIONS,
        member_roles=[r.value for r in organisation.MEMBER_ROLES],
        tasks=[t.value for t in delegation.Task],
    )


@router.get("", name="dashboard.setup", response_class=HTMLResponse)
def setup_page(request: Request, done: str | None = None) -> HTMLResponse:
    """The checklist (blocking items first) and every set-up form."""
    return _page(request, done=done if done in setup_forms.DONE else None)


def _back(section: str) -> RedirectResponse:
    return RedirectResponse(f"/ui/setup?done={section}#{section}", status_code=303)


def _operateur_id(request: Request) -> int:
    return organisation.operateur_id(context.of(request).store.setup)


def _run(request: Request, form: str, values: dict[str, Any], action: Any) -> Response:
    """Run one service call; a refusal renders the page again with what was typed."""
    try:
        action()
    except (
        identity.IdentifierError,
        refusals.Refused,
        accounts.AccountError,
        organisation.DocumentError,
        setup.NotFound,
        ValueError,
    ) as exc:
        return _page(request, failed=setup_forms.failure(form, values, exc))
    return _back(form)


@router.post("/operateur", name="dashboard.setup_operateur", include_in_schema=False)
def add_operateur(
    request: Request,
    name: Text,
    kind: Annotated[str, Form(max_length=32)],
    finess: Optional = "",
    siret: Optional = "",
) -> Response:
    values = {"name": name, "kind": kind, "finess": finess, "siret": siret}
    store = context.of(request).store.setup
    return _run(
        request,
        "operateur",
        values,
        lambda: setup.add_operateur(
            store, name, kind, finess=finess.strip() or None, siret=siret.strip() or None
        ),
    )


@router.post("/ars", name="dashboard.setup_ars", include_in_schema=False)
async def declare_ars(
    request: Request,
    received_on: Annotated[str, Form(max_length=10)],
    reference: Optional = "",
    document: Annotated[UploadFile | None, File()] = None,
) -> Response:
    values = {"received_on": received_on, "reference": reference}
    content = await document.read() if document is not None else b""
    given = (
        setup_ports.Document(
            document.filename or "recepisse",
            document.content_type or "application/octet-stream",
            content,
        )
        if document is not None and (document.filename or content)
        else None
    )
    store = context.of(request).store.setup

    def act() -> None:
        organisation.declare_ars(
            store,
            _operateur_id(request),
            setup_forms.required_day(received_on, "received_on"),
            reference.strip() or None,
            given,
        )

    return _run(request, "ars", values, act)


@router.get("/ars/{receipt_id}", name="dashboard.setup_ars_document")
def ars_document(request: Request, receipt_id: int) -> Response:
    """The archived receipt document, byte for byte as received."""
    found = context.of(request).store.setup.ars_document(receipt_id)
    if found is None:
        raise HTTPException(status_code=404, detail="no such document")
    name = "".join(c for c in found.filename if c.isalnum() or c in "._-") or "recepisse"
    return Response(
        found.content,
        media_type=found.media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/members", name="dashboard.setup_member", include_in_schema=False)
def add_member(
    request: Request,
    family: Text,
    given: Optional = "",
    profession: Annotated[str, Form(max_length=32)] = "medecin",
    rpps: Optional = "",
    speciality: Optional = "",
    username: Optional = "",
    password: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    values = {
        "family": family,
        "given": given,
        "profession": profession,
        "rpps": rpps,
        "speciality": speciality,
        "username": username,
        "role": role,
    }
    services = context.of(request)
    member = setup.Member(
        family=family,
        given=given,
        profession=profession,
        rpps=rpps.strip() or None,
        speciality=speciality.strip() or None,
    )

    def act() -> None:
        login = None
        if username.strip():
            login = organisation.Login(username, password, roles.parse(role or "medecin"))
        organisation.add_member(
            services.store.setup,
            services.store.admin,
            _operateur_id(request),
            member,
            login,
            services.clock(),
        )

    return _run(request, "members", values, act)


@router.post("/exploitants", name="dashboard.setup_exploitant", include_in_schema=False)
def add_exploitant(request: Request, name: Text, siret: Optional = "") -> Response:
    store = context.of(request).store.setup
    return _run(
        request,
        "exploitants",
        {"name": name, "siret": siret},
        lambda: setup.add_exploitant(store, name, siret.strip() or None),
    )


@router.post("/dmns", name="dashboard.setup_dmn", include_in_schema=False)
def add_dmn(
    request: Request,
    exploitant_id: Annotated[int, Form()],
    name: Text,
    benefit: Annotated[str, Form(max_length=32)],
    indication: Optional = "",
    latm_code: Annotated[str, Form(max_length=16)] = "",
    certified_from: Annotated[str, Form(max_length=10)] = "",
    certified_until: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    values = {
        "exploitant_id": str(exploitant_id),
        "name": name,
        "benefit": benefit,
        "indication": indication,
        "latm_code": latm_code,
        "certified_from": certified_from,
        "certified_until": certified_until,
    }
    store = context.of(request).store.setup

    def act() -> None:
        setup.add_dmn(
            store,
            setup.NewDmn(
                exploitant_id=setup_forms.exploitant(store, exploitant_id),
                name=name,
                benefit=benefit,
                indication=indication or None,
                latm_code=latm_code.strip() or None,
                certified_from=setup_forms.day(certified_from, "certified_from", optional=True),
                certified_until=setup_forms.day(certified_until, "certified_until", optional=True),
            ),
        )

    return _run(request, "dmns", values, act)


@router.post("/conventions", name="dashboard.setup_convention", include_in_schema=False)
def sign_convention(
    request: Request,
    exploitant_id: Annotated[int, Form()],
    signed_on: Annotated[str, Form(max_length=10)],
    ends_on: Annotated[str, Form(max_length=10)] = "",
    prefilter_delegated: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    values = {
        "exploitant_id": str(exploitant_id),
        "signed_on": signed_on,
        "ends_on": ends_on,
        "prefilter_delegated": prefilter_delegated,
    }
    store = context.of(request).store.setup

    def act() -> None:
        setup.sign_convention(
            store,
            _operateur_id(request),
            setup_forms.exploitant(store, exploitant_id),
            setup_forms.required_day(signed_on, "signed_on"),
            ends_on=setup_forms.day(ends_on, "ends_on", optional=True),
            prefilter_delegated=prefilter_delegated == "on",
        )

    return _run(request, "conventions", values, act)


@router.post("/protocols", name="dashboard.setup_protocol", include_in_schema=False)
def declare_protocol(
    request: Request,
    name: Text,
    declared_on: Annotated[str, Form(max_length=10)],
    role: Annotated[str, Form(max_length=32)] = "soignant",
    tasks: Annotated[list[str] | None, Form()] = None,
    ends_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    chosen = [t for t in (tasks or []) if t][:10]
    values = {
        "name": name,
        "role": role,
        "declared_on": declared_on,
        "ends_on": ends_on,
        "tasks": ",".join(chosen),
    }
    store = context.of(request).store.setup

    def act() -> None:
        setup.declare_protocol(
            store,
            _operateur_id(request),
            name,
            role,
            chosen,
            setup_forms.required_day(declared_on, "declared_on"),
            setup_forms.day(ends_on, "ends_on", optional=True),
        )

    return _run(request, "protocols", values, act)
