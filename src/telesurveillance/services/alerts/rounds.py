"""One round of the alerts worker (`telesurveillance alerts run`): the catch-up of readings
stored but not yet judged, the no-data sweep over every active patient, then the notification
outbox.

Each step reads the clock when it starts (a long catch-up does not age the sweep's "now").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from telesurveillance.domain.alerts import ruleset
from telesurveillance.domain.measures import instants, reading
from telesurveillance.services.alerts import evaluation, outbox, pending, ports

DEFAULT_BACKOFF = outbox.Backoff()


@dataclass(frozen=True, slots=True)
class Round:
    caught: pending.Judged
    swept: evaluation.Recorded
    sent: outbox.Pass


def run_once(
    store: ports.Evaluation,
    notifications: outbox.Outbox,
    sets: ruleset.RuleSets,
    channels: Mapping[str, outbox.Channel],
    clock: Callable[[], dt.datetime],
    tolerance: dt.timedelta = instants.DEFAULT_TOLERANCE,
    backoff: outbox.Backoff = DEFAULT_BACKOFF,
) -> Round:
    """Catch up, sweep, notify: what each step did."""
    caught = pending.catch_up(store, sets, clock())
    swept = evaluation.sweep(store, sets, clock(), tolerance)
    sent = outbox.deliver(notifications, channels, reading.millis(clock()), backoff)
    return Round(caught, swept, sent)
