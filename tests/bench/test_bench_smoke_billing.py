"""The billing benchmark runs end to end on a small population (figures are not checked)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_billing_benchmark_runs_on_a_small_population(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_billing", ROOT / "bench" / "billing.py")
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    figures = bench.main(
        ["--patients", "120", "--periods", "3", "--workdir", str(tmp_path / "bench")]
    )
    assert figures["judged_periods"] == 120 * 3
    assert 0 < figures["billable_periods"] <= figures["judged_periods"]
    assert figures["lines_written"] == 2 * figures["billable_periods"]
    assert figures["day_pairs"] == figures["counter_rows"]
    assert figures["raw_readings"] >= figures["counter_rows"]
    assert figures["ratio_duckdb_over_ours"] > 0
