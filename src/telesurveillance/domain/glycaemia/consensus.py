"""The consensus targets (`consensus.yaml`) as typed values: bands, share targets, the glucose
management indicator, the variability target and the data sufficiency, each with its citation.

The loader is strict: an unknown key, a band out of order, a target naming an unknown band or an
uncited block refuses the whole file, naming where.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

import yaml


class ConsensusError(ValueError):
    """`consensus.yaml` is malformed (the message names the element)."""


@dataclass(frozen=True, slots=True)
class Cite:
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Band:
    """A glucose band: values below `bound` (`inclusive`: up to and including it); the last band
    of a profile has no bound."""

    name: str
    bound: float | None
    inclusive: bool = False

    def holds(self, value: float) -> bool:
        if self.bound is None:
            return True
        return value <= self.bound if self.inclusive else value < self.bound


@dataclass(frozen=True, slots=True)
class Target:
    """The summed share of `bands` must be under (or over) `percent`."""

    name: str
    bands: tuple[str, ...]
    percent: float
    over: bool

    def met(self, share: float) -> bool:
        return share > self.percent if self.over else share < self.percent


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    indications: tuple[str, ...]
    bands: tuple[Band, ...]
    targets_for: str
    #: False when the consensus gives no share targets for this population (shown as reference)
    established: bool
    targets: tuple[Target, ...]
    cite: Cite

    def band_of(self, value: float) -> Band:
        return next(b for b in self.bands if b.holds(value))

    @property
    def range_low(self) -> float:
        """The lower limit of the target range (the bound of the band just below it)."""
        index = [b.name for b in self.bands].index("tir")
        bound = self.bands[index - 1].bound
        assert bound is not None
        return bound

    @property
    def range_high(self) -> float:
        bound = next(b for b in self.bands if b.name == "tir").bound
        assert bound is not None
        return bound


@dataclass(frozen=True, slots=True)
class Linear:
    intercept: Decimal
    slope: Decimal

    def __call__(self, x: float) -> float:
        return float(self.intercept + self.slope * Decimal(repr(x)))


@dataclass(frozen=True, slots=True)
class Consensus:
    gmi_percent: Linear
    gmi_cite: Cite
    cv_at_most: float
    variability_cite: Cite
    days: int
    active_at_least: float
    sufficiency_cite: Cite
    profiles: tuple[Profile, ...]

    def profile_for(self, indications: set[str] | frozenset[str]) -> Profile | None:
        """The first profile (in file order: pregnancy first, the patient's current state) that
        covers one of `indications`."""
        for profile in self.profiles:
            if indications & set(profile.indications):
                return profile
        return None


def _keys(raw: Any, where: str, required: set[str], optional: frozenset[str] = frozenset()) -> Any:
    if not isinstance(raw, dict):
        raise ConsensusError(f"{where}: a mapping is expected")
    missing = required - set(raw)
    unknown = set(raw) - required - optional
    if missing or unknown:
        raise ConsensusError(f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    return raw


def _cite(raw: Any, where: str) -> Cite:
    found = _keys(raw, f"{where}.cite", {"title", "url"})
    if not str(found["url"]).startswith("https://"):
        raise ConsensusError(f"{where}.cite.url: an https address is expected")
    return Cite(str(found["title"]), str(found["url"]))


def _linear(raw: Any, where: str) -> Linear:
    found = _keys(raw, where, {"intercept", "slope"})
    if not all(isinstance(v, str) for v in found.values()):
        raise ConsensusError(f"{where}: coefficients are strings (exact decimals)")
    return Linear(Decimal(found["intercept"]), Decimal(found["slope"]))


def _band(raw: Any, where: str, last: bool) -> Band:
    found = _keys(raw, where, {"name"}, frozenset({"below", "up_to"}))
    bounds = [k for k in ("below", "up_to") if k in found]
    if last != (not bounds) or len(bounds) > 1:
        raise ConsensusError(f"{where}: one of below/up_to, except on the last band")
    if last:
        return Band(str(found["name"]), None)
    return Band(str(found["name"]), float(found[bounds[0]]), bounds[0] == "up_to")


def _target(raw: Any, where: str, names: set[str]) -> Target:
    found = _keys(raw, where, {"name", "bands"}, frozenset({"over", "under"}))
    sides = [k for k in ("over", "under") if k in found]
    if len(sides) != 1:
        raise ConsensusError(f"{where}: exactly one of over/under")
    bands = tuple(str(b) for b in found["bands"])
    if not bands or set(bands) - names:
        raise ConsensusError(f"{where}.bands: unknown band in {list(bands)}")
    return Target(str(found["name"]), bands, float(found[sides[0]]), sides[0] == "over")


def _profile(raw: Any, where: str, cite_of: Any) -> Profile:
    keys = {"name", "indications", "bands", "targets_for", "established", "targets", "cite"}
    found = _keys(raw, where, keys)
    count = len(found["bands"])
    bands = tuple(
        _band(b, f"{where}.bands[{i}]", i == count - 1) for i, b in enumerate(found["bands"])
    )
    bounds = [b.bound for b in bands if b.bound is not None]
    if bounds != sorted(bounds) or len(set(bounds)) != len(bounds):
        raise ConsensusError(f"{where}.bands: bounds must rise")
    names = {b.name for b in bands}
    if "tir" not in names or len(names) != len(bands) or bands[0].name == "tir":
        raise ConsensusError(f"{where}.bands: unique names, `tir` inside the range")
    targets = tuple(
        _target(t, f"{where}.targets[{i}]", names) for i, t in enumerate(found["targets"])
    )
    return Profile(
        name=str(found["name"]),
        indications=tuple(str(i) for i in found["indications"]),
        bands=bands,
        targets_for=str(found["targets_for"]),
        established=found["established"] is True,
        targets=targets,
        cite=cite_of(found["cite"], where),
    )


def parse(text: str) -> Consensus:
    raw = _keys(
        yaml.safe_load(text),
        "consensus",
        {"sources", "gmi", "variability", "sufficiency", "profiles"},
    )
    gmi = _keys(raw["gmi"], "gmi", {"percent", "cite"})
    var = _keys(raw["variability"], "variability", {"cv_at_most", "cite"})
    enough = _keys(raw["sufficiency"], "sufficiency", {"days", "active_at_least", "cite"})
    profiles = tuple(
        _profile(p, f"profiles[{i}]", _cite) for i, p in enumerate(raw["profiles"] or [])
    )
    if not profiles:
        raise ConsensusError("profiles: at least one")
    return Consensus(
        gmi_percent=_linear(gmi["percent"], "gmi.percent"),
        gmi_cite=_cite(gmi["cite"], "gmi"),
        cv_at_most=float(var["cv_at_most"]),
        variability_cite=_cite(var["cite"], "variability"),
        days=int(enough["days"]),
        active_at_least=float(enough["active_at_least"]),
        sufficiency_cite=_cite(enough["cite"], "sufficiency"),
        profiles=profiles,
    )


@functools.cache
def packaged() -> Consensus:
    text = resources.files(__package__).joinpath("consensus.yaml").read_text(encoding="utf-8")
    return parse(text)
