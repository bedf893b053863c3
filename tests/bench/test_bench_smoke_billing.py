"""The billing benchmark runs end to end on a small population, on SQLite and on the PostgreSQL
of the test command (figures are not checked)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_the_billing_benchmark_runs_on_a_small_population(tmp_path: Path, backend: str) -> None:
    if backend == "postgresql" and not os.environ.get("TELESURVEILLANCE_TEST_PG_URL"):
        pytest.skip("no PostgreSQL: run through scripts/test (TELESURVEILLANCE_TEST_PG_URL)")
    spec = importlib.util.spec_from_file_location("bench_billing", ROOT / "bench" / "billing.py")
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    figures = bench.main(
        [
            "--patients",
            "120",
            "--periods",
            "3",
            "--workers",
            "2",
            "--backend",
            backend,
            "--workdir",
            str(tmp_path / "bench"),
        ]
    )
    assert figures["backend"] == backend
    assert figures["judged_periods"] == 120 * 3
    assert 0 < figures["billable_periods"] <= figures["judged_periods"]
    assert figures["lines_written"] == 2 * figures["billable_periods"]
    assert figures["cpu_us_per_patient_period"] > 0
    assert figures["second_run_judged_periods"] < figures["judged_periods"]
    assert len(figures["ledger_digest"]) == 64
    assert figures["day_pairs"] == figures["counter_rows"]
    assert figures["raw_readings"] >= figures["counter_rows"]
    assert figures["ratio_duckdb_over_ours"] > 0
