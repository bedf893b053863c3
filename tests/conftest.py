"""Shared fixtures: the packaged regulation, paths of the case files."""

from __future__ import annotations

from pathlib import Path

import pytest

from telesurveillance.domain.regulation import store

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"
SHARED_CASES = ROOT.parent / "shared" / "cases"


@pytest.fixture(scope="session")
def regulation() -> store.Regulation:
    return store.packaged()
