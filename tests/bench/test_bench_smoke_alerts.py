"""The alerts benchmark runs end to end on a tiny volume (seconds, not minutes), on SQLite and on
the PostgreSQL of the test command (in a database of its own)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench import alerts


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_the_alerts_benchmark_measures_ingest_and_sweep(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], backend: str
) -> None:
    if backend == "postgresql" and not os.environ.get("TELESURVEILLANCE_TEST_PG_URL"):
        pytest.skip("no PostgreSQL: run through scripts/test (TELESURVEILLANCE_TEST_PG_URL)")
    figures = alerts.run(
        [
            "--patients", "300", "--rate", "500", "--seconds", "1", "--dir", str(tmp_path),
            "--backend", backend,
        ]
    )  # fmt: skip
    assert figures.readings > 400
    assert figures.sweep_opened > 0
    assert figures.p50_all_ms > 0
    printed = capsys.readouterr().out
    assert "p99" in printed
    assert "sweep over 300 patients" in printed
    assert f"({'sqlite' if backend == 'sqlite' else 'postgresql'})" in printed
