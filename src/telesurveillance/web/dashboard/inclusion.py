"""The inclusion wizard (médecin), from the patient's page: indication → sub-population →
criteria, consent, DMN and prescription in one form; then the ordonnance, previewed and
downloaded (the PDF issued is archived byte for byte).

The first two steps are GET forms (the page reloads with the choice, nothing is written); the
last posts everything once. A refusal renders the form again (422) with all that was typed and
the rule's message, id and citation next to the field it concerns.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from telesurveillance.adapters.pdf import render as pdf
from telesurveillance.domain import calendar, identity
from telesurveillance.domain.pathway import consent, refusals
from telesurveillance.domain.pathway import documents as pathway_documents
from telesurveillance.services.pathway import care, documents, patients, setup, wizard
from telesurveillance.services.setup import ports as setup_ports
from telesurveillance.web import context
from telesurveillance.web.dashboard import render, setup_forms
from telesurveillance.web.i18n import messages

router = APIRouter(prefix="/ui/patients", tags=["dashboard"])
FORM = "inclusion"

#: Next to which field a rule's refusal is shown (the others above the form).
FIELD_OF_RULE = {
    "eligibility.sub_population": "sous_population",
    "eligibility.criteria": "criteres",
    "eligibility.age": "criteres",
    "eligibility.sex": "criteres",
    "eligibility.exclusion": "exclusions",
    "consent.missing": "consent_on",
    "consent.after_start": "consent_on",
    "consent.method": "consent_method",
    "prescription.duration": "months",
    "prescription.over_one_year": "months",
    "majoration.level": "majoration_level",
    "majoration.criterion": "majoration_criterion",
    "majoration.not_eligible": "majoration_level",
    "majoration.not_in_force": "majoration_level",
    "majoration.attestation": "majoration_level",
    "indication.dmn_mismatch": "dmn_id",
    "prerequisite.certificate": "dmn_id",
    "prerequisite.convention": "dmn_id",
    "indication.not_listed": "indication",
}

#: The fields a message may stand next to (the others go above the form).
FIELDS = frozenset(FIELD_OF_RULE.values()) | {"starts_on", "consent_document"}


def _today(request: Request) -> dt.date:
    return calendar.paris_day(context.of(request).clock())


def patient_of(request: Request, patient_id: int) -> Any:
    try:
        return patients.record(context.of(request).store.patients, patient_id)
    except patients.NotFound:
        raise HTTPException(status_code=404, detail="no such patient") from None


def _page(
    request: Request,
    patient_id: int,
    indication: str | None,
    sous_population: str | None,
    *,
    values: dict[str, Any] | None = None,
    failed: setup_forms.Failure | None = None,
) -> HTMLResponse:
    services = context.of(request)
    today = _today(request)
    record = patient_of(request, patient_id)
    offered = wizard.choices(services.store.setup, services.regulation, indication, today)
    group = next((g for g in offered.groups if g.id == sous_population), None)
    return render.page(
        request,
        "inclusion.html",
        status=422 if failed else 200,
        active="patients",
        record=record,
        offered=offered,
        group=group,
        values=values or {"starts_on": today.isoformat(), "consent_on": today.isoformat()},
        failed=failed,
        methods=[m.value for m in consent.Method],
        today=today,
    )


@router.get("/{patient_id}/include", name="dashboard.inclusion", response_class=HTMLResponse)
def inclusion_page(
    request: Request,
    patient_id: int,
    indication: str | None = None,
    sous_population: str | None = None,
) -> HTMLResponse:
    return _page(request, patient_id, indication, sous_population)


def _failure(values: dict[str, Any], exc: Exception) -> setup_forms.Failure:
    shown = {k: v for k, v in values.items() if isinstance(v, str)}
    failed = setup_forms.failure(FORM, shown, exc)
    if isinstance(exc, refusals.Refused):
        return dataclasses.replace(failed, field=FIELD_OF_RULE.get(exc.rule))
    if failed.field not in FIELDS:
        failed = dataclasses.replace(failed, field=None)
    key = f"inclusion.error.{getattr(exc, 'code', '')}"
    if messages.known(key):
        return dataclasses.replace(failed, key=key)
    return failed


def _day(text: str, name: str) -> dt.date | None:
    return setup_forms.day(text, name, optional=True)


@router.post("/{patient_id}/include", name="dashboard.inclusion_submit", include_in_schema=False)
async def include(
    request: Request,
    patient_id: int,
    indication: Annotated[str, Form(max_length=48)],
    sous_population: Annotated[str, Form(max_length=48)],
    starts_on: Annotated[str, Form(max_length=10)],
    consent_on: Annotated[str, Form(max_length=10)] = "",
    consent_method: Annotated[str, Form(max_length=32)] = "",
    dmn_id: Annotated[str, Form(max_length=12)] = "",
    months: Annotated[str, Form(max_length=3)] = "",
    device_serial: Annotated[str, Form(max_length=100)] = "",
    majoration_level: Annotated[str, Form(max_length=1)] = "0",
    majoration_criterion: Annotated[str, Form(max_length=500)] = "",
    criteres: Annotated[list[str] | None, Form()] = None,
    exclusions: Annotated[list[str] | None, Form()] = None,
    consent_document: Annotated[UploadFile | None, File()] = None,
) -> Response:
    values: dict[str, Any] = {
        "starts_on": starts_on,
        "consent_on": consent_on,
        "consent_method": consent_method,
        "dmn_id": dmn_id,
        "months": months,
        "device_serial": device_serial,
        "majoration_level": majoration_level,
        "majoration_criterion": majoration_criterion,
        "criteres": [c[:500] for c in (criteres or [])][:50],
        "exclusions": [c[:500] for c in (exclusions or [])][:50],
    }
    content = await consent_document.read() if consent_document is not None else b""
    given = (
        setup_ports.Document(
            consent_document.filename or "consentement",
            consent_document.content_type or "application/octet-stream",
            content,
        )
        if consent_document is not None and (consent_document.filename or content)
        else None
    )
    services = context.of(request)
    try:
        asked = wizard.Asked(
            patient_id=patient_id,
            indication=indication,
            sous_population=sous_population,
            criteres=frozenset(values["criteres"]),
            exclusions=frozenset(values["exclusions"]),
            starts_on=setup_forms.required_day(starts_on, "starts_on"),
            consent_on=_day(consent_on, "consent_on"),
            consent_method=consent_method or None,
            dmn_id=_number(dmn_id, "dmn_id"),
            months=_number(months, "months"),
            majoration_level=_number(majoration_level or "0", "majoration_level"),
            majoration_criterion=majoration_criterion,
            device_serial=device_serial.strip() or None,
            consent_document=given,
        )
        done = wizard.include(
            services.store.setup,
            services.store.patient_documents,
            services.regulation,
            asked,
            request.state.principal,
            _today(request),
        )
    except (
        refusals.Refused,
        setup.Invalid,
        setup.NotFound,
        identity.IdentifierError,
        care.Conflict,
    ) as exc:
        return _page(
            request,
            patient_id,
            indication,
            sous_population,
            values=values,
            failed=_failure(values, exc),
        )
    where = f"/ui/patients/{patient_id}/cares/{done.prise_en_charge_id}/ordonnance"
    return RedirectResponse(where + "?done=included", status_code=303)


def _number(text: str, name: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise setup.Invalid(f"{name}.required", f"{name}: choose a value") from None


def care_of(request: Request, patient_id: int, pec_id: int) -> Any:
    """The prise en charge, when it is this patient's (404 otherwise: the scope check is on the
    patient in the path)."""
    try:
        found = care.view(context.of(request).store.setup, pec_id)
    except care.NotFound:
        raise HTTPException(status_code=404, detail="no such prise en charge") from None
    if found.patient_id != patient_id:
        raise HTTPException(status_code=404, detail="no such prise en charge")
    return found


@router.get(
    "/{patient_id}/cares/{pec_id}/ordonnance",
    name="dashboard.ordonnance",
    response_class=HTMLResponse,
)
def ordonnance_preview(
    request: Request, patient_id: int, pec_id: int, done: str | None = None
) -> HTMLResponse:
    """The ordonnance's contents, as the PDF will print them, with the download link."""
    services = context.of(request)
    pec = care_of(request, patient_id, pec_id)
    doc: pathway_documents.Ordonnance | None = None
    missing: str | None = None
    try:
        doc = documents.ordonnance(services.store.setup, services.regulation, pec_id)
    except setup.NotFound as exc:
        missing = str(exc)
    return render.page(
        request,
        "ordonnance_preview.html",
        active="patients",
        record=patient_of(request, patient_id),
        pec=pec,
        doc=doc,
        missing=missing,
        done=done,
    )


@router.get("/{patient_id}/cares/{pec_id}/ordonnance.pdf", name="dashboard.ordonnance_pdf")
def ordonnance_pdf(request: Request, patient_id: int, pec_id: int) -> Response:
    """The ordonnance rendered and archived (the copy kept is the one downloaded)."""
    services = context.of(request)
    care_of(request, patient_id, pec_id)
    try:
        content = documents.issue_ordonnance(
            services.store.setup, services.regulation, pec_id, pdf.ordonnance
        )
    except setup.NotFound as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="ordonnance-{pec_id}.pdf"'},
    )


@router.post(
    "/{patient_id}/cares/{pec_id}/prescriber-contact",
    name="dashboard.prescriber_contact",
    include_in_schema=False,
)
def prescriber_contact(
    request: Request,
    patient_id: int,
    pec_id: int,
    address: Annotated[str, Form(max_length=500)] = "",
    phone: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    """The logged-in physician's own professional address and phone (identity from the
    session), printed on their ordonnances."""
    care_of(request, patient_id, pec_id)
    here = f"/ui/patients/{patient_id}/cares/{pec_id}/ordonnance"
    try:
        wizard.set_my_contact(
            context.of(request).store.setup, request.state.principal, address, phone
        )
    except setup.Invalid as exc:
        return RedirectResponse(f"{here}?done=contact_{exc.code.replace('.', '_')}", 303)
    return RedirectResponse(f"{here}?done=contact_saved", status_code=303)
