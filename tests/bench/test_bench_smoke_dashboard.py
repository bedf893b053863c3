"""The dashboard benchmark runs end to end on a tiny population (seconds, not minutes), on
SQLite and on the PostgreSQL of the test command."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench import dashboard


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_the_dashboard_benchmark_times_the_worklist_and_the_patient_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], backend: str
) -> None:
    if backend == "postgresql" and not os.environ.get("TELESURVEILLANCE_TEST_PG_URL"):
        pytest.skip("no PostgreSQL: run through scripts/test (TELESURVEILLANCE_TEST_PG_URL)")
    figures = dashboard.run(
        ["--patients", "60", "--requests", "3", "--dir", str(tmp_path), "--backend", backend]
    )
    assert len(figures) == 3
    assert all(0 < f.p50_ms <= f.p95_ms for f in figures)
    assert all(f.statements > 0 for f in figures)
    assert all(f.cpu_ms > 0 for f in figures)
    printed = capsys.readouterr().out
    assert f"backend: {backend}" in printed
    assert "worklist (60 patients), counters in place" in printed
    assert "every counter rolled over" in printed
    assert "8,640 points" in printed
    assert "SQL statements per request" in printed
