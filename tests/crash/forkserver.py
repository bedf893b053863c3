"""A fork server for the crash test: imports the application once, then, for each `start [N]`
line read on stdin, forks a leader that listens on the given port and forks N worker processes
(default 1) that each build the app and serve that one socket with uvicorn — as
`telesurveillance serve --workers N` does — and prints the leader's pid. The leader is the head
of its own process group: the test kills the whole group with SIGKILL (a server dying at a
random moment, workers included), without paying the interpreter's import time at every
restart.

Run as `python -m tests.crash.forkserver PORT` with TELESURVEILLANCE_DATABASE_URL set.
"""

from __future__ import annotations

import os
import signal
import socket
import sys

import uvicorn

from telesurveillance.web import asgi


def _worker(sock: socket.socket) -> None:
    # its own engine and connections, created after the fork
    app = asgi.create()
    config = uvicorn.Config(app, log_level="warning")
    uvicorn.Server(config).run(sockets=[sock])
    os._exit(0)


def _leader(port: int, workers: int) -> None:
    os.setsid()  # a process group of its own: the leader and its workers die together
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(2048)
    sock.set_inheritable(True)
    for _ in range(workers):
        if os.fork() == 0:
            _worker(sock)
    while True:
        signal.pause()


def main() -> None:
    port = int(sys.argv[1])
    # Build once here so that every lazy import and cache is done before the forks; the
    # engine is closed so that no connection is shared with a child.
    asgi.create().state.services.store.engine.dispose()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] != "start":
            continue
        workers = int(words[1]) if len(words) > 1 else 1
        pid = os.fork()
        if pid == 0:
            _leader(port, workers)
            os._exit(0)
        sys.stdout.write(f"{pid}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
