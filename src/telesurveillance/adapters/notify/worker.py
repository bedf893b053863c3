"""The notification worker: one pass over the outbox with the configured channels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

import sqlalchemy as sa

from telesurveillance.adapters.sql.alerts import outbox
from telesurveillance.domain.measures import reading
from telesurveillance.services.alerts import outbox as service

DEFAULT_BACKOFF = service.Backoff()


def run_once(
    engine: sa.Engine,
    channels: Mapping[str, service.Channel],
    clock: Callable[[], dt.datetime],
    backoff: service.Backoff = DEFAULT_BACKOFF,
) -> service.Pass:
    """Queue the new transitions and send what is due, now."""
    return service.deliver(outbox.SqlOutbox(engine), channels, reading.millis(clock()), backoff)
