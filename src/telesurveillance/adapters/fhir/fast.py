"""A fast path for the common Observation shape of bulk imports (no model construction).

Building the R4B model costs ~100 µs per Observation, the whole budget of 10,000 readings a
second. Most device payloads have one shape: a status, a LOINC coding, `Patient/<id>`, an
`effectiveDateTime` and a UCUM `valueQuantity`. `readings` accepts exactly such an Observation
after the same checks as `observations.parse`, and returns None for anything else (another
element, another datatype, any doubt): the caller then takes the model path, which also
produces the refusal message. So the fast path can only accept what the model path accepts,
with the same readings; `tests/adapters/fhir/test_fast_path.py` checks it with hypothesis.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
from typing import Any

from telesurveillance.adapters.fhir import observations
from telesurveillance.domain.measures import instants, reading
from telesurveillance.domain.measures import table as measures

_TOP = frozenset(
    {
        "resourceType",
        "id",
        "identifier",
        "status",
        "category",
        "code",
        "subject",
        "effectiveDateTime",
        "valueQuantity",
        "device",
    }
)
#: FHIR R4 primitive patterns (http://hl7.org/fhir/R4/datatypes.html): id, string, code, uri.
ID = re.compile(r"[A-Za-z0-9\-\.]{1,64}")
STRING = re.compile(r"[ \r\n\t\S]+")
CODE = re.compile(r"[^\s]+( [^\s]+)*")
URI = re.compile(r"\S+")
PATIENT = re.compile(r"Patient/([1-9][0-9]{0,17})")  # ASCII digits, as ids.number
# FHIR dateTime with seconds and zone (the spec's regex, narrowed to full instants).
_INSTANT = re.compile(
    r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?"
    r"(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))"
)


#: Strings already matched, per pattern: systems, codes and units repeat on every line.
_MATCHED: dict[re.Pattern[str], set[str]] = {p: set() for p in (ID, STRING, CODE, URI)}
_MEMO = 4096


def text(value: object, pattern: re.Pattern[str] = STRING) -> bool:
    """Whether `value` is a str matching `pattern` entirely (remembered when it does)."""
    if type(value) is not str:
        return False
    matched = _MATCHED[pattern]
    if value in matched:
        return True
    if pattern.fullmatch(value) is None:
        return False
    if len(matched) < _MEMO:
        matched.add(value)
    return True


def _coding(value: object) -> bool:
    if type(value) is not dict or not value or not value.keys() <= {"system", "code", "display"}:
        return False
    return (
        text(value.get("system", "x"), URI)
        and text(value.get("code", "x"), CODE)
        and text(value.get("display", "x"))
    )


def _concept(value: object) -> bool:
    if type(value) is not dict or not value or not value.keys() <= {"coding", "text"}:
        return False
    codings = value.get("coding", [{"code": "x"}])
    if type(codings) is not list or not codings or not all(_coding(c) for c in codings):
        return False
    return text(value.get("text", "x"))


def _list_of(value: object, check: Any) -> bool:
    return type(value) is list and bool(value) and all(check(v) for v in value)


def _identifier(value: object) -> bool:
    if type(value) is not dict or not value or not value.keys() <= {"system", "value"}:
        return False
    return text(value.get("system", "x"), URI) and text(value.get("value", "x"))


def readings(
    resource: dict[str, Any], table: measures.Table, window: instants.Window
) -> list[reading.Reading] | None:
    """The readings of a common-shape Observation whose instant is in `window`, or None to take
    the model path (which refuses an instant outside the window with its reason)."""
    if not resource.keys() <= _TOP or resource.get("resourceType") != "Observation":
        return None
    status = resource.get("status")  # a JSON object or array here is unhashable: no `in` first
    if type(status) is not str or status not in observations.STORED_STATUSES:
        return None
    if "id" in resource and not text(resource["id"], ID):
        return None
    if "identifier" in resource and not _list_of(resource["identifier"], _identifier):
        return None
    if "category" in resource and not _category(resource["category"]):
        return None
    device = resource.get("device", {"reference": "x"})
    if type(device) is not dict or device.keys() != {"reference"}:
        return None
    if not text(device["reference"]):
        return None
    kind = _kind(resource.get("code"), table)
    subject = resource.get("subject")
    if kind is None or type(subject) is not dict or subject.keys() != {"reference"}:
        return None
    patient = subject["reference"]
    found = PATIENT.fullmatch(patient) if type(patient) is str else None
    ts = _ts(resource.get("effectiveDateTime"))
    value = _value(resource.get("valueQuantity"), kind)
    if found is None or ts not in window or value is None:
        return None
    assert ts is not None
    return [reading.Reading(int(found.group(1)), kind.id, ts, value)]


#: Recently validated `category` and `code` values: a bulk file repeats the same few, and a
#: deep `==` with a validated copy (C speed) proves the same checks hold. Only str leaves are
#: ever cached, so equality cannot confuse types (1 == True == 1.0 concerns numbers only).
_RECENT = 16
_categories: list[object] = []
_codes: list[tuple[object, measures.Table, measures.Kind | None]] = []


def _category(value: object) -> bool:
    if any(value == seen for seen in _categories):
        return True
    if not _list_of(value, _concept):
        return False
    _categories[:] = [copy.deepcopy(value), *_categories[: _RECENT - 1]]
    return True


def _kind(code: object, table: measures.Table) -> measures.Kind | None:
    for seen, seen_table, kind in _codes:
        if seen_table is table and code == seen:
            return kind
    kind = _kind_of(code, table)
    if kind is not None:
        _codes[:] = [(copy.deepcopy(code), table, kind), *_codes[: _RECENT - 1]]
    return kind


def _kind_of(code: object, table: measures.Table) -> measures.Kind | None:
    if not _concept(code):
        return None
    assert type(code) is dict
    for coding in code.get("coding", ()):
        if coding.get("system") == measures.LOINC and "code" in coding:
            if table.panel(coding["code"]) is not None:
                return None
            kind = table.by_loinc(coding["code"])
            if kind is not None:
                return kind
    return None


def _ts(value: object) -> int | None:
    if type(value) is not str or _INSTANT.fullmatch(value) is None:
        return None
    try:
        return reading.millis(dt.datetime.fromisoformat(value))
    except ValueError:
        return None


def _value(q: object, kind: measures.Kind) -> float | None:
    if type(q) is not dict or not q.keys() <= {"value", "unit", "system", "code"}:
        return None
    number = q.get("value")
    if not isinstance(number, int | float) or type(number) is bool or not math.isfinite(number):
        return None
    if q.get("system", measures.UCUM) != measures.UCUM or ("unit" in q and not text(q["unit"])):
        return None
    code = q.get("code")
    if not isinstance(code, str) or not text(code, CODE):
        return None
    try:
        return kind.normalise(float(number), code)
    except (measures.MeasurementError, OverflowError):
        return None
