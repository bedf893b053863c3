"""The patient register's pages: search, create, edit (with the history of changes).

A refusal renders the form again (422) with everything typed and the message next to the field
at fault; a success redirects (303) to the patient's page. Who created or changed a patient
comes from the authenticated principal, never from the form.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field

from telesurveillance.domain import calendar, identity
from telesurveillance.domain.access import roles
from telesurveillance.services.pathway import patient_ports, patients, setup
from telesurveillance.services.setup import organisation
from telesurveillance.web import context
from telesurveillance.web.bodies import Body
from telesurveillance.web.dashboard import render, setup_forms
from telesurveillance.web.i18n import messages

router = APIRouter(prefix="/ui/patients", tags=["dashboard"])

FORM = "patient"


def _today(request: Request) -> dt.date:
    return calendar.paris_day(context.of(request).clock())


def who(request: Request) -> str:
    """The name written in the history: the principal's name and subject (`account/3`)."""
    principal: roles.Principal = request.state.principal
    return f"{principal.name} ({principal.subject})"


@router.get("", name="dashboard.patients", response_class=HTMLResponse)
def patient_list(request: Request, q: str = "") -> HTMLResponse:
    """Search by name, NIR or birth date; every patient when nothing is typed."""
    query = q[:200]
    found = patients.search(context.of(request).store.patients, query)
    return render.page(
        request,
        "patients.html",
        active="patients",
        found=found,
        q=query,
        today=_today(request),
        age=patients.age,
        limit=patients.SEARCH_LIMIT,
    )


def _form_page(
    request: Request,
    *,
    record: patient_ports.Record | None,
    typed: patients.Typed | None,
    failed: setup_forms.Failure | None = None,
) -> HTMLResponse:
    shown = typed or (patients.typed_from(record) if record else patients.Typed(family=""))
    history = patients.history(context.of(request).store.patients, record.id) if record else []
    return render.page(
        request,
        "patient_form.html",
        status=422 if failed else 200,
        active="patients",
        record=record,
        typed=dataclasses.asdict(shown),
        failed=failed,
        history=history,
        sexes=patients.SEXES,
        coverages=patients.COVERAGES,
        nir_types=patients.NIR_TYPES,
        today=_today(request),
    )


@router.get("/new", name="dashboard.patient_new", response_class=HTMLResponse)
def new_patient(request: Request) -> HTMLResponse:
    return _form_page(request, record=None, typed=None)


Phone = Annotated[str, Field(max_length=30)]
Name = Annotated[str, Field(max_length=200)]


class PatientForm(Body):
    """The patient form's fields as posted (lengths bounded here; the rules in the service).

    Any field the form does not have is refused (422), like every body of the app; the session's
    CSRF token is declared only so that the form may carry it (the gate checks it before).
    """

    csrf_token: Annotated[str, Field(max_length=100)] = ""

    family: Name
    birth_date: Annotated[str, Field(max_length=10)]
    given: Name = ""
    sex: Annotated[str, Field(max_length=8)] = "unknown"
    coverage: Annotated[str, Field(max_length=16)] = "standard"
    nir: Phone = ""
    nir_type: Annotated[str, Field(max_length=8)] = ""
    phone: Phone = ""
    email: Name = ""
    address: Annotated[str, Field(max_length=500)] = ""
    medecin_traitant: Name = ""
    aidant: Name = ""
    aidant_phone: Phone = ""
    confiance: Name = ""
    confiance_phone: Phone = ""

    def typed(self) -> patients.Typed:
        return patients.Typed(
            self.family, self.given, self.birth_date, self.sex, self.coverage, self.nir,
            self.nir_type, self.phone, self.email, self.address, self.medecin_traitant,
            self.aidant, self.aidant_phone, self.confiance, self.confiance_phone,
        )  # fmt: skip


class PatientEdit(PatientForm):
    """The edit form: the version of the record the user saw (compare-and-set)."""

    version: int


def _refused(
    request: Request,
    record: patient_ports.Record | None,
    typed: patients.Typed,
    exc: Exception,
) -> HTMLResponse:
    values = {k: str(v) for k, v in dataclasses.asdict(typed).items()}
    failed = setup_forms.failure(FORM, values, exc)
    key = f"patients.error.{getattr(exc, 'code', '')}"
    if failed.field is not None and messages.known(key):
        failed = dataclasses.replace(failed, key=key)
    return _form_page(request, record=record, typed=typed, failed=failed)


def _operateur(request: Request) -> int | None:
    try:
        return organisation.operateur_id(context.of(request).store.setup)
    except setup.NotFound:
        return None


@router.post("", name="dashboard.patient_create", include_in_schema=False)
def create_patient(
    request: Request,
    form: Annotated[PatientForm, Form()],
) -> Response:
    typed = form.typed()
    services = context.of(request)
    try:
        new = patients.create(
            services.store.patients,
            typed,
            _operateur(request),
            who(request),
            services.clock(),
            _today(request),
        )
    except (patients.Invalid, identity.IdentifierError) as exc:
        return _refused(request, None, typed, exc)
    return RedirectResponse(f"/ui/patients/{new}?done=patient_created", status_code=303)


def _record(request: Request, patient_id: int) -> patient_ports.Record:
    try:
        return patients.record(context.of(request).store.patients, patient_id)
    except patients.NotFound:
        raise HTTPException(status_code=404, detail="no such patient") from None


@router.get("/{patient_id}/edit", name="dashboard.patient_edit", response_class=HTMLResponse)
def edit_patient(request: Request, patient_id: int) -> HTMLResponse:
    """The form filled with the patient as recorded, and the history of its changes."""
    return _form_page(request, record=_record(request, patient_id), typed=None)


@router.post("/{patient_id}/edit", name="dashboard.patient_update", include_in_schema=False)
def update_patient(
    request: Request,
    patient_id: int,
    form: Annotated[PatientEdit, Form()],
) -> Response:
    typed = form.typed()
    services = context.of(request)
    try:
        patients.edit(
            services.store.patients,
            patient_id,
            form.version,
            typed,
            who(request),
            services.clock(),
            _today(request),
        )
    except patients.NotFound:
        raise HTTPException(status_code=404, detail="no such patient") from None
    except patients.Conflict as exc:
        record = _record(request, patient_id)
        failed = setup_forms.Failure(FORM, {}, None, "patients.error.conflict", str(exc))
        return _form_page(request, record=record, typed=typed, failed=failed)
    except (patients.Invalid, identity.IdentifierError) as exc:
        return _refused(request, _record(request, patient_id), typed, exc)
    return RedirectResponse(f"/ui/patients/{patient_id}?done=patient_saved", status_code=303)


def contact(request: Request, patient_id: int) -> patient_ports.Record | None:
    """The patient's record with contact (for the patient page's contact block)."""
    try:
        return patients.record(context.of(request).store.patients, patient_id)
    except patients.NotFound:
        return None
