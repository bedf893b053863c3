"""The diabetes view of the patient page (CGM patients): one service call, then the geometry of
the server-rendered SVG figures (time-in-ranges bar, ambulatory glucose profile) handed to the
`_diabetes.html` partial. No script: the figures are plain SVG, styled by class (CSP)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from telesurveillance.domain.glycaemia import consensus, profile, report
from telesurveillance.services.glycaemia import view as glycaemia_view
from telesurveillance.web import context

#: The AGP figure: a 0-350 mg/dL axis over the modal day, as the standard AGP report draws it
#: (values above are drawn at the top).
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 60, 34, 16, 36
Y_MAX = 350.0
HOURS = (0, 3, 6, 9, 12, 15, 18, 21, 24)


@dataclass(frozen=True, slots=True)
class BandRow:
    name: str
    #: the range as the consensus writes it ("< 54", "54–69", "70–180", "> 250"), mg/dL
    limits: str
    percent: float
    minutes_per_day: int
    x: float
    width: float


@dataclass(frozen=True, slots=True)
class TargetRow:
    checked: report.Checked
    #: "tir", "below" or "above", and the limit(s) the message names
    kind: str
    limit: str


@dataclass(frozen=True, slots=True)
class Tick:
    at: float
    label: str
    #: hidden on a phone, where its label would overlap its neighbour's
    minor: bool = False


@dataclass(frozen=True, slots=True)
class Agp:
    outer: tuple[str, ...]
    inner: tuple[str, ...]
    median: tuple[str, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    range_low: float
    range_high: float
    plot: tuple[float, float, float, float]
    size: tuple[int, int] = (WIDTH, HEIGHT)


@dataclass(frozen=True, slots=True)
class Panel:
    report: report.Report
    bands: tuple[BandRow, ...]
    targets: tuple[TargetRow, ...]
    agp: Agp
    hourly: tuple[tuple[str, tuple[float, ...] | None], ...]

    @property
    def gmi_cite(self) -> consensus.Cite:
        return self.report.consensus.gmi_cite


def panel(request: Request, patient_id: int) -> Panel | None:
    """The diabetes view of the patient, or None when it does not apply (no diabetes follow-up,
    no sensor ever worn)."""
    services = context.of(request)
    found = glycaemia_view.diabetes_view(
        services.store.glycaemia, patient_id, services.clock(), services.measures
    )
    if found is None:
        return None
    return Panel(
        found.report,
        _bands(found.report),
        _targets(found.report.profile, found.report.targets),
        _agp(found.report),
        _hourly(found.report.modal_day),
    )


def _mg(value: float) -> str:
    return f"{value:g}"


def _limits(bands: tuple[consensus.Band, ...]) -> list[str]:
    out: list[str] = []
    for i, band in enumerate(bands):
        before = bands[i - 1] if i else None
        if before is None or before.bound is None:
            out.append(f"< {_mg(band.bound or 0)}")
        elif band.bound is None:
            out.append(f"> {_mg(before.bound)}")
        else:
            low = before.bound + 1 if before.inclusive else before.bound
            high = band.bound if band.inclusive else band.bound - 1
            out.append(f"{_mg(low)}–{_mg(high)}")
    return out


def _bands(found: report.Report) -> tuple[BandRow, ...]:
    rows: list[BandRow] = []
    x = 0.0
    for share, limits in zip(found.shares, _limits(found.profile.bands), strict=True):
        width = share.percent * 10  # the bar is 1000 units wide
        rows.append(
            BandRow(share.band.name, limits, share.percent, share.minutes_per_day, x, width)
        )
        x += width
    return tuple(rows)


def _targets(
    found: consensus.Profile, checked: tuple[report.Checked, ...]
) -> tuple[TargetRow, ...]:
    order = [b.name for b in found.bands]
    tir = order.index("tir")
    rows = []
    for item in checked:
        places = [order.index(b) for b in item.target.bands]
        if places == [tir]:
            rows.append(TargetRow(item, "tir", f"{_mg(found.range_low)}–{_mg(found.range_high)}"))
        elif max(places) < tir:
            bound = found.bands[max(places)].bound
            rows.append(TargetRow(item, "below", _mg(bound or 0)))
        else:
            bound = found.bands[min(places) - 1].bound
            rows.append(TargetRow(item, "above", _mg(bound or 0)))
    return tuple(rows)


def _x(minute: float) -> float:
    return round(LEFT + (WIDTH - LEFT - RIGHT) * minute / 1440, 1)


def _y(value: float) -> float:
    bounded = max(0.0, min(Y_MAX, value))
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - bounded / Y_MAX), 1)


def _runs(slots: tuple[profile.Slot, ...]) -> list[list[profile.Slot]]:
    """Consecutive slots with values: a curve breaks where a slot has too few readings."""
    runs: list[list[profile.Slot]] = []
    current: list[profile.Slot] = []
    for slot in slots:
        if slot.values is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(slot)
    if current:
        runs.append(current)
    return runs


def _mid(slot: profile.Slot) -> float:
    return slot.minute + profile.SLOT_MINUTES / 2


def _line(run: list[profile.Slot], index: int) -> list[str]:
    return [f"{_x(_mid(s))},{_y(s.values[index])}" for s in run if s.values is not None]


def _area(run: list[profile.Slot], low: int, high: int) -> str:
    upper = _line(run, high)
    lower = _line(run, low)
    return "M" + " L".join(upper + lower[::-1]) + " Z"


def _agp(found: report.Report) -> Agp:
    runs = _runs(found.modal_day)
    p5, p25, p50, p75, p95 = range(len(profile.PERCENTILES))
    thresholds = sorted(
        {b.bound for b in found.profile.bands if b.bound is not None} | {0.0, Y_MAX}
    )
    return Agp(
        outer=tuple(_area(r, p5, p95) for r in runs),
        inner=tuple(_area(r, p25, p75) for r in runs),
        median=tuple("M" + " L".join(_line(r, p50)) for r in runs),
        x_ticks=tuple(Tick(_x(h * 60), f"{h:02d}:00", h % 6 != 0) for h in HOURS),
        y_ticks=tuple(Tick(_y(v), _mg(v), 0 < v < found.profile.range_low) for v in thresholds),
        range_low=_y(found.profile.range_low),
        range_high=_y(found.profile.range_high),
        plot=(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM),
    )


def _hourly(slots: tuple[profile.Slot, ...]) -> tuple[tuple[str, tuple[float, ...] | None], ...]:
    """The percentiles at each full hour: the text alternative of the figure."""
    per_hour = 60 // profile.SLOT_MINUTES
    return tuple((f"{s.minute // 60:02d}:00", s.values) for s in slots[::per_hour])


def duration(minutes: int) -> tuple[int, int]:
    """Hours and minutes of a time per day."""
    return divmod(minutes, 60)
