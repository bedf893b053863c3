"""A demo store served by uvicorn in its own process, for the browser tests (one place for
building the store, starting the server, waiting for it and stopping it)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

APP = "telesurveillance.web.dashboard.asgi:app"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def demo_env(folder: Path, patients: int, seed: int) -> dict[str, str]:
    """Build a demo store of `patients` synthetic patients in `folder`; its environment."""
    env = dict(os.environ)
    env["TELESURVEILLANCE_DATABASE_URL"] = f"sqlite:///{folder / 'demo.sqlite3'}"
    env["TELESURVEILLANCE_DATA_DIR"] = str(folder)
    subprocess.run(
        [sys.executable, "-m", "telesurveillance", "demo", "--no-serve",
         "--patients", str(patients), "--seed", str(seed)],
        env=env, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return env


@contextlib.contextmanager
def serving(env: dict[str, str]) -> Iterator[str]:
    """The app over `env`'s store, served on a free port; its base URL. A busy machine may take
    a while to start the server: wait up to a minute, and say so if it never answers rather than
    failing later on a refused connection."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", APP, "--factory", "--host", "127.0.0.1",
         "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/login", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("the demo server did not start")
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
