"""The glucose import benchmark runs end to end on a tiny volume (seconds, not minutes), on
SQLite and on the PostgreSQL of the test command, each with its ceiling of the same run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench import glucose_imports


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_the_glucose_import_benchmark_measures_every_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], backend: str
) -> None:
    if backend == "postgresql" and not os.environ.get("TELESURVEILLANCE_TEST_PG_URL"):
        pytest.skip("no PostgreSQL: run through scripts/test (TELESURVEILLANCE_TEST_PG_URL)")
    figures = glucose_imports.run(["--days", "1", "--dir", str(tmp_path), "--backend", backend])
    assert set(figures) == {
        f"{source} {label}"
        for source, labels in (
            ("libreview", ("ceiling", "first import", "again")),
            ("clarity", ("ceiling", "first import", "again")),
            ("nightscout", ("first upload", "again")),
        )
        for label in labels
    }
    assert all(rate > 0 for rate in figures.values())
    printed = capsys.readouterr().out
    assert printed.startswith(f"backend: {backend}")
    assert "× ceiling" in printed
