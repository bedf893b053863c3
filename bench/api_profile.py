"""Profile the API ingestion paths in process (issue 18): the app over httpx's ASGI transport,
no server, no network, so the profile shows the application's own work.

    python bench/api_profile.py bundle [--backend postgresql] [--bundles 5] [--size 1000]
    python bench/api_profile.py single [--backend postgresql] [--requests 500] [--clients 16]

`bundle` POSTs batch Bundles of `--size` Observations, each naming its patient's Device (a
device's data, sent by a care team's token), one after the other; `single` POSTs one
Observation per request from `--clients` concurrent clients. Both print the requests' rate, the
CPU time per request (this process: the app and its database driver; SQLite's own work is in
it too, PostgreSQL's is not), and with `--profile` the cProfile of the timed part, sorted by
cumulative time (`--top` lines).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import json
import os
import pstats
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import ingest as bench
from telesurveillance import config
from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import tables
from telesurveillance.web import app as web_app


def _prepare(url: str, patients: int) -> str:
    """A migrated store of `patients` patients, each with one Device; a care team's token."""
    engine = bench._store(url, patients)
    with database.writing(engine) as conn:
        conn.execute(
            sa.insert(tables.devices),
            [{"id": p, "serial": f"bench-{p}", "patient_id": p} for p in range(1, patients + 1)],
        )
    token = bench._token(engine)
    engine.dispose()
    return token


#: Whether each Observation names its patient's Device (`--plain`: none, as bench/ingest.py).
_DEVICE = [True]


def _observation(patient: int, ts: int, value: float) -> dict[str, Any]:
    plain = bench._observation(patient, ts, value)
    return {**plain, "device": {"reference": f"Device/{patient}"}} if _DEVICE[0] else plain


def _bodies(kind: str, n: int, patients: int, size: int) -> list[bytes]:
    rows = list(bench._rows(n, patients))
    if kind == "single":
        return [json.dumps(_observation(p, ts, v)).encode() for p, _k, ts, v in rows]
    bodies = []
    for start in range(0, len(rows), size):
        entries = [
            {
                "resource": _observation(p, ts, v),
                "request": {"method": "POST", "url": "Observation"},
            }
            for p, _k, ts, v in rows[start : start + size]
        ]
        bodies.append(json.dumps({"resourceType": "Bundle", "type": "batch", "entry": entries}))
    return [b.encode() if isinstance(b, str) else b for b in bodies]


async def _run(
    url: str, token: str, path: str, bodies: list[bytes], clients: int, expect: int, prof: bool
) -> tuple[float, float]:
    settings = config.Settings.from_env()
    settings = dataclasses.replace(settings, database_url=url)
    app = web_app.create_app(settings)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"}
    transport = httpx.ASGITransport(app=app)
    # the app's lifespan, as a server runs it: the group-commit writer, the alerts thread
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
    ):
        warm = await client.get("/fhir/metadata", headers=headers)
        assert warm.status_code == 200, warm.text
        queue = iter(bodies)

        async def worker() -> None:
            for body in queue:
                answer = await client.post(path, content=body, headers=headers)
                if answer.status_code != expect:
                    raise RuntimeError(f"{answer.status_code} {answer.text[:300]}")
                if path == "/fhir":
                    statuses = {e["response"]["status"] for e in answer.json()["entry"]}
                    if statuses != {"201 Created"}:
                        raise RuntimeError(f"entries answered {statuses}")

        threads_before = _thread_cpu()
        profiler = cProfile.Profile(time.thread_time) if prof else None
        cpu = time.process_time()
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        await asyncio.gather(*(worker() for _ in range(clients)))
        if profiler is not None:
            profiler.disable()
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
        spent: dict[str, float] = {}
        for tid, (name, seconds) in _thread_cpu().items():
            spent[name] = spent.get(name, 0.0) + seconds - threads_before.get(tid, (name, 0.0))[1]
        shown = ", ".join(f"{n} {t:.2f} s" for n, t in sorted(spent.items(), key=lambda x: -x[1]))
        print(f"CPU per thread: {shown}")
    if profiler is not None:
        profiler.dump_stats(os.environ.get("PROFILE_OUT", "/tmp/api_profile.prof"))
        if _THREADS:
            merged = pstats.Stats(_THREADS[0])
            for other in _THREADS[1:]:
                merged.add(other)
            merged.dump_stats(os.environ.get("PROFILE_OUT", "/tmp/api_profile.prof") + ".threads")
    return wall, cpu


def _thread_cpu() -> dict[int, tuple[str, float]]:
    """The CPU seconds of each thread of this process so far, by its name (Linux `/proc`)."""
    found: dict[int, tuple[str, float]] = {}
    tick = os.sysconf("SC_CLK_TCK")
    names = {t.native_id: t.name for t in threading.enumerate()}
    for task in Path("/proc/self/task").iterdir():
        try:
            name = names.get(int(task.name)) or (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        name = "pool" if name.startswith(("AnyIO", "asyncio")) else name
        found[int(task.name)] = (name, (int(fields[11]) + int(fields[12])) / tick)
    return found


#: The profiles of the work done in other threads (the thread pool, the group commit).
_THREADS: list[cProfile.Profile] = []


def _profiled(function: Callable[..., Any]) -> Callable[..., Any]:
    """`function`, profiled (thread CPU time) in whatever thread runs it."""

    def run(*args: Any, **kwargs: Any) -> Any:
        profiler = cProfile.Profile(time.thread_time)
        _THREADS.append(profiler)
        return profiler.runcall(function, *args, **kwargs)

    return run


def _profile_threads() -> None:
    from starlette import concurrency

    from telesurveillance.web.fhir import bundles

    original = concurrency.run_in_threadpool

    async def in_pool(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await original(_profiled(function), *args, **kwargs)

    bundles.run_in_threadpool = in_pool  # type: ignore[assignment]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=("bundle", "single"))
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg", default=os.environ.get("TELESURVEILLANCE_TEST_PG_URL"))
    parser.add_argument("--bundles", type=int, default=5)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--patients", type=int, default=10)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--plain", action="store_true", help="Observations naming no Device")
    parser.add_argument("--dir", type=Path, default=None, help="work directory (default: temp)")
    parser.add_argument("--top", type=int, default=45)
    args = parser.parse_args(argv)
    _DEVICE[0] = not args.plain
    work = args.dir or Path(tempfile.mkdtemp(prefix="api-profile-"))
    backend = bench.Backend(work, args.pg if args.backend == "postgresql" else None)
    url = backend.fresh(f"profile_{args.kind}")
    token = _prepare(url, args.patients)
    if args.profile:
        _profile_threads()
    if args.kind == "bundle":
        n, bodies = (
            args.bundles * args.size,
            _bodies("bundle", args.bundles * args.size, args.patients, args.size),
        )
        wall, cpu = asyncio.run(_run(url, token, "/fhir", bodies, 1, 200, args.profile))
        print(
            f"{args.backend} bundles: {n / wall:,.0f} readings/s, "
            f"CPU {cpu / n * 1e6:,.1f} µs a reading ({len(bodies)} Bundles of {args.size})"
        )
    else:
        bodies = _bodies("single", args.requests, args.patients, 1)
        wall, cpu = asyncio.run(
            _run(url, token, "/fhir/Observation", bodies, args.clients, 201, args.profile)
        )
        print(
            f"{args.backend} single: {len(bodies) / wall:,.0f} requests/s, "
            f"CPU {cpu / len(bodies) * 1e6:,.0f} µs a request ({args.clients} clients)"
        )
    if args.profile:
        stats = pstats.Stats(os.environ.get("PROFILE_OUT", "/tmp/api_profile.prof"))
        stats.sort_stats("cumulative").print_stats(args.top)
        if _THREADS:
            print("--- other threads (CPU) ---")
            threads = pstats.Stats(
                os.environ.get("PROFILE_OUT", "/tmp/api_profile.prof") + ".threads"
            )
            threads.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
