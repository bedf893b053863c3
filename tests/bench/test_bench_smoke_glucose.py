"""The glucose import benchmark runs end to end on a tiny volume (seconds, not minutes)."""

from __future__ import annotations

from pathlib import Path

from bench import glucose_imports


def test_the_glucose_import_benchmark_measures_every_path(tmp_path: Path) -> None:
    figures = glucose_imports.run(["--days", "1", "--dir", str(tmp_path)])
    assert set(figures) == {
        f"{source} {label}"
        for source, labels in (
            ("libreview", ("first import", "again")),
            ("clarity", ("first import", "again")),
            ("nightscout", ("first upload", "again")),
        )
        for label in labels
    }
    assert all(rate > 0 for rate in figures.values())
