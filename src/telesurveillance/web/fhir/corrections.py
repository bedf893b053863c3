"""The answer to a correction posted to `/fhir/Observation` (issue 17): an Observation whose
status is `amended` or `corrected` replaces the value of the reading at its key (patient, LOINC
kind, instant); one whose status is `entered-in-error` withdraws it
(`adapters/sql/core/corrections.py`, in the group commit's transaction).

- replaced: 200 with the reading as now stored (its status the one sent), and the alert
  listeners get the readings whose value was written;
- withdrawn: 200 with the reading as it was, status `entered-in-error`; when nothing is stored
  at that key (never sent, or already withdrawn) a 404 `not-found`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from telesurveillance.adapters.fhir import observations, outcome
from telesurveillance.domain.measures import reading
from telesurveillance.web.fhir import http


def answer(
    request: Request,
    resource: dict[str, Any],
    batch: Sequence[reading.Reading],
    written: Sequence[reading.Reading],
    action: observations.Action,
) -> Response:
    """`written`: the readings whose value was written (replaced), or removed (withdrawn)."""
    services = http.services(request)
    first = batch[0]
    if action is observations.Action.WITHDRAW:
        if not written:
            raise outcome.Invalid(
                f"no reading of Patient/{first.patient_id} is stored at "
                f"{observations.effective(first.ts)} for this code: nothing to withdraw",
                status=404,
                code="not-found",
            )
        withdrawn = observations.render(written, services.measures)
        withdrawn["status"] = observations.WITHDRAWN
        return http.respond(withdrawn, 200)
    http.notify(request, written)
    current = observations.render(batch, services.measures)  # the values now stored
    current["status"] = resource["status"]
    location = f"{http.base_url(request)}/Observation/{current['id']}"
    return http.respond(current, 200, {"Location": location})
