"""Observation ↔ readings: the checks the R4B model skips, unit normalisation, rendering.

The R4B model checks structure and datatypes; this module adds what we rely on: the `status`
value set (only results that stand are stored; `action` says whether a create stores, replaces
or withdraws), a subject that is a Patient, an effective time resolved to one instant
(`effective_time`: a dateTime at any precision down to the day, a period, an instant), a LOINC
code of the measurement table
(`domain/measures/measurements.yaml`), a UCUM Quantity in an accepted unit and a plausible value,
an instant inside the plausible window (`domain.measures.instants`: not beyond now plus the
clock tolerance, not before the LATM common law), numbers sent as JSON numbers and an id of at
most 64 characters (`common.checked`). A blood-pressure panel (85354-9) becomes one reading per
component at the same instant, its diastolic not above its systolic.

The original resource is not kept (a reading is ~24 bytes): category and the LOINC code
actually sent are dropped, and a reading is rendered back with its kind's first LOINC code, in
its canonical unit. Its provenance is kept apart (issue 17, `provenance`): the identifiers as
sent and the sender's Device are rendered back (`render`'s `identifiers` and `device`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fhir.resources.R4B import observation as r4b_observation
from pydantic import ValidationError

from telesurveillance.adapters.fhir import common, effective_time, ids, outcome
from telesurveillance.domain.measures import instants, reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.services import ingest

#: Observation.status (http://hl7.org/fhir/R4/valueset-observation-status.html).
STATUSES = frozenset(
    {
        "registered",
        "preliminary",
        "final",
        "amended",
        "corrected",
        "cancelled",
        "entered-in-error",
        "unknown",
    }
)
#: The statuses of a result that stands and is stored.
STORED_STATUSES = frozenset({"preliminary", "final", "amended", "corrected"})
#: The status of a withdrawn result (http://hl7.org/fhir/R4/codesystem-observation-status.html).
WITHDRAWN = "entered-in-error"


#: What a create of an Observation does with its readings, by its status (`ingest.Action`).
Action = ingest.Action


_ACTIONS = {
    "preliminary": Action.STORE,
    "final": Action.STORE,
    "amended": Action.REPLACE,
    "corrected": Action.REPLACE,
    WITHDRAWN: Action.WITHDRAW,
}


def action(resource: dict[str, Any]) -> Action:
    """The action of `resource`'s status (STORE for a status `parse` refuses anyway)."""
    status = resource.get("status")
    return _ACTIONS.get(status, Action.STORE) if isinstance(status, str) else Action.STORE


#: Our code system for kinds that have no LOINC code (the questionnaire total score).
KIND_SYSTEM = "urn:telesurveillance:measure-kind"

#: `resolve(reference, expression)` → the patient key (Bundles resolve `urn:uuid:` references).
Resolver = Callable[[str | None, str], int]


#: Where an Observation dated by `effectiveInstant`, and a QuestionnaireResponse, name their
#: patient, instant and value (`ingest.OBSERVATION` for the common `effectiveDateTime`).
INSTANT = ingest.Where(instant="Observation.effectiveInstant")
PERIOD_END = ingest.Where(instant="Observation.effectivePeriod.end")
PERIOD_START = ingest.Where(instant="Observation.effectivePeriod.start")
QUESTIONNAIRE = ingest.Where(
    "QuestionnaireResponse.subject", "QuestionnaireResponse.authored", "QuestionnaireResponse.item"
)


def where(resource: dict[str, Any]) -> ingest.Where:
    """Where `resource` names its patient and instant (for refusals decided at the write)."""
    if resource.get("resourceType") == "QuestionnaireResponse":
        return QUESTIONNAIRE
    if "effectiveInstant" in resource:
        return INSTANT
    period = resource.get("effectivePeriod")
    if "effectiveDateTime" not in resource and isinstance(period, dict):
        return PERIOD_END if period.get("end") is not None else PERIOD_START
    return ingest.OBSERVATION


def patient_reference(reference: str | None, expression: str) -> int:
    return ids.reference(reference, "Patient", expression)


def parse(
    resource: dict[str, Any],
    table: measures.Table,
    window: instants.Window,
    resolve: Resolver = patient_reference,
    *,
    withdrawals: bool = False,
) -> list[reading.Reading]:
    """The readings of one Observation (the reference path, through the R4B model) whose
    instant lies in `window`; with `withdrawals`, an `entered-in-error` one gives the readings
    it withdraws (the caller acts on `action(resource)`)."""
    if resource.get("resourceType") != "Observation":
        raise outcome.Invalid(
            f"expected an Observation, got {resource.get('resourceType')!r}",
            "resourceType",
            code="not-supported",
        )
    resource = effective_time.zero_filled(resource)
    try:
        model = r4b_observation.Observation.model_validate(resource)
    except ValidationError as error:
        raise outcome.from_validation(error, "Observation") from None
    common.checked(resource, model, "Observation")
    return readings_of(model, table, window, resolve, withdrawals=withdrawals)


def readings_of(
    model: r4b_observation.Observation,
    table: measures.Table,
    window: instants.Window,
    resolve: Resolver,
    *,
    withdrawals: bool = False,
) -> list[reading.Reading]:
    status = model.status
    if status not in STATUSES:
        raise outcome.Invalid(
            f"status {status!r} is not an Observation status", "Observation.status"
        )
    if status == WITHDRAWN and not withdrawals:
        raise outcome.Invalid(
            f"status {status!r}: a reading is withdrawn by POST /fhir/Observation alone "
            f"(here only a result that stands is stored: {', '.join(sorted(STORED_STATUSES))})",
            "Observation.status",
            code="business-rule",
        )
    if status not in STORED_STATUSES and status != WITHDRAWN:
        raise outcome.Invalid(
            f"status {status!r}: only a result that stands is stored "
            f"({', '.join(sorted(STORED_STATUSES))})",
            "Observation.status",
            code="business-rule",
        )
    if model.subject is None:
        raise outcome.Invalid(
            "the subject (a Patient) is required", "Observation.subject", code="required"
        )
    patient_id = resolve(model.subject.reference, "Observation.subject.reference")
    ts = effective_time.resolve(model, window).ts
    kind, panel = _code(model, table)
    if panel is not None:
        return _panel(model, panel, table, patient_id, ts)
    assert kind is not None
    if model.valueQuantity is None:
        raise outcome.Invalid(
            f"a valueQuantity is required for {kind.label}",
            "Observation.valueQuantity",
            code="required",
        )
    value = quantity(model.valueQuantity, kind, "Observation.valueQuantity")
    return [reading.Reading(patient_id, kind.id, ts, value)]


def _code(
    model: r4b_observation.Observation, table: measures.Table
) -> tuple[measures.Kind | None, measures.Panel | None]:
    codings = model.code.coding or []
    for coding in codings:
        if coding.system == measures.LOINC and coding.code:
            panel = table.panel(coding.code)
            if panel is not None:
                return None, panel
            kind = table.by_loinc(coding.code)
            if kind is not None:
                return kind, None
    loinc = [i for i, c in enumerate(codings) if c.system == measures.LOINC]
    if loinc:
        i = loinc[0]
        raise outcome.Invalid(
            f"LOINC code {codings[i].code!r} is not a measurement we accept",
            f"Observation.code.coding[{i}].code",
            code="code-invalid",
        )
    raise outcome.Invalid(
        f"a LOINC coding (system {measures.LOINC}) is required",
        "Observation.code.coding",
        code="code-invalid",
    )


def _panel(
    model: r4b_observation.Observation,
    panel: measures.Panel,
    table: measures.Table,
    patient_id: int,
    ts: int,
) -> list[reading.Reading]:
    found: dict[str, reading.Reading] = {}
    for i, component in enumerate(model.component or []):
        where = f"Observation.component[{i}]"
        codes = [
            c.code for c in component.code.coding or [] if c.system == measures.LOINC and c.code
        ]
        code = next((c for c in codes if c in panel.components), None)
        if code is None:
            raise outcome.Invalid(
                f"component is not one of {panel.label} ({', '.join(panel.components)})",
                f"{where}.code",
                code="code-invalid",
            )
        if code in found:
            raise outcome.Invalid(f"component {code} is given twice", f"{where}.code")
        kind = table.by_loinc(code)
        assert kind is not None
        if component.valueQuantity is None:
            raise outcome.Invalid(
                f"a valueQuantity is required for {kind.label}",
                f"{where}.valueQuantity",
                code="required",
            )
        value = quantity(component.valueQuantity, kind, f"{where}.valueQuantity")
        found[code] = reading.Reading(patient_id, kind.id, ts, value)
    missing = [c for c in panel.components if c not in found]
    if missing:
        raise outcome.Invalid(
            f"{panel.label} needs the components {', '.join(missing)}",
            "Observation.component",
            code="required",
        )
    values = {r.kind: r.value for r in found.values()}
    pair = table.disorder(values)
    if pair is not None:
        lower = next(i for i, code in enumerate(found) if found[code].kind == pair[1].id)
        raise outcome.Invalid(
            measures.disorder_text(*pair, values),
            f"Observation.component[{lower}].valueQuantity.value",
            code="value",
        )
    return [found[c] for c in panel.components]


def quantity(q: Any, kind: measures.Kind, where: str) -> float:
    """The canonical value of a Quantity element (value, UCUM system and code)."""
    if q.value is None:
        raise outcome.Invalid("the value is required", f"{where}.value", code="required")
    if q.system is not None and q.system != measures.UCUM:
        raise outcome.Invalid(f"the unit system must be UCUM ({measures.UCUM})", f"{where}.system")
    if q.code is None:
        raise outcome.Invalid(
            f"the UCUM unit code is required ({kind.unit} for {kind.label})",
            f"{where}.code",
            code="required",
        )
    try:
        return kind.normalise(float(q.value), q.code, where)
    except measures.MeasurementError as error:
        raise outcome.Invalid(str(error), error.field, code="value") from None


# --- Rendering ------------------------------------------------------------------------------


def _code_of(kind: measures.Kind) -> dict[str, Any]:
    if kind.loinc:
        coding = {"system": measures.LOINC, "code": kind.loinc[0], "display": kind.label}
    else:
        coding = {"system": KIND_SYSTEM, "code": kind.name, "display": kind.label}
    return {"coding": [coding], "text": kind.label}


def _quantity_of(kind: measures.Kind, value: float) -> dict[str, Any]:
    return {"value": value, "unit": kind.unit, "system": measures.UCUM, "code": kind.unit}


def effective(ts: int) -> str:
    return reading.instant(ts).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def render(
    rows: Sequence[reading.Reading],
    table: measures.Table,
    identifiers: Sequence[ingest.Identifier] = (),
    device: int | None = None,
) -> dict[str, Any]:
    """One stored reading, or the readings of one panel at one instant, as an Observation,
    with the `identifiers` its sender gave and the `device` that sent it when known."""
    first = rows[0]
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": ids.observation(first.patient_id, tuple(r.kind for r in rows), first.ts),
    }
    if identifiers:
        resource["identifier"] = [
            {"value": value} if system is None else {"system": system, "value": value}
            for system, value in identifiers
        ]
    resource["status"] = "final"
    if len(rows) == 1:
        kind = table.by_id(first.kind)
        resource["code"] = _code_of(kind)
    else:
        panel = table.panel_of(table.by_id(first.kind).loinc[0])
        assert panel is not None
        resource["code"] = {
            "coding": [{"system": measures.LOINC, "code": panel.loinc, "display": panel.label}],
            "text": panel.label,
        }
    resource["subject"] = {"reference": f"Patient/{first.patient_id}"}
    resource["effectiveDateTime"] = effective(first.ts)
    if len(rows) == 1:
        resource["valueQuantity"] = _quantity_of(table.by_id(first.kind), first.value)
    if device is not None:
        resource["device"] = {"reference": f"Device/{device}"}
    if len(rows) > 1:
        resource["component"] = [
            {"code": _code_of(k), "valueQuantity": _quantity_of(k, r.value)}
            for r in rows
            for k in (table.by_id(r.kind),)
        ]
    return resource
