"""Alerts benchmark: evaluation on ingest at a sustained rate, and the no-data sweep.

    python bench/alerts.py --patients 100000 --rate 3333 --seconds 60

Setup (not timed): a store (a SQLite file in --dir, or with `--backend postgresql` the
database `telesurveillance_bench_alerts`, dropped and created again, on the server of `--pg`)
with `patients` SYNTHETIC patients, each under one indication (the seven LATM activities in
turn) and with three days of baseline readings of its kinds, written through the normal write
path (counters and last readings kept).

A. Ingest: every `--batch-ms` a batch of `rate × batch` readings for random patients (about 2 %
   abnormal) is written durably (one commit, which also marks it in the evaluation outbox),
   then judged as the web app's ingest listener does (same thread, after the commit: the
   pending spans are read back, judged, and the alerts recorded with the spans' removal).
   Latency is measured per reading from its batch's durable accept (commit returned) to the
   commit of its alert row; the percentiles are over the readings that opened or updated an
   alert, and, for the record, over all readings (evaluation done). Lag says whether the
   pipeline kept up with the arrival rate.
   Targets: p50 ≤ 100 ms, p99 ≤ 1 s at 3,333 readings/s for 60 s over 100,000 patients.
B. Sweep: the no-data sweep over every active patient, four days after the baseline: first pass
   (opens the no-data alerts of the silent patients) and second pass (steady state, nothing
   new). Target ≤ 5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from telesurveillance.adapters.sql import database, migrate
from telesurveillance.adapters.sql.alerts import evaluation as alerts
from telesurveillance.adapters.sql.alerts import tables
from telesurveillance.adapters.sql.core import readings
from telesurveillance.adapters.sql.core import tables as schema
from telesurveillance.domain.alerts import ruleset
from telesurveillance.domain.measures import reading
from telesurveillance.services.alerts import evaluation, pending

START = dt.datetime(2026, 3, 2, 6, tzinfo=dt.UTC)
INDICATIONS = (
    "insuffisance_cardiaque",
    "diabete",
    "insuffisance_respiratoire",
    "insuffisance_renale",
    "diabete_gestationnel",
    "oncologie",
    "protheses_cardiaques_implantables",
)
#: kind id → (normal value, spread, abnormal value), per indication (measurements.yaml ids)
SIGNALS: dict[str, list[tuple[int, float, float, float]]] = {
    "insuffisance_cardiaque": [(1, 80, 0.3, 83), (4, 72, 5, 130), (2, 125, 8, 85)],
    "diabete": [(8, 140, 25, 60), (9, 130, 20, 50)],
    "insuffisance_respiratoire": [(5, 94, 1, 84), (4, 80, 6, 130)],
    "insuffisance_renale": [(1, 70, 0.3, 73), (2, 135, 8, 185), (3, 80, 5, 112)],
    "diabete_gestationnel": [(8, 100, 8, 130)],
    "oncologie": [(7, 37, 0.3, 38.6), (12, 3, 1, 8), (13, 1, 0.5, 4)],
    "protheses_cardiaques_implantables": [(4, 68, 5, 160)],
}
ABNORMAL = 0.02


@dataclass(frozen=True, slots=True)
class Figures:
    readings: int
    seconds: float
    rate: float
    alert_readings: int
    p50_ms: float
    p99_ms: float
    p50_all_ms: float
    p99_all_ms: float
    max_lag_ms: float
    sweep_first_s: float
    sweep_opened: int
    sweep_second_s: float


def _value(rng: random.Random, normal: float, spread: float, abnormal: float) -> float:
    if rng.random() < ABNORMAL:
        return abnormal
    return round(normal + rng.uniform(-spread, spread), 2)


def setup(engine: sa.Engine, patients: int, seed: int) -> None:
    rng = random.Random(seed)
    with database.writing(engine) as conn:
        conn.execute(sa.insert(schema.operateurs).values(id=1, name="Bench", kind="etablissement"))
        for start in range(1, patients + 1, 10_000):
            ids = range(start, min(patients, start + 9_999) + 1)
            conn.execute(
                sa.insert(schema.patients),
                [
                    {"id": i, "family": "SYNTHETIQUE", "birth_date": dt.date(1950, 1, 1),
                     "synthetic": True, "operateur_id": 1}
                    for i in ids
                ],
            )  # fmt: skip
            conn.execute(
                sa.insert(schema.prises_en_charge),
                [
                    {"patient_id": i, "operateur_id": 1, "starts_on": dt.date(2026, 1, 5),
                     "indication": INDICATIONS[i % len(INDICATIONS)]}
                    for i in ids
                ],
            )  # fmt: skip
    base = reading.millis(START - dt.timedelta(days=3))
    batch: list[reading.Reading] = []
    for p in range(1, patients + 1):
        # a tenth of the patients has sent nothing: the sweep finds them silent
        if p % 10 == 0:
            continue
        for kind, normal, spread, _ in SIGNALS[INDICATIONS[p % len(INDICATIONS)]]:
            for day in range(3):
                ts = base + day * 86_400_000 + rng.randrange(3_600_000)
                batch.append(reading.Reading(p, kind, ts, _value(rng, normal, spread, normal)))
        if len(batch) >= 50_000:
            with database.writing(engine) as conn:
                readings.store(conn, batch)
            batch = []
    with database.writing(engine) as conn:
        readings.store(conn, batch)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ingest(
    engine: sa.Engine, patients: int, rate: float, seconds: float, batch_ms: int, seed: int
) -> tuple[int, float, list[float], list[float], float, float]:
    """Commit a batch on schedule, then evaluate its new readings in the same thread, as the
    web app's request handler calls the ingest listener after its commit."""
    rng = random.Random(seed + 1)
    store = alerts.SqlAlerts(engine)
    sets = ruleset.packaged()
    per_batch = max(1, round(rate * batch_ms / 1000))
    batches = max(1, round(seconds * 1000 / batch_ms))
    alert_latencies: list[float] = []
    all_latencies: list[float] = []
    max_lag = 0.0
    writing = 0.0
    sent = 0
    began = time.perf_counter()
    for b in range(batches):
        due = began + b * batch_ms / 1000
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        max_lag = max(max_lag, time.perf_counter() - due)
        moment = START + dt.timedelta(milliseconds=b * batch_ms)
        base = reading.millis(moment)
        batch = []
        for i in range(per_batch):
            p = rng.randrange(1, patients + 1)
            kind, normal, spread, abnormal = rng.choice(SIGNALS[INDICATIONS[p % len(INDICATIONS)]])
            batch.append(reading.Reading(p, kind, base + i, _value(rng, normal, spread, abnormal)))
        written = time.perf_counter()
        with database.writing(engine) as conn:
            new = readings.store(conn, batch).new
        accepted = time.perf_counter()
        writing += accepted - written
        judged = pending.drain_readings(store, sets, new, moment)
        latency = (time.perf_counter() - accepted) * 1000
        all_latencies.extend([latency] * len(new))
        # every reading that opened or updated an alert waited for the same commit
        alert_latencies.extend([latency] * (len(judged.opened) + len(judged.updated)))
        sent += len(new)
    elapsed = time.perf_counter() - began
    return sent, elapsed, alert_latencies, all_latencies, max_lag * 1000, writing / batches * 1000


def sweep(engine: sa.Engine) -> tuple[float, int, float]:
    store = alerts.SqlAlerts(engine)
    sets = ruleset.packaged()
    now = START + dt.timedelta(days=4)
    t0 = time.perf_counter()
    first = evaluation.sweep(store, sets, now)
    t1 = time.perf_counter()
    evaluation.sweep(store, sets, now + dt.timedelta(minutes=1))
    t2 = time.perf_counter()
    return t1 - t0, len(first.opened), t2 - t1


def _pg_server(backend: str, pg: str | None) -> str | None:
    """The PostgreSQL server URL of `--backend postgresql` (`--pg`, else the
    TELESURVEILLANCE_TEST_PG_URL the test command sets), or None for SQLite."""
    if backend != "postgresql" and pg is None:
        return None
    found = pg or os.environ.get("TELESURVEILLANCE_TEST_PG_URL")
    if found is None:
        raise SystemExit("--backend postgresql needs --pg URL or TELESURVEILLANCE_TEST_PG_URL")
    return found


def _fresh(pg: str | None, name: str, folder: Path) -> str:
    """The URL of an empty store called `name`: `folder/name.sqlite3`, or the database
    `telesurveillance_bench_<name>` on `pg`."""
    if pg is None:
        path = folder / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        folder.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    server = sa.make_url(pg)
    database = f"telesurveillance_bench_{name}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        conn.exec_driver_sql(f"CREATE DATABASE {database}")
    admin.dispose()
    return server.set(database=database).render_as_string(hide_password=False)


def run(argv: list[str] | None = None) -> Figures:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=3333.0, help="readings per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--batch-ms", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=Path("bench-data/alerts"))
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--pg",
        default=None,
        help="a PostgreSQL server URL (implies --backend postgresql; default for that backend: "
        "TELESURVEILLANCE_TEST_PG_URL); the benchmark uses its own database there",
    )
    args = parser.parse_args(argv)
    pg = _pg_server(args.backend, args.pg)
    if pg is None:
        shutil.rmtree(args.dir, ignore_errors=True)
    url = _fresh(pg, "alerts", args.dir)
    engine = database.create(url)
    migrate.upgrade(engine)
    t0 = time.perf_counter()
    setup(engine, args.patients, args.seed)
    print(f"setup: {args.patients:,} SYNTHETIC patients in {time.perf_counter() - t0:.1f} s "
          f"({engine.dialect.name})")  # fmt: skip
    sent, elapsed, hits, every, lag, write_ms = ingest(
        engine, args.patients, args.rate, args.seconds, args.batch_ms, args.seed
    )
    with engine.connect() as conn:
        opened = conn.execute(sa.select(sa.func.count()).select_from(tables.alerts)).scalar()
    first_s, swept, second_s = sweep(engine)
    figures = Figures(
        readings=sent,
        seconds=round(elapsed, 2),
        rate=round(sent / elapsed, 1),
        alert_readings=len(hits),
        p50_ms=round(_percentile(hits, 0.5), 1),
        p99_ms=round(_percentile(hits, 0.99), 1),
        p50_all_ms=round(_percentile(every, 0.5), 1),
        p99_all_ms=round(_percentile(every, 0.99), 1),
        max_lag_ms=round(lag, 1),
        sweep_first_s=round(first_s, 2),
        sweep_opened=swept,
        sweep_second_s=round(second_s, 2),
    )
    print(
        f"A. ingest: {sent:,} readings in {elapsed:.1f} s = {figures.rate:,.0f} readings/s "
        f"(target {args.rate:,.0f}); max lag behind the schedule {figures.max_lag_ms} ms"
    )
    print(
        f"   {opened:,} alerts; accept → alert row over {len(hits):,} alerting readings: "
        f"p50 {figures.p50_ms} ms, p99 {figures.p99_ms} ms (targets 100 ms, 1,000 ms)"
    )
    print(
        f"   accept → evaluated over all readings: p50 {figures.p50_all_ms} ms, "
        f"p99 {figures.p99_all_ms} ms; mean {statistics.fmean(every or [0]):.1f} ms"
    )
    print(
        f"   per batch of {round(args.rate * args.batch_ms / 1000)} readings: durable write "
        f"{write_ms:.1f} ms (readings + counters), then the evaluation above "
        f"(budget {args.batch_ms} ms for both)"
    )
    print(f"B. sweep over {args.patients:,} patients: first {first_s:.2f} s ({swept:,} opened), "
          f"second {second_s:.2f} s (target 5 s)")  # fmt: skip
    engine.dispose()
    return figures


if __name__ == "__main__":
    run()
