"""The dashboard benchmark runs end to end on a tiny population (seconds, not minutes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import dashboard


def test_the_dashboard_benchmark_times_the_worklist_and_the_patient_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = dashboard.run(["--patients", "60", "--requests", "3", "--dir", str(tmp_path)])
    assert len(figures) == 3
    assert all(0 < f.p50_ms <= f.p95_ms for f in figures)
    printed = capsys.readouterr().out
    assert "worklist (60 patients)" in printed
    assert "8,640 points" in printed
