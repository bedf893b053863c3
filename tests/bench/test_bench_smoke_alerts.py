"""The alerts benchmark runs end to end on a tiny volume (seconds, not minutes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import alerts


def test_the_alerts_benchmark_measures_ingest_and_sweep(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = alerts.run(
        ["--patients", "300", "--rate", "500", "--seconds", "1", "--dir", str(tmp_path)]
    )
    assert figures.readings > 400
    assert figures.sweep_opened > 0
    assert figures.p50_all_ms > 0
    printed = capsys.readouterr().out
    assert "p99" in printed
    assert "sweep over 300 patients" in printed
