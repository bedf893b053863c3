"""The command line's tests read its English lines: they run it in English explicitly (French
is the default; tests/cli/test_cli_french.py checks the French ones)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELESURVEILLANCE_LANG", "en")
