"""The measurement table: which LOINC codes we accept, in which units, within which bounds.

The table is data (`measurements.yaml`), not if-chains: adding a kind is adding an entry.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from importlib import resources
from typing import Any

import yaml

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"


class MeasurementError(ValueError):
    """A value we refuse; `field` names the faulty element (a FHIRPath-like location)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Kind:
    id: int
    name: str
    label: str
    loinc: tuple[str, ...]
    unit: str
    #: UCUM code → (factor, offset), exact: canonical = value × factor + offset
    units: dict[str, tuple[Fraction, Fraction]]
    low: float
    high: float

    def normalise(self, value: float, unit: str, field: str = "value") -> float:
        """The value in the canonical unit, rounded to 6 decimals; refuses unknown units and
        implausible values.

        A conversion is exact (`converted`): the decimal the client wrote times the rational
        factor of the table, rounded once: 98.6 [degF] is 37 Cel, not 36.99999999999999."""
        if unit not in self.units:
            accepted = ", ".join(sorted(self.units))
            raise MeasurementError(
                f"unit {unit!r} is not accepted for {self.label} (accepted UCUM codes: {accepted})",
                f"{field}.code",
            )
        if not math.isfinite(value):
            raise MeasurementError(f"value {value!r} is not a finite number", f"{field}.value")
        canonical = converted(value, *self.units[unit])
        if not self.low <= canonical <= self.high:
            raise MeasurementError(
                f"implausible {self.label}: {canonical:g} {self.unit} "
                f"(accepted {self.low:g}–{self.high:g} {self.unit})",
                f"{field}.value",
            )
        return canonical


#: Rounding of canonical values: 6 decimals (a microgram of weight, far below any device).
DECIMALS = 6
_SCALE = 10**DECIMALS
#: How close to a rounding tie (in units of the 6th decimal) the float computation may land
#: before the exact one decides: the float result is within a few ulps (~1e-13 relative) of the
#: exact value, far inside this margin.
_TIE_MARGIN = 1e-6


def converted(value: float, factor: Fraction, offset: Fraction) -> float:
    """`value × factor + offset` rounded to 6 decimals, as the exact computation on the decimal
    written (`repr` of the float) gives it.

    The float computation gives the same result unless the exact value lies next to a rounding
    tie (…5 at the 7th decimal): only then is the value recomputed with fractions (which cost
    ~50 µs, the float path ~1 µs)."""
    if factor == 1 and offset == 0:
        return float(round(value, DECIMALS))
    approx = value * float(factor) + float(offset)
    scaled = approx * _SCALE
    if math.isfinite(scaled) and abs(scaled - math.floor(scaled) - 0.5) > _TIE_MARGIN:
        return round(approx, DECIMALS)
    written = Fraction(value) if isinstance(value, int) else Fraction(repr(value))
    exact = round(written * factor + offset, DECIMALS)
    return float(exact)


@dataclass(frozen=True, slots=True)
class Panel:
    loinc: str
    name: str
    label: str
    components: tuple[str, ...]
    #: each component's value is at least the next one's (systolic ≥ diastolic)
    descending: bool = False


@dataclass(frozen=True)
class Table:
    kinds: tuple[Kind, ...]
    panels: tuple[Panel, ...]

    @functools.cached_property
    def _by_loinc(self) -> dict[str, Kind]:
        return {code: kind for kind in self.kinds for code in kind.loinc}

    def by_loinc(self, code: str) -> Kind | None:
        return self._by_loinc.get(code)

    def by_id(self, kind_id: int) -> Kind:
        for kind in self.kinds:
            if kind.id == kind_id:
                return kind
        raise KeyError(kind_id)

    def by_name(self, name: str) -> Kind:
        for kind in self.kinds:
            if kind.name == name:
                return kind
        raise KeyError(name)

    def panel(self, code: str) -> Panel | None:
        return next((p for p in self.panels if p.loinc == code), None)

    def panel_of(self, component_code: str) -> Panel | None:
        return next((p for p in self.panels if component_code in p.components), None)

    @functools.cached_property
    def ordered(self) -> tuple[tuple[Kind, Kind], ...]:
        """(higher, lower) kinds of the ordered panels: the lower must not exceed the higher
        at the same instant (diastolic above systolic is refused)."""
        pairs = []
        for panel in self.panels:
            if panel.descending:
                kinds = [self._by_loinc[c] for c in panel.components]
                pairs += list(itertools.pairwise(kinds))
        return tuple(pairs)

    def disorder(self, values: Mapping[int, float]) -> tuple[Kind, Kind] | None:
        """The first (higher, lower) pair out of order among `values` (kind id → value at one
        instant of one patient), or None."""
        for higher, lower in self.ordered:
            if higher.id in values and lower.id in values and values[lower.id] > values[higher.id]:
                return higher, lower
        return None


def disorder_text(higher: Kind, lower: Kind, values: Mapping[int, float]) -> str:
    """The refusal of an out-of-order pair (`Table.disorder`)."""
    return (
        f"{lower.label} {values[lower.id]:g} {lower.unit} is above the "
        f"{higher.label.lower()} {values[higher.id]:g} {higher.unit} at the same instant"
    )


def _exact(number: object, kind: str, unit: str) -> Fraction:
    """A factor or an offset of the table: an integer, or a string holding a decimal or a
    ratio ("0.45359237", "5/9"); a YAML float is refused (it would not be exact)."""
    if isinstance(number, bool) or not isinstance(number, int | str):
        raise ValueError(
            f"measurement table: {kind}'s conversion of {unit} must be an integer or a string "
            f"(a decimal or a ratio), got {number!r}"
        )
    try:
        return Fraction(number)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"measurement table: {kind}'s {unit} factor {number!r}") from None


def _kind(raw: dict[str, Any]) -> Kind:
    low, high = raw["plausible"]
    name = str(raw["name"])
    return Kind(
        id=int(raw["id"]),
        name=name,
        label=str(raw["label"]),
        loinc=tuple(str(c) for c in raw["loinc"]),
        unit=str(raw["unit"]),
        units={
            str(u): (_exact(f, name, str(u)), _exact(o, name, str(u)))
            for u, (f, o) in raw["units"].items()
        },
        low=float(low),
        high=float(high),
    )


def parse(text: str) -> Table:
    raw = yaml.safe_load(text)
    kinds = tuple(_kind(k) for k in raw["kinds"])
    ids = [k.id for k in kinds]
    codes = [c for k in kinds for c in k.loinc]
    if len(set(ids)) != len(ids) or len(set(codes)) != len(codes):
        raise ValueError("measurement table: duplicate kind id or LOINC code")
    for kind in kinds:
        if kind.unit not in kind.units or kind.units[kind.unit] != (Fraction(1), Fraction(0)):
            raise ValueError(f"measurement table: {kind.name}'s canonical unit must map to [1, 0]")
    panels = tuple(
        Panel(
            str(p["loinc"]),
            str(p["name"]),
            str(p["label"]),
            tuple(p["components"]),
            p.get("descending", False) is True,
        )
        for p in raw.get("panels", [])
    )
    for panel in panels:
        if any(c not in codes for c in panel.components):
            raise ValueError(f"measurement table: panel {panel.loinc} has an unknown component")
    return Table(kinds, panels)


@functools.cache
def packaged() -> Table:
    text = resources.files(__package__).joinpath("measurements.yaml").read_text(encoding="utf-8")
    return parse(text)
