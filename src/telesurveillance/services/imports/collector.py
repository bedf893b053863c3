"""The cyclic garbage collector paused while a bulk import runs (issue 18, bulk at the store's
speed).

An import keeps a chunk of lines alive (20,000 parsed lines, their readings and grants: some
100,000 objects) long enough for them to reach the collector's oldest generation, and every
such batch then triggers a full collection that walks the whole heap of the process (the
SQLAlchemy metadata, the regulation tables, the web application): measured on
`bench/ingest.py --readings 30000` (SQLite, NDJSON), about a fifth of the import's CPU time.
None of these objects forms a cycle (reference counting frees them as soon as a chunk is
written), so the collector is paused while at least one import runs, and restored — if it was
on — when the last one ends. Concurrent imports (threads of the web server) share one pause.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator


class _Pause:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.holders = 0
        self.was_enabled = False


_PAUSE = _Pause()


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The collector off for the duration (reference counting still frees what is dropped)."""
    with _PAUSE.lock:
        if _PAUSE.holders == 0:
            _PAUSE.was_enabled = gc.isenabled()
            gc.disable()
        _PAUSE.holders += 1
    try:
        yield
    finally:
        with _PAUSE.lock:
            _PAUSE.holders -= 1
            if _PAUSE.holders == 0 and _PAUSE.was_enabled:
                gc.enable()
