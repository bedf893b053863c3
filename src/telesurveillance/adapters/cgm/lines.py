"""What a glucose source yields, line by line: readings with their origin, a skip, or a refusal.

Shared by the file exports (`libreview`, `clarity`) and the Nightscout upload API: a line is a
physical line of a file (1-based, the metadata and header lines counted) or the position of a
document in an uploaded JSON array. Parsing the same input twice yields equal results, which
idempotent ingestion relies on.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from enum import StrEnum

from telesurveillance.domain.measures import reading


class Source(StrEnum):
    LIBREVIEW = "libreview"
    CLARITY = "clarity"
    NIGHTSCOUT = "nightscout"


class Bound(StrEnum):
    """A value the sensor reports only as beyond its range ("Low"/"High", "LO"/"HI")."""

    BELOW = "below"
    ABOVE = "above"


class Skip(StrEnum):
    """Why a well-formed line carries no reading."""

    NOT_GLUCOSE = "not_glucose"  # insulin, food, notes, ketones, events
    SETTING = "setting"  # patient, device and alert-setting rows of an export
    DUPLICATE = "duplicate"  # same measurement and instant as an earlier line of the input
    SENSOR_ERROR = "sensor_error"  # a CGM error code in place of a value (Nightscout sgv < 39)
    CALIBRATION = "calibration"  # sensor calibration parameters, not a measurement


@dataclass(frozen=True, slots=True)
class Origin:
    """Who sent a reading: the sender's device identifier and, when it has one, its record id.

    `device` is the LibreView serial number, the Dexcom transmitter ID (else the source device),
    or the Nightscout `device` string; `record` is the sender's own identifier of the record
    (Dexcom transmitter time, Nightscout `identifier` or `_id`), `None` when the format has none.
    """

    source: Source
    device: str
    record: str | None = None


@dataclass(frozen=True, slots=True)
class Sourced:
    """A reading, where it came from, and whether its value is a sensor-range bound."""

    reading: reading.Reading
    origin: Origin
    bound: Bound | None = None


@dataclass(frozen=True, slots=True)
class Refusal:
    """A line we refuse: its number, why, and the column or member at fault."""

    line: int
    reason: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Line:
    """One input line: its readings, or why it has none (`skipped`), or why it is refused."""

    number: int
    readings: tuple[Sourced, ...] = ()
    skipped: Skip | None = None
    note: str = ""
    refusal: Refusal | None = None


class ExportError(ValueError):
    """The whole input is refused (not an export we know, ambiguous dates); `line` if known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message if line is None else f"line {line}: {message}")
        self.line = line


@dataclass(frozen=True, slots=True)
class Metadata:
    """What the file says about itself. `patient_name` is shown to the user to check they chose
    the right patient; it is never used as identity."""

    language: str = ""
    date_order: str = ""
    unit: str = ""
    delimiter: str = ","
    encoding: str = "utf-8"
    zone: str = ""
    exported_on: str = ""
    exported_by: str = ""
    patient_name: str = ""
    devices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Counts:
    lines: int
    readings: int
    by_kind: dict[int, int]
    skipped: dict[Skip, int]
    refused: int
    bounds: int


@dataclass(frozen=True, slots=True)
class Export:
    """A parsed export: every data line in input order, and the file's own metadata."""

    source: Source
    lines: tuple[Line, ...]
    metadata: Metadata = field(default_factory=Metadata)

    @property
    def readings(self) -> tuple[Sourced, ...]:
        return tuple(r for line in self.lines for r in line.readings)

    @property
    def refusals(self) -> tuple[Refusal, ...]:
        return tuple(line.refusal for line in self.lines if line.refusal is not None)

    def counts(self) -> Counts:
        found = self.readings
        skipped = collections.Counter(ln.skipped for ln in self.lines if ln.skipped is not None)
        return Counts(
            lines=len(self.lines),
            readings=len(found),
            by_kind=dict(collections.Counter(r.reading.kind for r in found)),
            skipped=dict(skipped),
            refused=len(self.refusals),
            bounds=sum(1 for r in found if r.bound is not None),
        )
