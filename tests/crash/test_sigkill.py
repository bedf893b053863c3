"""Crash safety: the real server (uvicorn) is killed with SIGKILL at random moments while a
client streams readings; after each restart the client retries what was not acknowledged. In
the end every reading that got a 2xx is stored exactly once, with the value sent, the per-day
counters equal a recount, and every acknowledged abnormal reading is counted in its alert
exactly once — even those whose evaluation the kill interrupted (the retry then finds them
stored and hands nothing new over: only the evaluation outbox and the server's catch-up judge
them) — on SQLite and on PostgreSQL, and with two worker processes serving one port on
PostgreSQL (`serve --workers 2`): the group of workers is killed at once."""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.alerts import tables as tables_alerts
from telesurveillance.adapters.sql.core import readings, tables
from telesurveillance.adapters.sql.security import accounts as security_accounts
from telesurveillance.domain.access import roles
from telesurveillance.services.security import accounts
from tests.conftest import ROOT

KILLS = 20
WORKERS = 4
PATIENT = 1
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
#: one reading in ABNORMAL_EVERY is an SpO2 of 80 % (rule ir.spo2.basse: SpO2 < 88 %)
ABNORMAL_EVERY = 4
#: abnormal readings posted at once just before a last kill
BURST = 16
SPO2_LOW = 80.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """The real app served by uvicorn on loopback, in a process forked by `forkserver` (which
    imported everything once); killed with SIGKILL and restarted at will."""

    def __init__(self, url: str, log: Path, processes: int = 1) -> None:
        self.port = _free_port()
        self.processes = processes
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log.open("ab")
        env = {
            **os.environ,
            "TELESURVEILLANCE_DATABASE_URL": url,
            "TELESURVEILLANCE_TOKEN_RATE": "1000000",
            "TELESURVEILLANCE_TOKEN_BURST": "1000000",
            "TELESURVEILLANCE_ALERTS_CATCH_UP_SECONDS": "1",
        }
        self.forks = subprocess.Popen(
            [sys.executable, "-m", "tests.crash.forkserver", str(self.port)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        self.pid: int | None = None

    def start(self) -> None:
        assert self.forks.stdin is not None
        assert self.forks.stdout is not None
        self.forks.stdin.write(f"start {self.processes}\n")
        self.forks.stdin.flush()
        self.pid = int(self.forks.stdout.readline())
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/fhir/metadata", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.02)
        raise AssertionError("the server did not start; see server.log")

    def kill(self) -> None:
        assert self.pid is not None
        # the leader and its workers: no shutdown, no flush, no goodbye
        os.killpg(self.pid, signal.SIGKILL)
        _wait_gone(self.pid)
        _wait_closed(self.port)

    def close(self) -> None:
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
        self.forks.kill()
        self.forks.wait()


def _wait_gone(pid: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} survived SIGKILL")


def _wait_closed(port: int) -> None:
    """Until nothing listens on `port` any more (every worker of the group is dead; an
    orphaned worker may stay a zombie a moment, but its sockets are closed at its death)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.01)
    raise AssertionError(f"a process still listens on port {port} after SIGKILL")


def _abnormal(i: int) -> bool:
    return i % ABNORMAL_EVERY == 3


def _observation(i: int) -> dict[str, Any]:
    at = START + dt.timedelta(seconds=i)
    if _abnormal(i):
        return {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "2708-6"}]},
            "subject": {"reference": f"Patient/{PATIENT}"},
            "effectiveDateTime": at.isoformat().replace("+00:00", "Z"),
            "valueQuantity": {
                "value": SPO2_LOW,
                "unit": "%",
                "system": "http://unitsofmeasure.org",
                "code": "%",
            },
        }
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
        "subject": {"reference": f"Patient/{PATIENT}"},
        "effectiveDateTime": at.isoformat().replace("+00:00", "Z"),
        "valueQuantity": {
            "value": _value(i),
            "unit": "kg",
            "system": "http://unitsofmeasure.org",
            "code": "kg",
        },
    }


def _value(i: int) -> float:
    return 60.0 + (i % 400) / 10


class Stream:
    """Client threads posting readings; a reading is acknowledged by a 2xx only, anything else
    (connection reset, timeout, 5xx) puts it back in the queue to be retried."""

    def __init__(self, base: str, secret: str) -> None:
        self.base = base
        self.headers = {"Authorization": f"Bearer {secret}"}
        self.lock = threading.Lock()
        self.retry: collections.deque[int] = collections.deque()
        self.next = 0
        self.acked: set[int] = set()
        self.failures = 0
        self.statuses: collections.Counter[int] = collections.Counter()
        self.producing = True
        self.stopped = False

    def _take(self) -> int | None:
        with self.lock:
            if self.retry:
                return self.retry.popleft()
            if self.producing:
                self.next += 1
                return self.next - 1
            return None

    def work(self) -> None:
        with httpx.Client(base_url=self.base, headers=self.headers, timeout=10) as client:
            while not self.stopped:
                i = self._take()
                if i is None:
                    time.sleep(0.01)
                    continue
                try:
                    status = client.post("/fhir/Observation", json=_observation(i)).status_code
                except httpx.TransportError:
                    status = 0
                with self.lock:
                    self.statuses[status] += 1
                    if 200 <= status < 300:
                        self.acked.add(i)
                    else:
                        self.failures += 1
                        self.retry.append(i)
                if status == 0:
                    time.sleep(0.02)

    def drained(self) -> bool:
        with self.lock:
            return not self.retry and len(self.acked) == self.next


def _millis(i: int) -> int:
    return int((START + dt.timedelta(seconds=i)).timestamp() * 1000)


def _pending(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        count = sa.select(sa.func.count()).select_from(tables_alerts.alert_pending)
        return int(conn.execute(count).scalar_one())


def _alerts(engine: sa.Engine) -> list[sa.Row[Any]]:
    a = tables_alerts.alerts.c
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(a.id, a.rule_id, a.count, a.implicated).where(a.patient_id == PATIENT)
            )
        )


def _creations(engine: sa.Engine) -> int:
    t = tables_alerts.alert_transitions.c
    with engine.connect() as conn:
        count = sa.select(sa.func.count()).where(t.from_status.is_(None))
        return int(conn.execute(count).scalar_one())


def _patient_under_monitoring(engine: sa.Engine) -> None:
    """A patient followed for respiratory failure (SpO2 rules) since long before the stream."""
    with database.writing(engine) as conn:
        conn.execute(
            sa.insert(tables.patients).values(
                id=PATIENT, family="SYNTHETIQUE", given="Crash", birth_date=dt.date(1950, 1, 1)
            )
        )
        operateur = conn.execute(
            sa.insert(tables.operateurs)
            .values(name="Équipe crash", kind="etablissement")
            .returning(tables.operateurs.c.id)
        ).scalar_one()
        conn.execute(
            sa.insert(tables.prises_en_charge).values(
                patient_id=PATIENT,
                operateur_id=operateur,
                indication="insuffisance_respiratoire",
                starts_on=dt.date(2020, 1, 1),
            )
        )


def _stored(engine: sa.Engine) -> list[tuple[int, int, float]]:
    r = tables.readings.c
    with engine.connect() as conn:
        rows = conn.execute(sa.select(r.kind, r.ts, r.value).where(r.patient_id == PATIENT))
        return [(int(k), int(t), float(v)) for k, t, v in rows]


def _burst_then_kill(
    server: Server, engine: sa.Engine, secret: str, indices: list[int]
) -> set[int]:
    """Post the abnormal readings `indices` at once and kill the server as soon as the first is
    acknowledged, while their evaluation is most likely still to come; restart it, let it
    judge on its own what the kill left pending (its start-up catch-up: no new request hands it
    anything), then post again until every one is acknowledged."""
    headers = {"Authorization": f"Bearer {secret}"}
    first_ack = threading.Event()

    def post(i: int) -> None:
        with contextlib.suppress(httpx.TransportError):
            answer = httpx.post(
                f"{server.base}/fhir/Observation", json=_observation(i), headers=headers, timeout=10
            )
            if 200 <= answer.status_code < 300:
                first_ack.set()

    threads = [threading.Thread(target=post, args=(i,)) for i in indices]
    for thread in threads:
        thread.start()
    first_ack.wait(10)
    server.kill()
    for thread in threads:
        thread.join()
    server.start()
    deadline = time.monotonic() + 30
    while _pending(engine) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _pending(engine) == 0, "the restarted server did not catch up on its own"
    for i in indices:
        answer = httpx.post(
            f"{server.base}/fhir/Observation", json=_observation(i), headers=headers, timeout=10
        )
        assert 200 <= answer.status_code < 300, answer.text
    return set(indices)


@pytest.mark.parametrize("processes", [1, 2], ids=["one-worker", "two-workers"])
def test_every_acknowledged_reading_survives_sigkill_exactly_once(
    engine: sa.Engine, tmp_path: Path, processes: int
) -> None:
    if processes > 1 and engine.dialect.name != "postgresql":
        pytest.skip("several workers need PostgreSQL (serve refuses them on SQLite)")
    _patient_under_monitoring(engine)
    _, secret = accounts.create_token(
        security_accounts.SqlAccounts(engine),
        roles.Role.PATIENT,
        dt.datetime.now(dt.UTC),
        patient_id=PATIENT,
        device=True,
    )
    url = engine.url.render_as_string(hide_password=False)
    server = Server(url, tmp_path / "server.log", processes)
    server.start()
    stream = Stream(server.base, secret)
    workers = [threading.Thread(target=stream.work) for _ in range(WORKERS)]
    for w in workers:
        w.start()
    rng = random.Random(8)
    acked: set[int] = set()
    try:
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.05, 0.6))
            server.kill()
            server.start()
        with stream.lock:
            stream.producing = False
        deadline = time.monotonic() + 30
        while not stream.drained() and time.monotonic() < deadline:
            time.sleep(0.05)
        stream.stopped = True
        for w in workers:
            w.join()
        burst = [i for i in range(stream.next + 1, stream.next + 200) if _abnormal(i)][:BURST]
        acked = stream.acked | _burst_then_kill(server, engine, secret, burst)
        # the last server's catch-up (at its start, then every second) judges what the kills
        # left pending
        deadline = time.monotonic() + 30
        while _pending(engine) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stream.stopped = True
        for w in workers:
            w.join()
        server.close()
    assert stream.drained(), f"readings never acknowledged; answers: {stream.statuses}"
    assert stream.failures > 0, "no request was ever cut by a kill: the test proved nothing"
    stored = _stored(engine)
    weight = next(k for k, t, _v in stored if t == _millis(0))
    spo2 = next(k for k, t, _v in stored if t == _millis(3))
    expected = sorted(
        (spo2, _millis(i), SPO2_LOW) if _abnormal(i) else (weight, _millis(i), _value(i))
        for i in acked
    )
    # exactly once: as many rows as acknowledged readings, each with the value sent
    assert sorted(stored) == expected
    with engine.connect() as conn:
        assert readings.days(conn, PATIENT) == readings.recount(conn, PATIENT)
    # every acknowledged abnormal reading ends in its alert, counted once: one episode (the
    # alert stays open), one creation, one crossing per abnormal reading, none judged twice
    abnormal = sorted(_millis(i) for i in acked if _abnormal(i))
    assert len(abnormal) >= 5, "too few abnormal readings: the test proved nothing"
    assert _pending(engine) == 0, "readings left unjudged after the catch-up"
    [alert] = _alerts(engine)
    assert alert.rule_id == "ir.spo2.basse"
    assert alert.count == len(abnormal)
    assert json.loads(alert.implicated) == [[spo2, ts] for ts in abnormal[-50:]]
    assert _creations(engine) == 1
