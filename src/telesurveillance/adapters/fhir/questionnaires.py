"""QuestionnaireResponse → the total score reading (kind `score_symptomes`).

The total is carried by the top-level item with `linkId` "total" whose first answer is a
valueInteger or valueDecimal; the instant is `authored`; only a `completed` or `amended`
response is stored, and `authored` must lie in the plausible window (`domain.measures.instants`).
The questionnaire's canonical URL is not kept (a reading is patient, kind, instant, value).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fhir.resources.R4B import questionnaireresponse as r4b_qr

from telesurveillance.adapters.fhir import common, observations, outcome
from telesurveillance.domain.measures import instants, reading
from telesurveillance.domain.measures import table as measures

KIND = "score_symptomes"
STATUSES = ("in-progress", "completed", "amended", "entered-in-error", "stopped")
STORED = ("completed", "amended")


def parse(
    resource: dict[str, Any],
    table: measures.Table,
    window: instants.Window,
    resolve: observations.Resolver = observations.patient_reference,
) -> list[reading.Reading]:
    model = common.validate(r4b_qr.QuestionnaireResponse, resource, "QuestionnaireResponse")
    if model.status not in STATUSES:
        raise outcome.Invalid(
            f"status {model.status!r} is not a QuestionnaireResponse status",
            "QuestionnaireResponse.status",
            code="code-invalid",
        )
    if model.status not in STORED:
        raise outcome.Invalid(
            "only a completed (or amended) response is stored",
            "QuestionnaireResponse.status",
            code="business-rule",
        )
    if model.subject is None:
        raise outcome.Invalid(
            "the subject (a Patient) is required", "QuestionnaireResponse.subject", code="required"
        )
    patient_id = resolve(model.subject.reference, "QuestionnaireResponse.subject.reference")
    authored = model.authored
    if not isinstance(authored, dt.datetime) or authored.utcoffset() is None:
        raise outcome.Invalid(
            "authored must be an instant with a time zone",
            "QuestionnaireResponse.authored",
            code="required",
        )
    ts = reading.millis(authored)
    why = window.refusal(ts, authored.isoformat())
    if why is not None:
        raise outcome.Invalid(why, "QuestionnaireResponse.authored", code="value")
    for i, item in enumerate(model.item or []):
        if item.linkId != "total":
            continue
        where = f"QuestionnaireResponse.item[{i}].answer[0]"
        answer = item.answer[0] if item.answer else None
        value = None
        if answer is not None:
            value = answer.valueInteger if answer.valueInteger is not None else answer.valueDecimal
        if value is None:
            raise outcome.Invalid(
                "the total score needs a valueInteger or valueDecimal", where, code="required"
            )
        kind = table.by_name(KIND)
        try:
            score = kind.normalise(float(value), kind.unit, where)
        except measures.MeasurementError as error:
            raise outcome.Invalid(str(error), error.field, code="value") from None
        return [reading.Reading(patient_id, kind.id, ts, score)]
    raise outcome.Invalid(
        "the total score (item with linkId 'total') is required",
        "QuestionnaireResponse.item",
        code="required",
    )
