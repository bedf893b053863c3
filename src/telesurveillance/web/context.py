"""What every handler reaches through `request.app.state.services`: the settings, the store's
ports (`composition.Store`), the packaged regulation and measurement tables, the clock and the
ingest listeners. Routers import this module, never `web.app` (which imports the routers)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from fastapi import FastAPI, Request

from telesurveillance import composition, config
from telesurveillance.domain.measures import reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.domain.regulation import store as regulation_store
from telesurveillance.web import clock

#: Called after each durable commit of new readings, in the same process (alert evaluation).
IngestListener = Callable[[Sequence[reading.Reading]], None]


@dataclass(frozen=True, slots=True)
class Services:
    """The application's context, built once by `web.app.create_app`."""

    settings: config.Settings
    store: composition.Store
    regulation: regulation_store.Regulation
    measures: measures.Table
    clock: clock.Clock
    after_ingest: list[IngestListener] = field(default_factory=list)


def of(request: Request) -> Services:
    """The context of the app answering `request`."""
    return of_app(request.app)


def of_app(app: FastAPI) -> Services:
    found: Services = app.state.services
    return found
