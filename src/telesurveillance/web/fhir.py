"""FHIR R4 API (see issue: store and ingestion)."""

from __future__ import annotations

from fastapi import FastAPI


def include(app: FastAPI) -> None:
    """Mount the FHIR routes on `app`."""
