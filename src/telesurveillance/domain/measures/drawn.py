"""What a chart draws of a long series: a month of CGM is 8,640 readings for a chart some
700 pixels wide, a dozen readings per pixel. Above `LIMIT` readings the series is cut into
`BUCKETS` equal stretches of time, and each stretch keeps its lowest and its highest reading
(at their own instants, in time order), with the first and last reading of every unbroken
line: no extreme is ever dropped (a single 5-minute hypoglycaemia still shows, at its depth),
only readings a pixel could not show apart from their neighbours. The holes of
`domain.measures.gaps` are kept as they are. Pure."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

#: series up to this many readings are drawn whole
LIMIT = 2_000
#: stretches of time a longer series is cut into (each keeps at most its lowest and highest)
BUCKETS = 1_000


def thinned(xs: Sequence[int], ys: Sequence[float | None]) -> tuple[list[int], list[float | None]]:
    """The points to draw of a series with its holes (`gaps.with_gaps`: None where the line
    breaks), instants in UTC ms in order; the series itself when it has `LIMIT` readings or
    fewer."""
    width = stretch_ms(xs, ys)
    if width is None:
        return list(xs), list(ys)
    keep: list[int] = []
    start = 0
    for end in [i for i, y in enumerate(ys) if y is None] + [len(ys)]:
        line = [y for y in ys[start:end] if y is not None]  # no hole inside a line
        keep += (start + i for i in _extremes(xs[start:end], line, xs[0], width))
        if end < len(ys):
            keep.append(end)  # the hole itself
        start = end + 1
    return [xs[i] for i in keep], [ys[i] for i in keep]


def stretch_ms(xs: Sequence[int], ys: Sequence[float | None]) -> int | None:
    """The length of the stretches `thinned` cuts the series into (ms), or None when it is
    drawn whole."""
    if sum(1 for y in ys if y is not None) <= LIMIT:
        return None
    return max(1, -(-(xs[-1] - xs[0] + 1) // BUCKETS))  # ceiling: BUCKETS stretches at most


def _extremes(xs: Sequence[int], ys: Sequence[float], origin: int, width: int) -> list[int]:
    """Indices kept of one unbroken line: its ends, and each stretch's lowest and highest
    reading (the first met when equal), in order. Stretches are found by bisection and read
    with `min` / `max` over slices (C loops: thousands of readings a chart)."""
    if not ys:
        return []
    kept = {0, len(ys) - 1}
    start = 0
    while start < len(ys):
        bound = origin + ((xs[start] - origin) // width + 1) * width
        end = bisect.bisect_left(xs, bound, lo=start + 1)
        stretch = ys[start:end]
        kept.add(start + stretch.index(min(stretch)))
        kept.add(start + stretch.index(max(stretch)))
        start = end
    return sorted(kept)
