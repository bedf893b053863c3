"""The server's alert evaluation thread: batched settling of judged spans, and the catch-up of
what the evaluation outbox still holds, at start and then every `Settings.alerts_catch_up_seconds`.

The ingest listener judges new readings at once, in the request. When a batch opens or updates
no alert (most of them) it does not write: it hands the judged spans here (`defer`), and this
thread removes them from the outbox in one transaction every `FLUSH_SECONDS`, so the request
path costs no extra durable write. If the process dies first, the spans are judged again by
the next catch-up, which opens nothing twice.

The catch-up is the safety net for what the listener could not do: readings committed just
before a crash (the retried request finds them stored and has nothing new to hand over), a
listener that failed, an evaluator killed mid-pass. The thread starts with the app
(`on_startup`), runs its first catch-up immediately — the server answers meanwhile — and stops
with the app after a last flush. Errors are logged and retried at the next pass.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

from telesurveillance.adapters.sql import alerts as sql_alerts
from telesurveillance.domain.alerts import ruleset
from telesurveillance.services import alerts_pending
from telesurveillance.web import clock

log = logging.getLogger(__name__)

#: Seconds between two removals of the spans judged with nothing to record.
FLUSH_SECONDS = 0.25


class CatchUp:
    def __init__(
        self,
        store: sql_alerts.SqlAlerts,
        sets: ruleset.RuleSets,
        now: clock.Clock,
        interval: float,
    ) -> None:
        self.store = store
        self.sets = sets
        self.now = now
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._deferred: list[alerts_pending.Pending] = []

    @property
    def running(self) -> bool:
        return self._thread is not None

    def defer(self, rows: Sequence[alerts_pending.Pending]) -> None:
        """Settle `rows` (judged, nothing to record) with the next flush."""
        with self._lock:
            self._deferred.extend(rows)

    def flush(self) -> int:
        """Settle the deferred spans now; how many outbox rows were removed."""
        with self._lock:
            rows, self._deferred = self._deferred, []
        return alerts_pending.settle(self.store, rows)

    def run_once(self) -> alerts_pending.Judged:
        """One pass over every pending span (deferred ones are settled first)."""
        self.flush()
        judged = alerts_pending.catch_up(self.store, self.sets, self.now())
        if judged.spans:
            log.info(
                "alert catch-up: %d spans, %d readings judged, %d alerts opened",
                judged.spans, judged.readings, len(judged.opened),
            )  # fmt: skip
        return judged

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="alert-catch-up", daemon=True)
            self._thread.start()

    def close(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stop.set()
            thread.join()
        self.flush()

    def _loop(self) -> None:
        due: float | None = time.monotonic()
        while not self._stop.is_set():
            try:
                if due is not None and time.monotonic() >= due:
                    self.run_once()
                    due = time.monotonic() + self.interval if self.interval > 0 else None
                else:
                    self.flush()
            except Exception:
                log.exception("alert evaluation thread failed; retried at the next pass")
            self._stop.wait(FLUSH_SECONDS)
