"""The ingestion benchmark runs end to end on a tiny volume (seconds, not minutes), on SQLite
and on the PostgreSQL of the test command (with 1 and 2 API workers there)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench import ingest


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_the_ingest_benchmark_measures_every_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], backend: str
) -> None:
    if backend == "postgresql" and not os.environ.get("TELESURVEILLANCE_TEST_PG_URL"):
        pytest.skip("no PostgreSQL: run through scripts/test (TELESURVEILLANCE_TEST_PG_URL)")
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
            "--backend",
            backend,
        ]
    )
    singles = [40] if backend == "sqlite" else [40, 40]  # 1 worker; 1 and 2 on PostgreSQL
    assert [f.count for f in figures] == [300, 300, 300, 300, *singles]
    assert all(f.rate > 0 for f in figures)
    printed = capsys.readouterr().out
    assert printed.startswith(backend)
    assert "× ceiling" in printed
    assert "bytes per stored reading" in printed
    if backend == "postgresql":
        assert "1 worker(s)" in printed
        assert "2 worker(s)" in printed


def test_the_ingest_benchmark_runs_the_bulk_imports_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bulk_only = ["--api-readings", "0", "--single", "0"]
    figures = ingest.run(
        ["--readings", "200", "--patients", "3", *bulk_only, "--dir", str(tmp_path)]
    )
    assert [f.name.split(" (")[0] for f in figures] == ["ceiling", "bulk import", "bulk import"]
    assert [f.count for f in figures] == [200, 200, 200]
    assert "API (" not in capsys.readouterr().out  # no figure of parts 2 and 3
