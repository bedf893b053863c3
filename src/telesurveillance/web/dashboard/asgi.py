"""`uvicorn telesurveillance.web.dashboard.asgi:app --factory`: the app over the configured store
(how `telesurveillance demo` serves without the CLI importing the web edge)."""

from __future__ import annotations

from fastapi import FastAPI

from telesurveillance import config
from telesurveillance.web import app as web_app


def app() -> FastAPI:
    return web_app.create_app(config.Settings.from_env())
