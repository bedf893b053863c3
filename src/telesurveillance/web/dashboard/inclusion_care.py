"""A prise en charge's page, from the patient page: renewal in its window (by the physician
logged in), the stop (reason, date), and the end-of-care report (PDF, archived as issued).

A refusal renders the page again (422) with what was typed and the rule's message, id and
citation next to the form that was refused.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from telesurveillance.adapters.pdf import render as pdf
from telesurveillance.domain import calendar, identity
from telesurveillance.domain.pathway import refusals
from telesurveillance.services.pathway import care, documents, setup, wizard
from telesurveillance.web import context
from telesurveillance.web.dashboard import inclusion, render, setup_forms
from telesurveillance.web.i18n import messages

router = APIRouter(prefix="/ui/patients", tags=["dashboard"])


def _today(request: Request) -> dt.date:
    return calendar.paris_day(context.of(request).clock())


def _page(
    request: Request,
    patient_id: int,
    pec_id: int,
    *,
    done: str | None = None,
    failed: setup_forms.Failure | None = None,
) -> HTMLResponse:
    services = context.of(request)
    inclusion.care_of(request, patient_id, pec_id)
    found = wizard.follow(services.store.setup, services.regulation, pec_id)
    offered = wizard.choices(
        services.store.setup, services.regulation, found.care.indication, _today(request)
    )
    return render.page(
        request,
        "care.html",
        status=422 if failed else 200,
        active="patients",
        record=inclusion.patient_of(request, patient_id),
        view=found,
        months=offered.months,
        today=_today(request),
        done=done,
        failed=failed,
    )


@router.get("/{patient_id}/cares/{pec_id}", name="dashboard.care", response_class=HTMLResponse)
def care_page(
    request: Request, patient_id: int, pec_id: int, done: str | None = None
) -> HTMLResponse:
    return _page(request, patient_id, pec_id, done=done if done in DONE else None)


DONE = frozenset({"renewed", "stopped"})
ERRORS = (
    refusals.Refused,
    setup.Invalid,
    setup.NotFound,
    identity.IdentifierError,
    care.Conflict,
    ValueError,
)


def _failed(form: str, values: dict[str, str], exc: Exception) -> setup_forms.Failure:
    found = setup_forms.failure(form, values, exc)
    key = f"inclusion.error.{getattr(exc, 'code', '')}"
    if not isinstance(exc, refusals.Refused) and messages.known(key):
        found = dataclasses.replace(found, key=key)
    return dataclasses.replace(found, field=None)


@router.post(
    "/{patient_id}/cares/{pec_id}/renew", name="dashboard.care_renew", include_in_schema=False
)
def renew(
    request: Request,
    patient_id: int,
    pec_id: int,
    prescribed_on: Annotated[str, Form(max_length=10)],
    months: Annotated[str, Form(max_length=3)],
) -> Response:
    services = context.of(request)
    inclusion.care_of(request, patient_id, pec_id)
    values = {"prescribed_on": prescribed_on, "months": months}
    try:
        wizard.renew(
            services.store.setup,
            services.regulation,
            pec_id,
            request.state.principal,
            setup_forms.required_day(prescribed_on, "prescribed_on"),
            _months(months),
        )
    except ERRORS as exc:
        return _page(request, patient_id, pec_id, failed=_failed("renew", values, exc))
    return RedirectResponse(f"/ui/patients/{patient_id}/cares/{pec_id}?done=renewed", 303)


def _months(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise setup.Invalid("months.required", "months: choose a value") from None


@router.post(
    "/{patient_id}/cares/{pec_id}/stop", name="dashboard.care_stop", include_in_schema=False
)
def stop(
    request: Request,
    patient_id: int,
    pec_id: int,
    stopped_on: Annotated[str, Form(max_length=10)],
    reason: Annotated[str, Form(max_length=32)],
) -> Response:
    services = context.of(request)
    inclusion.care_of(request, patient_id, pec_id)
    values = {"stopped_on": stopped_on, "reason": reason}
    try:
        care.stop(
            services.store.setup,
            services.regulation,
            pec_id,
            setup_forms.required_day(stopped_on, "stopped_on"),
            reason,
        )
    except ERRORS as exc:
        return _page(request, patient_id, pec_id, failed=_failed("stop", values, exc))
    return RedirectResponse(f"/ui/patients/{patient_id}/cares/{pec_id}?done=stopped", 303)


@router.get("/{patient_id}/cares/{pec_id}/end-report.pdf", name="dashboard.end_report_pdf")
def end_report_pdf(request: Request, patient_id: int, pec_id: int) -> Response:
    """The end-of-care report, signed by the physician logged in (else the prescriber),
    rendered and archived as downloaded."""
    services = context.of(request)
    inclusion.care_of(request, patient_id, pec_id)
    store = services.store.setup
    try:
        content = documents.issue_end_report(
            store,
            services.regulation,
            pec_id,
            _today(request),
            pdf.end_report,
            wizard.signatory(store, request.state.principal),
        )
    except (refusals.Refused, setup.NotFound) as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    name = f"fin-de-prise-en-charge-{pec_id}.pdf"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
