"""The glycaemia report of one patient over a window: the standardised CGM metrics of the
International Consensus on Time in Range (Battelino et al., Diabetes Care 2019) — days of data
and time the sensor was active, mean glucose, GMI, coefficient of variation, time in ranges
against the targets of the patient's population — and the ambulatory glucose profile."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from telesurveillance.domain import calendar
from telesurveillance.domain.glycaemia import consensus, metrics
from telesurveillance.domain.glycaemia import profile as agp
from telesurveillance.domain.measures import reading


@dataclass(frozen=True, slots=True)
class Checked:
    """One target and the share it reads, with the verdict."""

    target: consensus.Target
    percent: float

    @property
    def met(self) -> bool:
        return self.target.met(self.percent)


@dataclass(frozen=True, slots=True)
class Report:
    profile: consensus.Profile
    consensus: consensus.Consensus
    start_ms: int
    end_ms: int
    count: int
    days_with_data: int
    active_percent: float
    mean: float | None
    gmi_percent: float | None
    cv: float | None
    shares: tuple[metrics.Share, ...]
    targets: tuple[Checked, ...]
    modal_day: tuple[agp.Slot, ...]

    @property
    def first_day(self) -> dt.date:
        return calendar.paris_day(reading.instant(self.start_ms))

    @property
    def last_day(self) -> dt.date:
        return calendar.paris_day(reading.instant(self.end_ms - 1))

    @property
    def sufficient(self) -> bool:
        """Enough data for a reliable reading: the sensor active at least 70 % of the window
        (the window being the 14 days the consensus asks for)."""
        return self.active_percent >= self.consensus.active_at_least

    @property
    def cv_stable(self) -> bool | None:
        return None if self.cv is None else self.cv <= self.consensus.cv_at_most


def assess(
    rules: consensus.Consensus,
    found: consensus.Profile,
    instants: Sequence[int],
    values: Sequence[float],
    start_ms: int,
    end_ms: int,
) -> Report:
    """The report of the readings (`instants` in UTC ms, sorted; `values` in mg/dL) that fall in
    `[start_ms, end_ms)`."""
    if len(instants) != len(values):
        raise ValueError("as many values as instants are expected")
    first = bisect.bisect_left(instants, start_ms)
    last = bisect.bisect_left(instants, end_ms, lo=first)
    ts, vs = instants[first:last], values[first:last]
    walls = calendar.paris_wall_ms(ts)  # once, for the days and the modal day
    average = metrics.mean(vs)
    bands = metrics.shares(vs, found)
    return Report(
        profile=found,
        consensus=rules,
        start_ms=start_ms,
        end_ms=end_ms,
        count=len(vs),
        days_with_data=len({wall // calendar.DAY_MS for wall in walls}),
        active_percent=metrics.active_percent(ts, start_ms, end_ms),
        mean=average,
        gmi_percent=None if average is None else rules.gmi_percent(average),
        cv=metrics.coefficient_of_variation(vs),
        shares=bands,
        targets=tuple(Checked(t, metrics.share_of(bands, t.bands)) for t in found.targets if vs),
        modal_day=agp.modal_day_of_walls(walls, vs),
    )
