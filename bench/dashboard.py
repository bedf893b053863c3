"""Dashboard benchmark: server-side latency of the worklist and of the patient page.

    python bench/dashboard.py --patients 10000 --requests 60 [--backend postgresql [--pg URL]]

Setup (not timed): a store (a SQLite file, or with `--backend postgresql` a database the
benchmark drops and creates again on the server of `--pg`, default TELESURVEILLANCE_TEST_PG_URL)
with `patients` SYNTHETIC patients in monitoring (per-day counters for the last 40 days written
straight into `reading_days` and `patient_days`, as ingestion keeps them; one patient in ten
irregular, so the at-risk section is full), a few hundred open alerts, and one diabetes patient
followed for about five months with 30 days of CGM (8,640 readings every 5 minutes, written
through `readings.store`).

Timed: `requests` GETs of each page through the real app (security gate included), in process
(Starlette's TestClient: no network), reported as p50 / p95 in milliseconds, with the SQL
statements the app sent per request (gate and audit included): a figure that does not depend on
the population's size, unlike the times; and the median CPU ms of this process a request (the
app runs in it; on PostgreSQL the server's own CPU is not counted). The worklist is
timed twice: with every prise en charge's current-period counter in place (every read but the
first of a period), and with the counters all dropped before each request (the worst first read:
every prise en charge rolled over at once and recounted). No cache: there is none any more.
Target: p95 ≤ 100 ms for the worklist (10,000 patients) and for the patient page with its
30-day chart data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from telesurveillance import config
from telesurveillance.adapters.sql import database, migrate
from telesurveillance.adapters.sql.alerts import tables as tables_alerts
from telesurveillance.adapters.sql.billing import synthetic
from telesurveillance.adapters.sql.core import readings, tables
from telesurveillance.adapters.sql.dashboard import counters
from telesurveillance.adapters.sql.security import accounts as security_accounts
from telesurveillance.domain import calendar
from telesurveillance.domain.access import roles
from telesurveillance.domain.measures import reading
from telesurveillance.domain.regulation import catalogue, store
from telesurveillance.services.security import accounts
from telesurveillance.web import app
from telesurveillance.web.security import hardening

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
INDICATIONS = ("insuffisance_cardiaque", "diabete", "insuffisance_respiratoire", "oncologie")
TARGET_MS = 100.0


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    p50_ms: float
    p95_ms: float
    requests: int
    #: SQL statements the app sent per request (gate and audit included): size-independent
    statements: float = 0.0
    #: CPU time of this process per request, median (the app runs in it; on PostgreSQL the
    #: server's own CPU is not included): what a loaded machine changes least
    cpu_ms: float = 0.0


#: The database the benchmark (re)creates on a PostgreSQL server, never one of the caller's.
PG_DATABASE = "telesurveillance_bench_dashboard_{patients}"


def rows_per_day(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    found: dict[tuple[object, object], int] = {}
    for row in rows:
        key = (row["patient_id"], row["day"])
        found[key] = found.get(key, 0) + int(str(row["n"]))
    return [{"patient_id": p, "day": d, "n": n} for (p, d), n in found.items()]


def _store(folder: Path, pg: str | None, patients: int) -> sa.Engine:
    if pg is None:
        path = folder / "dashboard.sqlite3"
        path.unlink(missing_ok=True)
        engine = database.create(f"sqlite:///{path}")
    else:
        server = sa.make_url(pg)
        name = PG_DATABASE.format(patients=patients)
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
        admin.dispose()
        engine = database.create(server.set(database=name).render_as_string(hide_password=False))
    migrate.upgrade(engine)
    return engine


def _populate(engine: sa.Engine, patients: int) -> int:
    """Write the population; return the id of the CGM patient."""
    with database.writing(engine) as conn:
        conn.execute(
            sa.insert(tables.operateurs),
            {
                "id": 1,
                "name": "Bench (synthétique)",
                "kind": "etablissement",
                "ars_declared_on": dt.date(2023, 7, 1),
            },
        )
        conn.execute(sa.insert(tables.exploitants), {"id": 1, "name": "Bench"})
        conn.execute(
            sa.insert(tables.dmns),
            {
                "id": 1,
                "exploitant_id": 1,
                "name": "DMN",
                "benefit": "organisationnel",
                "certified_from": dt.date(2023, 7, 1),
            },
        )
        conn.execute(
            sa.insert(tables.conventions),
            {"operateur_id": 1, "exploitant_id": 1, "signed_on": dt.date(2023, 1, 1)},
        )
        ids = range(1, patients + 1)
        conn.execute(
            sa.insert(tables.patients),
            [
                {
                    "id": i,
                    "family": f"Patient{i}",
                    "given": "Synthétique",
                    "birth_date": dt.date(1950, 1, 1),
                    "operateur_id": 1,
                    "synthetic": True,
                }
                for i in ids
            ],
        )
        starts = {i: TODAY - dt.timedelta(days=20 + i % 150) for i in ids}
        conn.execute(
            sa.insert(tables.prises_en_charge),
            [
                {
                    "id": i,
                    "patient_id": i,
                    "operateur_id": 1,
                    "indication": INDICATIONS[i % 4],
                    "dmn_id": 1,
                    "starts_on": starts[i],
                }
                for i in ids
            ],
        )
        # Valid under the rules: each for its indication's maximum, renewed on time up to today.
        regulation = store.packaged()
        conn.execute(
            sa.insert(tables.prescriptions),
            [
                {
                    "prise_en_charge_id": i,
                    "prescribed_on": rx.prescribed_on,
                    "months": rx.months,
                    "renewal": rx.renewal,
                }
                for i in ids
                for rx in synthetic.chain(
                    regulation,
                    catalogue.Indication(INDICATIONS[i % 4]),
                    starts[i],
                    (TODAY - starts[i]).days // 30 + 1,
                )
                if rx.prescribed_on <= TODAY
            ],
        )
        rows = []
        for i in ids:
            for back in range(1, 41):
                day = TODAY - dt.timedelta(days=back)
                if day >= starts[i] and (i % 10 != 0 or back % 3 == 0):
                    rows.append({"patient_id": i, "day": day, "kind": 1, "n": 1})
        conn.execute(sa.insert(tables.reading_days), rows)
        # what ingestion keeps with them: days with data per patient (any kind)
        conn.execute(sa.insert(counters.patient_days), rows_per_day(rows))
        now_ms = reading.millis(NOW)
        conn.execute(
            sa.insert(tables_alerts.alerts),
            [
                {
                    "patient_id": i,
                    "operateur_id": 1,
                    "indication": INDICATIONS[i % 4],
                    "rule_id": "bench.rule",
                    "rule_kind": "threshold",
                    "severity": ("high", "moderate", "low")[i % 3],
                    "status": "open",
                    "open_key": f"{i}:bench.rule",
                    "first_ts": now_ms - i * 1000,
                    "last_ts": now_ms,
                    "count": 1,
                    "implicated": "[]",
                    "message": "Seuil dépassé",
                    "opened_at": now_ms - i * 1000,
                    "last_seen_at": now_ms,
                    "version": 1,
                }
                for i in range(1, patients + 1, max(patients // 300, 1))
            ],
        )
    # A diabetes patient (id ≡ 1 mod 4) followed for long enough to have elapsed periods.
    cgm = max(i for i in range(1, min(145, patients) + 1) if i % 4 == 1)
    start = reading.millis(dt.datetime.combine(TODAY, dt.time(0), tzinfo=calendar.PARIS))
    points = [
        reading.Reading(cgm, 9, start - k * 300_000, 100.0 + (k % 60))
        for k in range(1, 30 * 288 + 1)
    ]
    with database.writing(engine) as conn:
        readings.store(conn, points)
    return cgm


def _client(engine: sa.Engine, data_dir: Path) -> TestClient:
    url = engine.url.render_as_string(hide_password=False)
    settings = config.Settings(database_url=url, data_dir=data_dir)
    options = hardening.Options(
        secure_cookies=False, token_rate=1_000_000.0, token_burst=1_000_000.0
    )
    client = TestClient(
        app.create_app(settings, engine=engine, now=lambda: NOW, security_options=options)
    )
    secret = accounts.TOKEN_PREFIX + secrets.token_urlsafe(32)
    security_accounts.SqlAccounts(engine).add_token(
        accounts.digest(secret), "bench", roles.Role.ADMINISTRATEUR, None, None, False, NOW, None
    )
    client.headers["Authorization"] = f"Bearer {secret}"
    return client


class _Statements:
    """Counts the SQL statements the engine sends (executemany counts once)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.count = 0
        self.engine = engine
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: object) -> None:
        self.count += 1

    def stop(self) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._seen)


def _time(
    client: TestClient,
    engine: sa.Engine,
    paths: Sequence[str],
    requests: int,
    cold: bool = False,
) -> tuple[float, float, float, float]:
    """p50 and p95 in ms of `requests` rounds of GETs of `paths`, statements per GET, and the
    median CPU ms of this process per round."""
    for path in paths:  # warm-up: templates compiled, counters built
        assert client.get(path).status_code == 200, path
    samples, cpu = [], []
    statements = _Statements(engine)
    sent = 0
    for _ in range(requests):
        if cold:  # every counter dropped: the next read rolls them all over
            with database.writing(engine) as conn:
                conn.execute(sa.delete(counters.worklist_periods))
        before = statements.count
        started, started_cpu = time.perf_counter(), time.process_time()
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        sent += statements.count - before
    statements.stop()
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95, sent / (requests * len(paths)), statistics.median(cpu)


def run(argv: Sequence[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg", default=None, help="a PostgreSQL server URL")
    parser.add_argument(
        "--only",
        choices=("worklist", "patient"),
        default=None,
        help="time one page only (the population is the same)",
    )
    args = parser.parse_args(argv)
    pg = args.pg
    if pg is None and args.backend == "postgresql":
        pg = os.environ.get("TELESURVEILLANCE_TEST_PG_URL")
        if pg is None:
            raise SystemExit("--backend postgresql needs --pg URL or TELESURVEILLANCE_TEST_PG_URL")
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    folder.mkdir(parents=True, exist_ok=True)
    engine = _store(folder, pg, args.patients)
    print(f"backend: {'sqlite' if pg is None else 'postgresql'}")
    started = time.perf_counter()
    cgm = _populate(engine, args.patients)
    print(f"setup: {args.patients} synthetic patients in {time.perf_counter() - started:.1f} s")
    client = _client(engine, folder)
    figures = []
    cgm_paths = [f"/ui/patients/{cgm}", f"/ui/patients/{cgm}/series?days=30"]
    timed = (
        (f"worklist ({args.patients} patients), counters in place", ["/ui/worklist"], False),
        (
            f"worklist ({args.patients} patients), every counter rolled over (first read)",
            ["/ui/worklist"],
            True,
        ),
        ("patient page + 30-day CGM chart data (8,640 points)", cgm_paths, False),
    )
    for name, paths, cold in timed:
        if args.only is not None and not name.startswith(args.only):
            continue
        p50, p95, statements, cpu = _time(client, engine, paths, args.requests, cold)
        figures.append(Figure(name, p50, p95, args.requests, statements, cpu))
        verdict = "OK" if p95 <= TARGET_MS else "ABOVE TARGET"
        print(
            f"{name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms (target ≤ {TARGET_MS:.0f}) {verdict}; "
            f"{statements:.1f} SQL statements per request; CPU {cpu:.1f} ms (this process)"
        )
    engine.dispose()
    return figures


if __name__ == "__main__":
    run(sys.argv[1:])
