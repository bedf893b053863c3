"""Uploading a CGM platform export (LibreView, Dexcom Clarity) from the patient page (issue 17).

A médecin or soignant picks the file the platform gave them; the readings are the patient's of
the page (the path, checked against the principal's scope by the gate; the name in the file is
only shown for checking). The handler reads the file up to `MAX_BYTES`, makes ONE service call
(`services.imports.cgm.import_file`, the same as `telesurveillance import FILE --patient ID`)
and renders its report: accepted, duplicates, skipped by reason, refused by line number,
reason and column. A file refused whole (not an export we know, dates that read both ways, too
large, empty) is answered on the same page, next to the field, with the form as it was sent
(the date order chosen is kept; a browser never refills a file field).

Every line is judged as this route (`dashboard.patient_upload`) on the patient it writes: a
principal outside the patient's scope writes nothing.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from telesurveillance.adapters.cgm import formats, localtime
from telesurveillance.domain.measures import instants, reading
from telesurveillance.services import ingest
from telesurveillance.services.imports import cgm, glucose
from telesurveillance.web import context
from telesurveillance.web.dashboard import render
from telesurveillance.web.security import gate

router = APIRouter(prefix="/ui", tags=["dashboard"])

ROUTE = "dashboard.patient_upload"
#: The largest export taken (10 MiB): a LibreView export of 90 days of a 15-minute sensor with
#: scans is about 3 MB, a Clarity export of 90 days of a 5-minute sensor about 4 MB.
MAX_BYTES = 10 * 1024 * 1024
#: Refused lines listed on the page (the counts give them all).
SHOWN = 200
#: The date orders offered (the empty choice: as the file's dates prove it).
ORDERS = ("", localtime.DateOrder.DAY_FIRST.value, localtime.DateOrder.MONTH_FIRST.value)

log = logging.getLogger(__name__)


class Problem(ValueError):
    """The file is refused whole: `key` is the message shown at the field, `detail` the
    parser's words (English) when it has some."""

    def __init__(self, key: str, detail: str = "", status: int = 400) -> None:
        super().__init__(key)
        self.key = key
        self.detail = detail
        self.status = status


@dataclass(frozen=True, slots=True)
class Shown:
    """What the page shows of one import."""

    filename: str
    found: cgm.FileReport
    skipped: tuple[tuple[str, int], ...]
    refused: tuple[ingest.Rejected, ...]

    @property
    def more_refused(self) -> int:
        return len(self.found.report.refused) - len(self.refused)


def _order(value: str) -> localtime.DateOrder | None:
    if not value:
        return None
    try:
        return localtime.DateOrder(value)
    except ValueError:
        raise Problem("upload.bad_order") from None


def _read(file: UploadFile) -> bytes:
    data = file.file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise Problem("upload.too_large", status=413)
    if not data.strip():
        raise Problem("upload.empty")
    return data


def _notify(services: context.Services, new: Sequence[reading.Reading]) -> None:
    """The ingest listeners (alert evaluation, the worklist cache): never fail the upload."""
    for listener in services.after_ingest:
        try:
            listener(new)
        except Exception:
            log.exception("ingest listener %r failed", listener)


def _form(
    request: Request,
    patient_id: int,
    *,
    order: str = "",
    shown: Shown | None = None,
    problem: Problem | None = None,
) -> HTMLResponse:
    return render.page(
        request,
        "upload.html",
        status=problem.status if problem is not None else 200,
        patient_id=patient_id,
        orders=ORDERS,
        order=order,
        max_mb=MAX_BYTES // (1024 * 1024),
        shown=shown,
        problem=problem,
    )


@router.get("/patients/{patient_id}/uploads", name="dashboard.patient_upload_form")
def upload_form(request: Request, patient_id: int) -> HTMLResponse:
    """The upload form alone (the patient page carries the same form)."""
    return _form(request, patient_id)


@router.post("/patients/{patient_id}/uploads", name=ROUTE, include_in_schema=False)
def upload(
    request: Request,
    patient_id: int,
    export: Annotated[UploadFile | None, File()] = None,
    date_order: Annotated[str, Form(max_length=8)] = "",
) -> HTMLResponse:
    """Import the uploaded export as readings of `patient_id`; the report."""
    services = context.of(request)
    try:
        if export is None or not export.filename:
            raise Problem("upload.missing")
        chosen = _order(date_order)
        data = _read(export)
        window = instants.window(
            services.clock(),
            services.settings.clock_tolerance,
            services.regulation.common_law_start(),
        )
        try:
            found = cgm.import_file(
                data,
                patient_id=patient_id,
                parse=formats.parse,
                store=services.store.readings,
                authorise=glucose.judged_as(gate.judge(request), ROUTE),
                table=services.measures,
                window=window,
                date_order=chosen,
                after_write=lambda new: _notify(services, new),
                source=ingest.source(
                    ingest.SourceKind.CGM_FILE, gate.principal(request), export.filename
                ),
            )
        except cgm.Unreadable as error:
            raise Problem("upload.unreadable", str(error), 422) from None
    except Problem as problem:
        return _form(request, patient_id, order=date_order, problem=problem)
    gate.written(request, found.report.ingested.patients)
    skipped = Counter(s.reason for s in found.report.skipped)
    shown = Shown(
        export.filename or "",
        found,
        tuple(sorted(skipped.items())),
        tuple(found.report.refused[:SHOWN]),
    )
    return _form(request, patient_id, order=date_order, shown=shown)
