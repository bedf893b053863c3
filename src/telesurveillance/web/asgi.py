"""The application from the environment, for an ASGI server:

    uvicorn --factory telesurveillance.web.asgi:create

`telesurveillance serve` runs exactly this (the CLI names it by string: the CLI and the web
edges do not import each other). Migrations are applied by `create_app` on start.
"""

from __future__ import annotations

from fastapi import FastAPI

from telesurveillance import config
from telesurveillance.web import app


def create() -> FastAPI:
    return app.create_app(config.Settings.from_env())
