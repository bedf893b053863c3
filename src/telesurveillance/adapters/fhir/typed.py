"""Typed decode of the common device Observation: one NDJSON line straight into typed structs.

A bulk file repeats one shape: a status, a LOINC coding, `Patient/<id>`, the instant (an
`effectiveDateTime`, `effectiveInstant` or `effectivePeriod` to the second, with its zone), a
UCUM `valueQuantity`, and often a category, identifiers and a device. `Reader.parsed` decodes
such a line with msgspec into the structs below, whose types do most of the checks (JSON types,
required elements, no null, no empty array, no element we do not know: anything else is a
decode error) and then checks what types cannot say (the FHIR string patterns, the value sets,
the instant and its window, the unit and the plausible value), with the checks of `fast` and
the same results.

Anything it does not take returns None, and the caller takes the generic path (`json` then
`fast`, then the R4B model), which also produces the refusal message. So this path can only
accept what the model path accepts, with the same readings: the hypothesis test of
`tests/adapters/fhir/test_fast_path.py` compares it with the model path on valid and mutated
Observations.

The identifiers and the device are decoded as fields of `Observation` (the provenance of the
readings), for the caller to read.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated

import msgspec

from telesurveillance.adapters.fhir import fast, observations, provenance
from telesurveillance.domain.measures import instants, reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.services import ingest

#: The structs hold only strings, numbers and other such structs (no cycle can form): they
#: are left out of the cyclic garbage collector (`gc=False`), which a big import would
#: otherwise walk again and again.
_UNSET = msgspec.UNSET
_NON_EMPTY = msgspec.Meta(min_length=1)  # FHIR JSON: an array is never empty


class Coding(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    system: str | msgspec.UnsetType = _UNSET
    code: str | msgspec.UnsetType = _UNSET
    display: str | msgspec.UnsetType = _UNSET


class Concept(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    coding: Annotated[tuple[Coding, ...], _NON_EMPTY] | msgspec.UnsetType = _UNSET
    text: str | msgspec.UnsetType = _UNSET


class Reference(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    reference: str


class Identifier(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    system: str | msgspec.UnsetType = _UNSET
    value: str | msgspec.UnsetType = _UNSET


class Quantity(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    value: int | float
    code: str
    unit: str | msgspec.UnsetType = _UNSET
    system: str | msgspec.UnsetType = _UNSET


class Period(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    start: str | msgspec.UnsetType = _UNSET
    end: str | msgspec.UnsetType = _UNSET


class Observation(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel", gc=False
):
    """The common device Observation, element by element (FHIR R4 names, camelCase in JSON)."""

    resource_type: str
    status: str
    code: Concept
    subject: Reference
    value_quantity: Quantity
    id: str | msgspec.UnsetType = _UNSET
    identifier: Annotated[tuple[Identifier, ...], _NON_EMPTY] | msgspec.UnsetType = _UNSET
    category: Annotated[tuple[Concept, ...], _NON_EMPTY] | msgspec.UnsetType = _UNSET
    effective_date_time: str | msgspec.UnsetType = _UNSET
    effective_instant: str | msgspec.UnsetType = _UNSET
    effective_period: Period | msgspec.UnsetType = _UNSET
    device: Reference | msgspec.UnsetType = _UNSET


#: The nesting of the deepest line this decoder takes (Observation → category → Concept →
#: coding → Coding): a limit below it sends every line to the generic path, which applies it.
DEPTH = 5

DECODER = msgspec.json.Decoder(Observation)

#: A FHIR instant to the second with its zone (`fast`'s pattern), in parts: the date, hours,
#: minutes, seconds, fraction, and the offset's sign and hours:minutes (none for Z).
_PARTS = re.compile(
    r"(\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)"
    r"(?:\.(\d{1,6}))?(?:Z|([+-])((?:0\d|1[0-3]):[0-5]\d|14:00))"
)
_EPOCH = dt.date(1970, 1, 1)
_DAY_MS = 86_400_000
_ACTIONS = {
    "preliminary": ingest.Action.STORE,
    "final": ingest.Action.STORE,
    "amended": ingest.Action.REPLACE,
    "corrected": ingest.Action.REPLACE,
}
#: Distinct values remembered per reader (a bulk file repeats a few categories and codes).
_MEMO = 256
#: Distinct (kind, unit, number) conversions remembered per reader.
_VALUES = 65_536


class Reader:
    """Decodes the lines of one import against one measurement table and one window; it keeps
    what repeats from line to line (the checked categories and codes, the days' first instants)."""

    def __init__(self, table: measures.Table, window: instants.Window) -> None:
        self.table = table
        self.window = window
        self._categories: set[tuple[Concept, ...]] = set()
        self._kinds: dict[Concept, measures.Kind | None] = {}
        self._days: dict[str, int | None] = {}
        #: (kind, UCUM code, value as sent) → the canonical value (`Kind.normalise` is pure;
        #: a device sends the same few values: glucose in whole mg/dL, a weight to 100 g)
        self._values: dict[tuple[int, str, int | float], float | None] = {}

    def parsed(self, raw: bytes | str, line: int) -> ingest.Parsed | None:
        """The parsed line `line` when it is a common Observation whose readings are good, else
        None (the generic path decides, and says why it refuses)."""
        try:
            found = DECODER.decode(raw)
        except msgspec.DecodeError:  # ValidationError is a DecodeError
            return None
        if found.resource_type != "Observation":
            return None
        action = _ACTIONS.get(found.status)
        readings = None if action is None else self.readings(found)
        if readings is None:
            return None
        assert action is not None
        return ingest.Parsed(
            line,
            readings,
            where=where(found),
            action=action,
            identifiers=_identifiers(found),  # issue 17: who sent it
            device=None if found.device is _UNSET else provenance.device_of(found.device.reference),
        )

    def readings(self, found: Observation) -> list[reading.Reading] | None:
        """The reading of `found` (its status already known to store), or None."""
        if found.id is not _UNSET and not fast.text(found.id, fast.ID):
            return None
        if found.identifier is not _UNSET and not all(map(_identifier, found.identifier)):
            return None
        if found.category is not _UNSET and not self._category(found.category):
            return None
        if found.device is not _UNSET and not fast.text(found.device.reference):
            return None
        kind = self._kind(found.code)
        patient = fast.PATIENT.fullmatch(found.subject.reference)
        ts = self._effective(found)
        if kind is None or patient is None or ts is None:
            return None
        if not self.window.earliest <= ts <= self.window.latest:
            return None
        value = self._value(found.value_quantity, kind)
        if value is None:
            return None
        return [reading.Reading(int(patient.group(1)), kind.id, ts, value)]

    def _value(self, quantity: Quantity, kind: measures.Kind) -> float | None:
        """`_value`, remembered per kind, code and number once the quantity's elements are
        checked (the same elements give the same value: the cache skips the conversion only)."""
        if not _quantity(quantity):
            return None
        key = (kind.id, quantity.code, quantity.value)
        try:
            return self._values[key]
        except KeyError:
            pass
        value = _converted(quantity, kind)
        if len(self._values) < _VALUES:
            self._values[key] = value
        return value

    def _category(self, category: tuple[Concept, ...]) -> bool:
        if category in self._categories:
            return True
        if not all(map(_concept, category)):
            return False
        if len(self._categories) < _MEMO:
            self._categories.add(category)
        return True

    def _kind(self, code: Concept) -> measures.Kind | None:
        try:
            return self._kinds[code]
        except KeyError:
            pass
        kind = _kind_of(code, self.table) if _concept(code) else None
        if len(self._kinds) < _MEMO:
            self._kinds[code] = kind
        return kind

    def _effective(self, found: Observation) -> int | None:
        """The instant of `found` when it has exactly one effective[x], to the second."""
        instant, period = found.effective_instant, found.effective_period
        if found.effective_date_time is not _UNSET:
            if instant is not _UNSET or period is not _UNSET:
                return None
            return self.ts(found.effective_date_time)
        if instant is not _UNSET:
            return None if period is not _UNSET else self.ts(instant)
        if period is _UNSET:
            return None
        start = None if period.start is _UNSET else self.ts(period.start)
        end = None if period.end is _UNSET else self.ts(period.end)
        if period.start is not _UNSET and start is None:
            return None
        if period.end is not _UNSET and end is None:
            return None
        if start is not None and end is not None and end < start:  # FHIR per-1
            return None
        return start if end is None else end

    def ts(self, text: str) -> int | None:
        """UTC milliseconds of a FHIR instant to the second with its zone (the fraction beyond
        the millisecond dropped, as `reading.millis`), or None for anything else."""
        parts = _PARTS.fullmatch(text)
        if parts is None:
            return None
        day, hours, minutes, seconds, fraction, sign, offset = parts.groups()
        midnight = self._days.get(day, 0)
        if midnight == 0:
            midnight = self._days[day] = _midnight(day)
        if midnight is None:
            return None
        ts = midnight + int(hours) * 3_600_000 + int(minutes) * 60_000 + int(seconds) * 1000
        if fraction is not None:
            ts += int(fraction[:3].ljust(3, "0"))
        if sign is not None:
            shift = int(offset[:2]) * 3_600_000 + int(offset[3:]) * 60_000
            ts += -shift if sign == "+" else shift
        return ts


def _midnight(day: str) -> int | None:
    """UTC milliseconds of the start of `day` (UTC), or None when it is no calendar day."""
    try:
        return (dt.date.fromisoformat(day) - _EPOCH).days * _DAY_MS
    except ValueError:  # 30 February, year 0
        return None


def where(found: Observation) -> ingest.Where:
    """Where `found` names its instant (as `observations.where` says of the same JSON)."""
    if found.effective_instant is not _UNSET:
        return observations.INSTANT
    period = found.effective_period
    if found.effective_date_time is _UNSET and period is not _UNSET:
        return observations.PERIOD_END if period.end is not _UNSET else observations.PERIOD_START
    return ingest.OBSERVATION


def _coding(coding: Coding) -> bool:
    system, code, display = coding.system, coding.code, coding.display
    if system is _UNSET and code is _UNSET and display is _UNSET:
        return False  # an empty object
    return (
        (system is _UNSET or fast.text(system, fast.URI))
        and (code is _UNSET or fast.text(code, fast.CODE))
        and (display is _UNSET or fast.text(display))
    )


def _concept(concept: Concept) -> bool:
    if concept.coding is _UNSET:
        return concept.text is not _UNSET and fast.text(concept.text)
    return all(map(_coding, concept.coding)) and (concept.text is _UNSET or fast.text(concept.text))


def _identifiers(found: Observation) -> tuple[ingest.Identifier, ...]:
    """The identifiers as `provenance.identifiers` keeps them (one without a value is not)."""
    if found.identifier is _UNSET:
        return ()
    return tuple(
        (one.system if isinstance(one.system, str) else None, one.value)
        for one in found.identifier
        if isinstance(one.value, str)
    )


def _identifier(identifier: Identifier) -> bool:
    system, value = identifier.system, identifier.value
    if system is _UNSET and value is _UNSET:
        return False
    return (system is _UNSET or fast.text(system, fast.URI)) and (
        value is _UNSET or fast.text(value)
    )


def _kind_of(code: Concept, table: measures.Table) -> measures.Kind | None:
    """The measurement of the first LOINC coding of the table; None for a panel (the model
    path splits it) or when no coding names one."""
    for coding in () if code.coding is _UNSET else code.coding:
        if coding.system == measures.LOINC and coding.code is not _UNSET:
            if table.panel(coding.code) is not None:
                return None
            kind = table.by_loinc(coding.code)
            if kind is not None:
                return kind
    return None


def _quantity(quantity: Quantity) -> bool:
    """Whether the elements of `quantity` are good (a finite number, UCUM, FHIR strings)."""
    number = quantity.value
    if type(number) is float and not math.isfinite(number):
        return False
    if quantity.system is not _UNSET and quantity.system != measures.UCUM:
        return False
    if quantity.unit is not _UNSET and not fast.text(quantity.unit):
        return False
    return fast.text(quantity.code, fast.CODE)


def _converted(quantity: Quantity, kind: measures.Kind) -> float | None:
    """The canonical value of a checked `quantity`, None when the unit or value is refused."""
    try:
        return kind.normalise(float(quantity.value), quantity.code)
    except (measures.MeasurementError, OverflowError):
        return None
