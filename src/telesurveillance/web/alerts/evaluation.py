"""The server's alert evaluation thread: judges what each commit marked pending, and catches up
on whatever the outbox still holds, at start and every `Settings.alerts_catch_up_seconds`.

The readings' own transaction marks them pending (`services.alerts.evaluation.pending`), so
evaluation need
not happen inside the request: the ingest listener only hands the (patient, kind) of each commit
to this thread (`submit`) and the request answers at once. The thread takes every key handed
over since its last pass, judges them together and records the alerts with the removal of their
pending rows in one transaction — under load one evaluation serves many requests, and the
request path pays no query for it. The alert row follows the acknowledgement by milliseconds;
nothing is lost in between: a key handed over but not yet judged when the process dies is still
pending in the store, and the next catch-up judges it.

The catch-up is the safety net for what the listener could not do: readings committed just
before a crash (the retried request finds them stored and has nothing new to hand over), an
evaluation that failed, an evaluator killed mid-pass. The thread starts with the app
(`on_startup`), runs its first catch-up immediately — the server answers meanwhile — and stops
with the app after judging what it was handed. Errors are logged; what they left pending is
judged at the next catch-up.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable

from telesurveillance.domain.alerts import ruleset
from telesurveillance.services.alerts import pending
from telesurveillance.web import clock

log = logging.getLogger(__name__)


class Evaluator:
    def __init__(
        self,
        store: pending.Store,
        sets: ruleset.RuleSets,
        now: clock.Clock,
        interval: float,
    ) -> None:
        self.store = store
        self.sets = sets
        self.now = now
        self.interval = interval
        self._lock = threading.Lock()
        self._keys: set[tuple[int, int]] = set()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def submit(self, keys: Iterable[tuple[int, int]]) -> None:
        """Judge what is pending for `keys` ((patient, kind) of a commit) on the next pass."""
        with self._lock:
            self._keys.update(keys)
        self._wake.set()

    def judge_submitted(self) -> pending.Judged:
        """Judge what is pending for the keys handed over since the last pass."""
        with self._lock:
            keys, self._keys = self._keys, set()
        if not keys:
            return pending.Judged()
        return pending.drain(self.store, self.sets, keys, self.now())

    def run_once(self) -> pending.Judged:
        """One catch-up: every pending span."""
        judged = pending.catch_up(self.store, self.sets, self.now())
        if judged.spans:
            log.info(
                "alert catch-up: %d spans, %d readings judged, %d alerts opened",
                judged.spans, judged.readings, len(judged.opened),
            )  # fmt: skip
        return judged

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="alert-evaluation", daemon=True)
            self._thread.start()

    def close(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stop.set()
            self._wake.set()
            thread.join()

    def _loop(self) -> None:
        due: float | None = time.monotonic()
        while True:
            stopping = self._stop.is_set()
            try:
                self.judge_submitted()
                if not stopping and due is not None and time.monotonic() >= due:
                    self.run_once()
                    due = time.monotonic() + self.interval if self.interval > 0 else None
            except Exception:
                log.exception("alert evaluation failed; what it left pending is caught up later")
            if stopping:
                return
            wait = None if due is None else max(0.0, due - time.monotonic())
            self._wake.wait(wait)
            self._wake.clear()
