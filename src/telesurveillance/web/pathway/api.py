"""Care pathway JSON API (`/api/pathway/...`): organisation set-up, inclusion, prescription and
ordonnance PDF, follow-up tasks, majorations, end of monitoring and end-of-care report.

Thin handlers: parse → one service call → render. "Today" is the Paris day of the app's clock.
Errors are mapped once (`_mapped`): a rule refusal is a 422 naming the rule and its citation,
a missing row a 404, an invalid identifier or value a 400, a lost compare-and-set a 409.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import Response

from telesurveillance.adapters.pdf import render
from telesurveillance.domain import calendar, identity
from telesurveillance.domain.pathway import eligibility, refusals
from telesurveillance.domain.regulation import store as regulation_store
from telesurveillance.services.pathway import care, documents, followup, ports, setup
from telesurveillance.web import context, jsonable, projection
from telesurveillance.web.pathway import models
from telesurveillance.web.security import gate

# Every JSON answer is projected for the caller's role (web.projection, projection.yaml).
router = APIRouter(prefix="/api/pathway", tags=["pathway"], route_class=projection.ProjectedRoute)


@contextlib.contextmanager
def _mapped() -> Iterator[None]:
    try:
        yield
    except refusals.Refused as refused:
        raise HTTPException(422, refused.as_dict()) from None
    except setup.NotFound as missing:
        raise HTTPException(404, str(missing)) from None
    except care.Conflict as conflict:
        raise HTTPException(409, str(conflict)) from None
    except (identity.IdentifierError, ValueError) as invalid:
        raise HTTPException(400, str(invalid)) from None


def _store(request: Request) -> ports.Store:
    """The pathway port of the app's store (`composition.Store.pathway`)."""
    return context.of(request).store.pathway


def _regulation(request: Request) -> regulation_store.Regulation:
    return context.of(request).regulation


def _today(request: Request) -> dt.date:
    return calendar.paris_day(context.of(request).clock())


# --- organisation ------------------------------------------------------------------------------


@router.post("/operateurs", name="pathway.operateur_create", status_code=201)
def post_operateur(body: models.OperateurIn, request: Request) -> dict[str, Any]:
    with _mapped():
        found = setup.add_operateur(
            _store(request), body.name, body.kind, finess=body.finess, siret=body.siret
        )
    return {"id": found}


@router.post("/operateurs/{operateur_id}/members", name="pathway.member_create", status_code=201)
def post_member(operateur_id: int, body: models.MemberIn, request: Request) -> dict[str, Any]:
    member = setup.Member(**body.model_dump())
    with _mapped():
        found = setup.add_member(_store(request), operateur_id, member)
    return {"id": found}


@router.post("/operateurs/{operateur_id}/ars-declaration", name="pathway.ars_declare")
def post_ars(operateur_id: int, body: models.ArsIn, request: Request) -> dict[str, Any]:
    with _mapped():
        setup.declare_ars(_store(request), operateur_id, body.received_on, body.reference)
    return {"operateur_id": operateur_id, "ars_declared_on": body.received_on.isoformat()}


@router.post(
    "/operateurs/{operateur_id}/protocols", name="pathway.protocol_create", status_code=201
)
def post_protocol(operateur_id: int, body: models.ProtocolIn, request: Request) -> dict[str, Any]:
    with _mapped():
        found = setup.declare_protocol(
            _store(request),
            operateur_id,
            body.name,
            body.role,
            body.tasks,
            body.declared_on,
            body.ends_on,
        )
    return {"id": found}


@router.get("/operateurs/{operateur_id}/medical-closure", name="pathway.medical_closure")
def get_medical_closure(
    operateur_id: int, request: Request, role: str | None = None, on: dt.date | None = None
) -> dict[str, Any]:
    """May the caller (or `role`, a question about the rules) close an alert medically for this
    opérateur on `on` (default today), given the protocols in force? Nothing is acted on: the
    closure itself is decided by the alerts service from the principal's role."""
    role = role if role is not None else gate.principal(request).role.value
    day = on or _today(request)
    with _mapped():
        try:
            setup.check_medical_closure(_store(request), operateur_id, role, day)
        except refusals.Refused as refused:
            return {"role": role, "on": day.isoformat(), "allowed": False, **refused.as_dict()}
    return {"role": role, "on": day.isoformat(), "allowed": True}


@router.post("/exploitants", name="pathway.exploitant_create", status_code=201)
def post_exploitant(body: models.ExploitantIn, request: Request) -> dict[str, Any]:
    with _mapped():
        found = setup.add_exploitant(_store(request), body.name, body.siret)
    return {"id": found}


@router.post("/dmns", name="pathway.dmn_create", status_code=201)
def post_dmn(body: models.DmnIn, request: Request) -> dict[str, Any]:
    with _mapped():
        found = setup.add_dmn(_store(request), setup.NewDmn(**body.model_dump()))
    return {"id": found}


@router.post("/conventions", name="pathway.convention_create", status_code=201)
def post_convention(body: models.ConventionIn, request: Request) -> dict[str, Any]:
    with _mapped():
        found = setup.sign_convention(
            _store(request),
            body.operateur_id,
            body.exploitant_id,
            body.signed_on,
            ends_on=body.ends_on,
            prefilter_delegated=body.prefilter_delegated,
        )
    return {"id": found}


# --- inclusion, prescription, ordonnance -------------------------------------------------------


@router.post("/inclusions", name="pathway.include", status_code=201)
def post_inclusion(body: models.InclusionIn, request: Request) -> dict[str, Any]:
    inclusion = care.Inclusion(
        operateur_id=body.operateur_id,
        indication=body.indication,
        dmn_id=body.dmn_id,
        starts_on=body.starts_on,
        consent_on=body.consent_on,
        consent_method=body.consent_method,
        attestation=eligibility.Attestation(
            body.sous_population, frozenset(body.criteres), frozenset(body.exclusions)
        ),
        patient=ports.NewPatient(**body.patient.model_dump()) if body.patient else None,
        patient_id=body.patient_id,
        pecan=body.pecan,
        collected_by=body.collected_by,
        attested_by=body.attested_by,
        device_serial=body.device_serial,
    )
    with _mapped():
        done = care.include(_store(request), _regulation(request), inclusion, _today(request))
    return {
        "patient_id": done.patient_id,
        "prise_en_charge_id": done.prise_en_charge_id,
        "sous_population": done.sous_population,
    }


@router.get("/prises-en-charge/{pec_id}", name="pathway.view")
def get_prise_en_charge(pec_id: int, request: Request) -> dict[str, Any]:
    with _mapped():
        pec = care.view(_store(request), pec_id)
    found: dict[str, Any] = jsonable.plain(pec)
    return found


@router.post("/prises-en-charge/{pec_id}/prescriptions", name="pathway.prescribe", status_code=201)
def post_prescription(pec_id: int, body: models.PrescriptionIn, request: Request) -> dict[str, Any]:
    with _mapped():
        found = care.prescribe(
            _store(request),
            _regulation(request),
            pec_id,
            body.prescriber_id,
            body.prescribed_on,
            body.months,
        )
    return {"id": found}


@router.get("/prises-en-charge/{pec_id}/ordonnance.pdf", name="pathway.ordonnance")
def get_ordonnance(pec_id: int, request: Request, prescription_id: int | None = None) -> Response:
    """The ordonnance as PDF; the bytes sent are archived with their SHA-256."""
    with _mapped():
        content = documents.issue_ordonnance(
            _store(request), _regulation(request), pec_id, render.ordonnance, prescription_id
        )
    return _pdf(content, f"ordonnance-{pec_id}.pdf")


# --- follow-up and end ---------------------------------------------------------------------


@router.post(
    "/prises-en-charge/{pec_id}/support-sessions", name="pathway.support_session", status_code=201
)
def post_session(pec_id: int, body: models.SessionIn, request: Request) -> dict[str, Any]:
    with _mapped():
        found = followup.record_session(
            _store(request), pec_id, body.held_on, body.given_by, body.topic
        )
    return {"id": found}


@router.post("/prises-en-charge/{pec_id}/majorations", name="pathway.majoration", status_code=201)
def post_majoration(pec_id: int, body: models.MajorationIn, request: Request) -> dict[str, Any]:
    with _mapped():
        found = followup.attest_majoration(
            _store(request),
            _regulation(request),
            pec_id,
            body.level,
            body.since,
            body.attested_by,
            body.criterion,
            body.until,
        )
    return {"id": found}


@router.get("/prises-en-charge/{pec_id}/tasks", name="pathway.tasks")
def get_tasks(pec_id: int, request: Request, on: dt.date | None = None) -> dict[str, Any]:
    day = on or _today(request)
    with _mapped():
        found = followup.task_list(_store(request), _regulation(request), pec_id, day)
    return {"on": day.isoformat(), "tasks": [jsonable.plain(t) for t in found]}


@router.post("/prises-en-charge/{pec_id}/tasks/done", name="pathway.task_done")
def post_task_done(pec_id: int, body: models.TaskDoneIn, request: Request) -> dict[str, Any]:
    with _mapped():
        followup.mark_done(
            _store(request), pec_id, body.kind, body.due_on, body.done_on, body.done_by
        )
    return {"done": True}


@router.post("/prises-en-charge/{pec_id}/stop", name="pathway.stop")
def post_stop(pec_id: int, body: models.StopIn, request: Request) -> dict[str, Any]:
    with _mapped():
        care.stop(_store(request), _regulation(request), pec_id, body.stopped_on, body.reason)
    return {"stopped_on": body.stopped_on.isoformat(), "reason": body.reason}


@router.get("/prises-en-charge/{pec_id}/end-report.pdf", name="pathway.end_report")
def get_end_report(pec_id: int, request: Request) -> Response:
    with _mapped():
        content = documents.issue_end_report(
            _store(request), _regulation(request), pec_id, _today(request), render.end_report
        )
    return _pdf(content, f"fin-de-prise-en-charge-{pec_id}.pdf")


def _pdf(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


def include(app: FastAPI) -> None:
    app.include_router(router)
