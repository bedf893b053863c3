"""A long series is drawn thinned to each stretch's lowest and highest reading: no extreme is
ever dropped, the holes stay, and a short series is drawn whole."""

from __future__ import annotations

import itertools
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telesurveillance.domain.measures import drawn, gaps

FIVE_MINUTES = 300_000
MONTH = 30 * 288  # a reading every 5 minutes for 30 days


def _cgm(values: list[float]) -> tuple[list[int], list[float]]:
    return [k * FIVE_MINUTES for k in range(len(values))], values


def test_a_series_of_the_limit_or_fewer_readings_is_drawn_whole() -> None:
    xs, ys = gaps.with_gaps(*_cgm([120.0] * drawn.LIMIT))
    assert drawn.stretch_ms(xs, ys) is None
    assert drawn.thinned(xs, ys) == (xs, ys)


def test_one_reading_more_than_the_limit_is_thinned() -> None:
    xs, ys = gaps.with_gaps(*_cgm([120.0 + k % 7 for k in range(drawn.LIMIT + 1)]))
    assert drawn.stretch_ms(xs, ys) is not None
    assert len(drawn.thinned(xs, ys)[0]) < drawn.LIMIT + 1


def test_a_single_five_minute_hypoglycaemia_in_a_month_still_shows_at_its_depth() -> None:
    values = [120.0 + (k % 60) / 2 for k in range(MONTH)]
    values[4321] = 48.0  # one reading below 54 mg/dL
    instants, _ = _cgm(values)
    xs, ys = drawn.thinned(*gaps.with_gaps(instants, values))
    assert (instants[4321], 48.0) in zip(xs, ys, strict=True)
    assert min(y for y in ys if y is not None) == 48.0
    assert max(y for y in ys if y is not None) == max(values)
    assert len(xs) <= 2 * drawn.BUCKETS + 2


def test_the_thinned_line_keeps_its_holes_and_its_first_and_last_readings() -> None:
    values = [100.0 + k % 13 for k in range(MONTH)]
    instants, _ = _cgm(values)
    silent = instants[:3000] + [t + 3 * 3_600_000 for t in instants[3000:]]  # a 3-hour silence
    full_xs, full_ys = gaps.with_gaps(silent, values)
    xs, ys = drawn.thinned(full_xs, full_ys)
    assert ys.count(None) == full_ys.count(None) == 1
    hole = ys.index(None)
    assert xs[hole] == full_xs[full_ys.index(None)]
    assert (xs[hole - 1], xs[hole + 1]) == (silent[2999], silent[3000])
    assert (xs[0], ys[0], xs[-1], ys[-1]) == (silent[0], values[0], silent[-1], values[-1])


# A busy machine slows generation and runs; the property does not depend on time.
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=0, max_value=2**32),
    st.integers(min_value=drawn.LIMIT + 1, max_value=3000),
    st.integers(min_value=0, max_value=3000),
)
def test_every_stretch_keeps_its_lowest_and_highest_reading(
    seed: int, size: int, skip: int
) -> None:
    chance = random.Random(seed)
    values = [round(chance.uniform(20, 600), 1) for _ in range(size)]
    instants = [k * FIVE_MINUTES + (k > skip) * 86_400_000 * 2 for k in range(len(values))]
    full_xs, full_ys = gaps.with_gaps(instants, values)
    xs, ys = drawn.thinned(full_xs, full_ys)
    width = drawn.stretch_ms(full_xs, full_ys)
    assert width is not None
    kept = dict(zip(xs, ys, strict=True))
    assert set(kept.items()) <= set(zip(full_xs, full_ys, strict=True))  # real points, holes
    assert xs == sorted(xs)
    assert all(not (a is None and b is None) for a, b in itertools.pairwise(ys))
    for _, group in itertools.groupby(
        zip(instants, values, strict=True), key=lambda p: (p[0] - full_xs[0]) // width
    ):
        stretch = list(group)
        shown = {kept[x] for x, _ in stretch if x in kept}
        assert min(v for _, v in stretch) in shown
        assert max(v for _, v in stretch) in shown
