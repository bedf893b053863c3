"""What a Nightscout client reads back: the patient's glucose readings, newest first."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from telesurveillance.domain.measures import reading


class Store(Protocol):
    def newest(
        self,
        patient_id: int,
        kinds: Collection[int],
        *,
        since: int,
        until: int | None,
        limit: int,
        low: float | None = None,
        high: float | None = None,
    ) -> list[reading.Reading]:
        """The patient's readings of `kinds` in `[since, until)` (UTC ms), values within
        `[low, high]`, newest first, at most `limit`."""
        ...
