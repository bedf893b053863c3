"""A fork server for the crash test: imports the application once, then, for each `start`
line read on stdin, forks a child that builds the app and serves it with uvicorn on the given
port, and prints the child's pid. The test kills that child with SIGKILL: a real server process
dying at a random moment, without paying the interpreter's import time at every restart.

Run as `python -m tests.crash.forkserver PORT` with TELESURVEILLANCE_DATABASE_URL set.
"""

from __future__ import annotations

import os
import signal
import sys

import uvicorn

from telesurveillance.web import asgi


def main() -> None:
    port = int(sys.argv[1])
    # Build once here so that every lazy import and cache is done before the forks; the
    # engine is closed so that no connection is shared with a child.
    asgi.create().state.services.store.engine.dispose()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    for line in sys.stdin:
        if line.strip() != "start":
            continue
        pid = os.fork()
        if pid == 0:
            # the child: its own engine and connections, created after the fork
            app = asgi.create()
            uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
            os._exit(0)
        sys.stdout.write(f"{pid}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
