"""The ingestion benchmark runs end to end on a tiny volume (seconds, not minutes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import ingest


def test_the_ingest_benchmark_measures_every_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = ingest.run(
        [
            "--readings",
            "300",
            "--patients",
            "7",
            "--bundle",
            "100",
            "--single",
            "40",
            "--concurrency",
            "4",
            "--dir",
            str(tmp_path),
        ]
    )
    assert [f.count for f in figures] == [300, 300, 300, 300, 40]
    assert all(f.rate > 0 for f in figures)
    printed = capsys.readouterr().out
    assert "× ceiling" in printed
    assert "bytes per stored reading" in printed
