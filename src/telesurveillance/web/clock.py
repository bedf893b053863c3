"""The clock, read only at the edges and handed to services as an instant."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def system() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
