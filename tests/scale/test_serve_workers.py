"""`telesurveillance serve --workers N`: several processes on PostgreSQL, refused on SQLite."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from telesurveillance.cli import app

runner = CliRunner()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_refuses_several_workers_on_sqlite_and_says_why(tmp_path: Path) -> None:
    env = {"TELESURVEILLANCE_DATA_DIR": str(tmp_path), "TELESURVEILLANCE_DATABASE_URL": ""}
    result = runner.invoke(app, ["serve", "--workers", "2", "--port", str(_free_port())], env=env)
    assert result.exit_code == 2
    assert "PostgreSQL" in result.output
    assert "--workers 1" in result.output
    assert not (tmp_path / "telesurveillance.sqlite3").exists()


def test_serve_refuses_zero_workers(tmp_path: Path) -> None:
    env = {"TELESURVEILLANCE_DATA_DIR": str(tmp_path)}
    result = runner.invoke(app, ["serve", "--workers", "0"], env=env)
    assert result.exit_code == 2


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def test_serve_runs_two_worker_processes_on_postgresql(engine: sa.Engine, tmp_path: Path) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("several workers need PostgreSQL (refused on SQLite: test above)")
    port = _free_port()
    env = {
        **os.environ,
        "TELESURVEILLANCE_DATA_DIR": str(tmp_path),
        "TELESURVEILLANCE_DATABASE_URL": engine.url.render_as_string(hide_password=False),
    }
    command = [sys.executable, "-m", "telesurveillance", "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120  # a loaded machine imports and migrates slowly
        answers: list[int] = []
        while len(answers) < 20:
            try:
                answers.append(httpx.get(f"http://127.0.0.1:{port}/fhir/metadata").status_code)
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert set(answers) == {200}
        # the supervisor and its two workers (Python processes serving the same port)
        workers = [c for c in _children(server.pid) if b"python" in _cmdline(c)]
        assert len(workers) >= 2
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not (tmp_path / "telesurveillance.sqlite3").exists()


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
