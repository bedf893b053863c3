"""The care team's side of the patient's space, from the patient page: access links (created,
shown once with their QR code, revoked) and the instructions shown to the patient.

Médecin and soignant (permission table); the patient is the path's, checked against the
principal's scope by the gate; who acts is the principal.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from telesurveillance.services.patient_space import links, page
from telesurveillance.web import context
from telesurveillance.web.dashboard import render
from telesurveillance.web.i18n import messages
from telesurveillance.web.patient_space import qr
from telesurveillance.web.security import gate

router = APIRouter(prefix="/ui/patients/{patient_id}/espace-patient", tags=["patient_space"])
DONE = ("link_revoked", "link_missing", "instruction_saved", "instruction_invalid")


def _page(request: Request, patient_id: int, status: int = 200, **values: object) -> HTMLResponse:
    services = context.of(request)
    store = services.store.patient_space
    person = store.person(patient_id)
    if person is None:
        raise HTTPException(status_code=404, detail="no such patient")
    values.setdefault("issued", None)
    values.setdefault("done", None)
    values.setdefault("link_error", False)
    return render.page(
        request,
        "patient_space_team.html",
        status,
        active="worklist",
        patient_id=patient_id,
        person=person,
        links=links.listed(store, patient_id),
        now=services.clock(),
        validities=links.VALIDITIES,
        instructions=store.instructions(patient_id, page.INSTRUCTIONS),
        instruction_max=page.MAX_INSTRUCTION,
        **values,
    )


@router.get("", name="patient_space.team", response_class=HTMLResponse, include_in_schema=False)
def team_page(request: Request, patient_id: int, done: str | None = None) -> HTMLResponse:
    """The patient's access links and the instructions shown on their page."""
    return _page(request, patient_id, done=done if done in DONE else None)


@router.post(
    "/liens", name="patient_space.link_create", response_class=HTMLResponse, include_in_schema=False
)
def create_link(
    request: Request,
    patient_id: int,
    days: Annotated[int, Form(ge=1, le=links.MAX_VALIDITY.days)] = links.MAX_VALIDITY.days,
    single_use: Annotated[bool, Form()] = False,
) -> Response:
    """A new link: its address and QR code on this answer only (never stored, not cached)."""
    services = context.of(request)
    who = gate.principal(request)
    try:
        issued = links.issue(
            services.store.patient_space, patient_id, days, single_use, who.name,
            services.clock(),
        )  # fmt: skip
    except links.LinkError:
        return _page(request, patient_id, 422, link_error=True)
    url = str(request.base_url).rstrip("/") + issued.path
    title = messages.translate("space.team.qr_title", render.lang_of(request))
    answer = _page(
        request, patient_id, issued={"url": url, "qr": qr.svg(url, title), "link": issued}
    )
    answer.headers["Cache-Control"] = "no-store"
    return answer


@router.post("/liens/{link_id}/revoquer", name="patient_space.link_revoke", include_in_schema=False)
def revoke_link(request: Request, patient_id: int, link_id: int) -> RedirectResponse:
    """Revoke a link of this patient: it cannot be used any more, its sessions end."""
    services = context.of(request)
    done = links.revoke(services.store.patient_space, patient_id, link_id, services.clock())
    outcome = "link_revoked" if done else "link_missing"
    return RedirectResponse(f"/ui/patients/{patient_id}/espace-patient?done={outcome}", 303)


@router.post("/consignes", name="patient_space.instruction", include_in_schema=False)
def add_instruction(
    request: Request,
    patient_id: int,
    body: Annotated[str, Form(max_length=page.MAX_INSTRUCTION)],
) -> RedirectResponse:
    """Append an instruction for the patient (author and role from the session)."""
    services = context.of(request)
    who = gate.principal(request)
    try:
        page.instruct(
            services.store.patient_space, patient_id, body, who.name, who.role.value,
            services.clock(),
        )  # fmt: skip
        outcome = "instruction_saved"
    except page.InstructionError:
        outcome = "instruction_invalid"
    return RedirectResponse(
        f"/ui/patients/{patient_id}/espace-patient?done={outcome}#h-instructions", 303
    )
