"""Ingestion benchmark: the store's ceiling, then our bulk, batched-API and single-reading paths.

    python bench/ingest.py --readings 1000000
    python bench/ingest.py --readings 1000000 --backend postgresql [--pg URL] [--workers 1,2]

All in one run, on this machine, each on a fresh store: a SQLite file (WAL, synchronous=FULL), or
with `--backend postgresql` a database the benchmark drops and creates again on the server of
`--pg` (default: the TELESURVEILLANCE_TEST_PG_URL the test command sets):

0. Ceiling: what the database itself does, with no parsing, no checks and no day counters. SQLite:
   raw `sqlite3` executemany of pre-built, key-sorted tuples into a `readings` table of the same
   schema (WITHOUT ROWID, primary key patient, kind, ts), in transactions of 20,000 rows.
   PostgreSQL: `COPY` of the same rows into the migrated `readings` table (same schema, same
   primary key), in one transaction.
1. Bulk import: our `telesurveillance import` path over an NDJSON file of FHIR Observations
   (parse, fast-path checks, patient check, `readings.store` with the day counters, commits in
   chunks); and the same over CSV.
2. Batched API: `POST /fhir` batch Bundles of 1,000 Observations to a uvicorn server (its own
   process, security gate and audit trail included), over two keep-alive connections.
3. Single-reading API: `POST /fhir/Observation`, one reading per request, over `--concurrency`
   keep-alive connections, each answered after the durable (group) commit holding it; on
   PostgreSQL once per `--workers` count (default 1 and 2: `serve --workers N`), SQLite serving
   from one process.

Each figure is printed as readings/s (requests/s for 3) and as a ratio to the ceiling, with the
bytes per stored reading (SQLite: dbstat after VACUUM, and the file size per reading;
PostgreSQL: the `readings` heap, then with its primary key index); and, from a separate import
of `--identified` Observations each carrying one `identifier`, the bytes per reading of the
reading row and of the identifier kept apart (`reading_identifiers`, issue 17).

The load generator runs in this process; where `taskset` exists and the machine has two cores or
more, the server is pinned to the last core and this process to the others (printed).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from telesurveillance.adapters.fhir import bulk
from telesurveillance.adapters.sql import database, migrate
from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.fhir import observations
from telesurveillance.adapters.sql.security import accounts as security_accounts
from telesurveillance.domain.access import matrix, roles, writes
from telesurveillance.domain.measures import instants
from telesurveillance.domain.measures import table as measures
from telesurveillance.domain.regulation import store as regulation_store
from telesurveillance.services import ingest
from telesurveillance.services.security import accounts

START = int(dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp() * 1000)
STEP = 300_000  # a CGM reading every 5 minutes
TARGETS = {"bulk": 200_000, "batched": 50_000, "single": 1_600}
#: The plausible instants of the bulk import, as the server judges them (readings run from START
#: at one every STEP per patient: keep `--readings / --patients` small enough to end before now).
WINDOW = instants.window(
    dt.datetime.now(dt.UTC),
    instants.DEFAULT_TOLERANCE,
    regulation_store.packaged().common_law_start(),
)


@dataclass(frozen=True)
class Figure:
    name: str
    count: int
    seconds: float
    unit: str = "readings/s"

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


def _rows(n: int, patients: int, offset: int = 0) -> Iterator[tuple[int, int, int, float]]:
    """`n` CGM readings spread over `patients` (patient ids 1..patients), kind 9 (mg/dL)."""
    per = -(-n // patients)
    made = 0
    for patient in range(1, patients + 1):
        for i in range(per):
            if made == n:
                return
            yield patient, 9, START + (offset + i) * STEP, 90.0 + (i % 60)
            made += 1


def _observation(patient: int, ts: int, value: float, identified: bool = False) -> dict[str, Any]:
    moment = dt.datetime.fromtimestamp(ts / 1000, dt.UTC).isoformat().replace("+00:00", "Z")
    named = [{"system": "urn:bench:meter-record", "value": f"{patient}-{ts}"}] if identified else []
    return {
        "resourceType": "Observation",
        **({"identifier": named} if named else {}),
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "laboratory",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": "http://loinc.org", "code": "99504-3"}]},
        "subject": {"reference": f"Patient/{patient}"},
        "effectiveDateTime": moment,
        "valueQuantity": {
            "value": value,
            "unit": "mg/dL",
            "system": "http://unitsofmeasure.org",
            "code": "mg/dL",
        },
    }


#: The databases the benchmark (re)creates on a PostgreSQL server, one per stage: never one of
#: the caller's.
PG_DATABASE = "telesurveillance_bench_ingest_{stage}"


@dataclass(frozen=True)
class Backend:
    """Where each stage's fresh store is: SQLite files under `work`, or databases on `pg`."""

    work: Path
    pg: str | None = None

    @property
    def name(self) -> str:
        return "sqlite" if self.pg is None else "postgresql"

    def fresh(self, stage: str) -> str:
        """The URL of an empty store for `stage` (not migrated)."""
        if self.pg is None:
            path = self.work / f"{stage}.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
            return f"sqlite:///{path}"
        server = sa.make_url(self.pg)
        name = PG_DATABASE.format(stage=stage)
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
        admin.dispose()
        return server.set(database=name).render_as_string(hide_password=False)


def ceiling(backend: Backend, n: int, patients: int) -> Figure:
    rows = list(_rows(n, patients))
    url = backend.fresh("ceiling")
    if backend.pg is not None:
        return _pg_ceiling(url, rows)
    conn = sqlite3.connect(sa.make_url(url).database or "", isolation_level=None)
    for pragma in database.SQLITE_PRAGMAS:
        conn.execute(pragma)
    conn.execute(
        "CREATE TABLE readings (patient_id INTEGER NOT NULL, kind SMALLINT NOT NULL, "
        "ts BIGINT NOT NULL, value FLOAT NOT NULL, PRIMARY KEY (patient_id, kind, ts)) "
        "WITHOUT ROWID"
    )
    started = time.perf_counter()
    for start in range(0, len(rows), 20_000):
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO readings VALUES (?, ?, ?, ?)", rows[start : start + 20_000])
        conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return Figure("ceiling (raw sqlite3 executemany, sorted)", n, seconds)


def _pg_ceiling(url: str, rows: list[tuple[int, int, int, float]]) -> Figure:
    """COPY of the same rows into the migrated `readings` table (same schema and key)."""
    engine = database.create(url)
    migrate.upgrade(engine)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        started = time.perf_counter()
        with cursor.copy(  # type: ignore[attr-defined]
            "COPY readings (patient_id, kind, ts, value) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        raw.commit()
        seconds = time.perf_counter() - started
        cursor.close()
    finally:
        raw.close()
        engine.dispose()
    return Figure("ceiling (COPY into readings, sorted)", len(rows), seconds)


def _store(url: str, patients: int) -> sa.Engine:
    engine = database.create(url)
    migrate.upgrade(engine)
    with database.writing(engine) as conn:
        conn.execute(
            sa.insert(tables.patients),
            [
                {
                    "id": p,
                    "family": "SYNTHETIQUE",
                    "birth_date": dt.date(1950, 1, 1),
                    "synthetic": True,
                }
                for p in range(1, patients + 1)
            ],
        )
    return engine


def bulk_import(url: str, source: Path, n: int, patients: int, csv: bool) -> Figure:
    engine = _store(url, patients)
    table = measures.packaged()
    store = observations.SqlStore(engine)
    # read once per process, like the table and the store: off the clock
    judge = writes.Judge(matrix.packaged(), roles.CONSOLE)
    with source.open("rb") as handle:
        started = time.perf_counter()
        if csv:
            parsed = bulk.csv_rows((line.decode() for line in handle), table, WINDOW)
        else:
            parsed = bulk.ndjson(handle, table, WINDOW)
        sender = ingest.Source(ingest.SourceKind.IMPORT, label=source.name)  # as `import` does
        report = ingest.bulk(parsed, store, ingest.judged_by(judge), table=table, source=sender)
        seconds = time.perf_counter() - started
    engine.dispose()
    assert report.readings == n, report
    assert not report.rejected, report
    return Figure(f"bulk import ({'CSV' if csv else 'NDJSON'})", n, seconds)


def pinning(processes: int) -> tuple[list[str], str]:
    """(the server command's prefix, what was done): the server on the last core(s) and this
    process (the load generator) on the others, when the machine has a core left for it."""
    cores = sorted(os.sched_getaffinity(0))
    taskset = shutil.which("taskset")
    if taskset is None or len(cores) <= processes:
        return [], f"not pinned ({len(cores)} cores for {processes} server process(es) + client)"
    server = cores[-processes:]
    client = cores[: len(cores) - processes]
    os.sched_setaffinity(0, client)
    listed = ",".join(map(str, server))
    return [taskset, "-c", listed], f"server on core(s) {listed}, client on {client}"


def _token(engine: sa.Engine) -> str:
    """A new care-team API token (a médecin's) stored in `engine`, in clear."""
    token = accounts.TOKEN_PREFIX + secrets.token_urlsafe(32)
    security_accounts.SqlAccounts(engine).add_token(
        accounts.digest(token),
        "bench",
        roles.Role("medecin"),
        None,
        None,
        False,
        dt.datetime.now(dt.UTC),
        None,
    )
    return token


def _server(
    url: str, patients: int, workers: int = 1
) -> tuple[subprocess.Popen[bytes], int, str, str]:
    """A server (its own process(es), as in production: `telesurveillance serve --workers N`)
    over a fresh store, a token, and how it was pinned."""
    engine = _store(url, patients)
    token = _token(engine)
    engine.dispose()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = {
        **os.environ,
        "TELESURVEILLANCE_DATABASE_URL": url,
        "TELESURVEILLANCE_DATA_DIR": str(Path(tempfile.gettempdir())),
        "TELESURVEILLANCE_SECURE_COOKIES": "0",
        "TELESURVEILLANCE_TOKEN_RATE": "1e12",
        "TELESURVEILLANCE_TOKEN_BURST": "1e12",
    }
    prefix, pinned = pinning(workers)
    command = [
        *prefix,
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "telesurveillance.web.asgi:create",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    server = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 60 * workers
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("the benchmark server did not start") from None
            time.sleep(0.1)
    return server, port, token, pinned


async def _post_all(
    port: int, token: str, path: str, bodies: Sequence[bytes], connections: int, expect: int
) -> float:
    """POST every body over `connections` keep-alive HTTP/1.1 connections (a minimal client, so
    that the figure measures the server, not the client library)."""
    queue = iter(bodies)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n"
        "Content-Type: application/fhir+json\r\nContent-Length: "
    ).encode()

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for body in queue:
            writer.write(head + str(len(body)).encode() + b"\r\n\r\n" + body)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            answer = await reader.readexactly(length)
            status = int(status_line.split()[1])
            if status != expect:
                raise RuntimeError(f"{path}: {status} {answer[:300]!r}")
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return time.perf_counter() - started


def _ready(port: int, workers: int) -> None:
    """Off the clock: until the app answers (each worker builds it after the port opens)."""
    deadline = time.monotonic() + 60 * workers
    answered = 0
    while answered < 4 * workers:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/fhir/metadata", timeout=5).status_code == 200:
                answered += 1
                continue
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the benchmark server does not answer")
        time.sleep(0.1)


def _served(
    url: str,
    patients: int,
    path: str,
    bodies: Sequence[bytes],
    connections: int,
    expect: int,
    workers: int = 1,
) -> tuple[float, str]:
    cores = os.sched_getaffinity(0)
    server, port, token, pinned = _server(url, patients, workers)
    try:
        _ready(port, workers)
        return asyncio.run(_post_all(port, token, path, bodies, connections, expect)), pinned
    finally:
        os.sched_setaffinity(0, cores)
        server.terminate()
        server.wait(timeout=30)


def batched(backend: Backend, n: int, patients: int, size: int) -> Figure:
    rows = list(_rows(n, patients))
    bodies = []
    for start in range(0, len(rows), size):
        entries = [
            {
                "resource": _observation(p, ts, v),
                "request": {"method": "POST", "url": "Observation"},
            }
            for p, _k, ts, v in rows[start : start + size]
        ]
        bundle = {"resourceType": "Bundle", "type": "batch", "entry": entries}
        bodies.append(json.dumps(bundle).encode())
    url = backend.fresh("batched")
    seconds, pinned = _served(url, patients, "/fhir", bodies, 2, 200)
    return Figure(f"batched API (Bundles of {size}, uvicorn; {pinned})", n, seconds)


def single(backend: Backend, n: int, patients: int, connections: int, workers: int) -> Figure:
    bodies = [json.dumps(_observation(p, ts, v)).encode() for p, _k, ts, v in _rows(n, patients)]
    url = backend.fresh(f"single_{workers}")
    seconds, pinned = _served(url, patients, "/fhir/Observation", bodies, connections, 201, workers)
    return Figure(
        f"single-reading API ({connections} connections, {workers} worker(s); {pinned})",
        n,
        seconds,
        "requests/s",
    )


def footprint(url: str) -> tuple[float, float]:
    """Bytes per stored reading: SQLite (the `readings` table via dbstat, the whole file);
    PostgreSQL (the `readings` heap, heap and primary key index)."""
    table, whole, _named = footprints(url)
    return table, whole


def footprints(url: str) -> tuple[float, float, float]:
    """`footprint`, and the bytes per reading of the sender's identifiers kept apart (issue 17,
    `reading_identifiers`: SQLite its pages via dbstat, PostgreSQL its heap and index)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "postgresql":
        engine = database.create(url)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE readings")
            conn.exec_driver_sql("VACUUM ANALYZE reading_identifiers")
            rows = conn.exec_driver_sql("SELECT count(*) FROM readings").scalar_one()
            heap, total, named = conn.exec_driver_sql(
                "SELECT pg_relation_size('readings'), pg_total_relation_size('readings'), "
                "pg_total_relation_size('reading_identifiers')"
            ).one()
        engine.dispose()
        return heap / rows, total / rows, named / rows
    path = Path(parsed.database or "")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("VACUUM")
    rows = conn.execute("SELECT count(*) FROM readings").fetchone()[0]
    try:
        size = "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = ?"
        table = conn.execute(size, ("readings",)).fetchone()[0]
        named = conn.execute(size, ("reading_identifiers",)).fetchone()[0]
    except sqlite3.OperationalError:  # SQLite built without dbstat
        table = named = float("nan")
    conn.close()
    return table / rows, path.stat().st_size / rows, named / rows


def identified(backend: Backend, work: Path, n: int, patients: int) -> tuple[float, float]:
    """Bytes per reading when every Observation carries one identifier (issue 17): the reading
    row, and the identifier kept apart; from a bulk import of `n` such Observations."""
    source = work / "identified.ndjson"
    with source.open("w") as out:
        for p, _k, ts, v in _rows(n, patients):
            out.write(json.dumps(_observation(p, ts, v, identified=True)) + "\n")
    url = backend.fresh("bulk_identified")
    bulk_import(url, source, n, patients, csv=False)
    table, _whole, named = footprints(url)
    return table, named


def run(argv: Sequence[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readings", type=int, default=1_000_000)
    parser.add_argument("--patients", type=int, default=1_000)
    parser.add_argument("--bundle", type=int, default=1_000)
    parser.add_argument(
        "--api-readings", type=int, default=None, help="readings of part 2 (0: skip it)"
    )
    parser.add_argument("--single", type=int, default=20_000, help="requests of part 3 (0: skip)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--dir", type=Path, default=None, help="work directory (default: temp)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--identified",
        type=int,
        default=200_000,
        help="readings of the storage figure with one sender identifier each (issue 17)",
    )
    parser.add_argument(
        "--pg",
        default=None,
        help="a PostgreSQL server URL (implies --backend postgresql; default for that backend: "
        "TELESURVEILLANCE_TEST_PG_URL)",
    )
    parser.add_argument(
        "--workers",
        default="1,2",
        help="PostgreSQL: the worker counts of the single-reading API, comma-separated",
    )
    args = parser.parse_args(argv)
    pg = args.pg
    if pg is None and args.backend == "postgresql":
        pg = os.environ.get("TELESURVEILLANCE_TEST_PG_URL")
        if pg is None:
            raise SystemExit("--backend postgresql needs --pg URL or TELESURVEILLANCE_TEST_PG_URL")
    n, patients = args.readings, min(args.patients, args.readings)
    work = Path(args.dir or tempfile.mkdtemp(prefix="bench-ingest-"))
    work.mkdir(parents=True, exist_ok=True)
    backend = Backend(work, pg)
    # SQLite is served by one process (`serve` refuses several workers there)
    counts = [1] if pg is None else sorted({int(w) for w in args.workers.split(",")})
    out = sys.stdout
    out.write(f"{backend.name}: {n:,} readings, {patients:,} patients, work dir {work}\n")
    figures: list[Figure] = []

    def report(figure: Figure) -> None:
        figures.append(figure)
        top = figures[0].rate
        out.write(
            f"{figure.name:<48} {figure.rate:>10,.0f} {figure.unit:<11} "
            f"{figure.rate / top:>6.3f}× ceiling  ({figure.count:,} in {figure.seconds:.2f} s)\n"
        )
        out.flush()

    report(ceiling(backend, n, patients))
    ndjson, csv = work / "readings.ndjson", work / "readings.csv"
    with ndjson.open("w") as fj, csv.open("w") as fc:
        fc.write("patient,code,effective,value,unit\n")
        for p, _k, ts, v in _rows(n, patients):
            observation = _observation(p, ts, v)
            fj.write(json.dumps(observation) + "\n")
            fc.write(f"{p},99504-3,{observation['effectiveDateTime']},{v},mg/dL\n")
    bulk_url = backend.fresh("bulk")
    report(bulk_import(bulk_url, ndjson, n, patients, csv=False))
    table_bytes, file_bytes = footprint(bulk_url)
    what = (
        "(readings table, dbstat), {:.1f} (whole file incl. day counters)"
        if pg is None
        else "(readings heap), {:.1f} (heap and primary key index)"
    )
    out.write(f"bytes per stored reading: {table_bytes:.1f} {what.format(file_bytes)}\n")
    counted = min(args.identified, n)
    with_row, with_ids = identified(backend, work, counted, patients)
    out.write(
        f"bytes per reading with one sender identifier ({counted:,} readings): "
        f"{with_row:.1f} (reading) + {with_ids:.1f} (identifier, apart) = "
        f"{with_row + with_ids:.1f}\n"
    )
    report(bulk_import(backend.fresh("bulk_csv"), csv, n, patients, csv=True))
    # 0 skips a part (`--api-readings 0 --single 0`: the bulk imports alone)
    api = n if args.api_readings is None else min(args.api_readings, n)
    if api:
        report(batched(backend, api, patients, args.bundle))
    for workers in counts if args.single else ():
        report(single(backend, min(args.single, n), patients, args.concurrency, workers))
    out.write(
        "targets: bulk ≥ 200,000 readings/s (≥ 0.42× ceiling), batched API ≥ 50,000 readings/s, "
        "single-reading API ≥ 1,600 requests/s, ≤ 24 bytes per reading\n"
    )
    return figures


if __name__ == "__main__":
    run()
