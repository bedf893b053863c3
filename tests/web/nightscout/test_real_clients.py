"""Real Nightscout clients against our server, over HTTP on loopback: the uploader
share2nightscout-bridge 0.2.12 (npm, pinned in package.json, installed by scripts/test) fetches
from a simulated Dexcom Share server (HTTPS, a certificate made here: the bridge does not check
it) and posts to the patient's site; the PyPI readers python-nightscout 1.0.0 and py-nightscout
1.3.3 (pinned in pyproject's dev extras) read the readings and the status back.

Nothing here imitates a client: the bridge's own `index.js run` and the packages' own `Api`
classes make every request our server answers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import aiohttp
import nightscout
import py_nightscout
import pytest
import sqlalchemy as sa
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from telesurveillance import config
from telesurveillance.web import app
from telesurveillance.web.security import hardening
from tests.web.nightscout.conftest import Opened, Readings, add_patient, open_site

ROOT = Path(__file__).parents[3]
BRIDGE = ROOT / "node_modules" / "share2nightscout-bridge" / "index.js"
#: What the simulated Share server holds, newest first: minutes ago and mg/dL (39 and 401 are
#: Nightscout's LOW and HIGH, which the bridge forwards as values).
SHARE_VALUES = [(2, 104), (7, 39), (12, 401), (17, 97), (22, 110)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the bridge sets rejectUnauthorized: false)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "share.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "share.crt", folder / "share.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _Share(BaseHTTPRequestHandler):
    """Dexcom Share's three calls as the bridge makes them (JSON strings, then the values)."""

    now_ms = 0

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        path = self.path.split("?", 1)[0]
        answer: Any
        if path.endswith("/AuthenticatePublisherAccount"):
            answer = "00000000-0000-4000-8000-00000000acc7"
        elif path.endswith("/LoginPublisherAccountById"):
            answer = "00000000-0000-4000-8000-000000005e55"
        elif path.endswith("/ReadPublisherLatestGlucoseValues"):
            answer = [
                {
                    "WT": f"Date({self.now_ms - minutes * 60_000})",
                    "ST": f"Date({self.now_ms - minutes * 60_000})",
                    "DT": f"Date({self.now_ms - minutes * 60_000}+0100)",
                    "Value": value,
                    "Trend": "Flat",
                }
                for minutes, value in SHARE_VALUES
            ]
        else:
            self.send_error(404)
            return
        raw = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def share(tmp_path: Path) -> Iterator[str]:
    """The simulated Dexcom Share server over HTTPS: its `host:port`."""
    cert, key = _certificate(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Share)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    _Share.now_ms = int(time.time() * 1000)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def server(engine: sa.Engine, tmp_path: Path) -> Iterator[str]:
    """Our app served by uvicorn on loopback, over the test store: its base URL."""
    settings = config.Settings(database_url=str(engine.url), data_dir=tmp_path)
    built = app.create_app(
        settings, engine=engine, security_options=hardening.Options(secure_cookies=False)
    )
    port = _free_port()
    served = uvicorn.Server(
        uvicorn.Config(built, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not served.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    served.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def opened(engine: sa.Engine) -> Opened:
    return open_site(engine, add_patient(engine))


def _bridge(share: str, ns: str, secret: str) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    assert node is not None, "node is needed: scripts/install-system-deps installs nodejs"
    assert BRIDGE.exists(), "share2nightscout-bridge is not installed: scripts/test runs npm ci"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "API_SECRET": secret,
        "DEXCOM_ACCOUNT_NAME": "patient.test",
        "DEXCOM_PASSWORD": "not-a-real-password",
        "BRIDGE_SERVER": share,
        "NS": ns,
        "maxCount": str(len(SHARE_VALUES)),
    }
    return subprocess.run(
        [node, str(BRIDGE), "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_share_bridge_uploads_and_python_nightscout_reads_back(
    share: str, server: str, opened: Opened, readings: Readings
) -> None:
    site = f"{server}/nightscout/{opened.site.key}"
    run = _bridge(share, site, opened.secret)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "statusCode: 200" in run.stdout, run.stdout
    stored = readings(opened.patient_id)
    assert sorted(value for _, _, value in stored) == sorted(float(v) for _, v in SHARE_VALUES)
    newest = nightscout.Api(site, api_secret=opened.secret).get_sgvs({"count": 3})
    assert [e.sgv for e in newest] == [v for _, v in SHARE_VALUES[:3]]
    assert all(e.device is None or isinstance(e.device, str) for e in newest)
    assert newest[0].date > newest[1].date > newest[2].date


def test_the_bridge_run_again_creates_nothing(
    share: str, server: str, opened: Opened, readings: Readings
) -> None:
    site = f"{server}/nightscout/{opened.site.key}"
    assert _bridge(share, site, opened.secret).returncode == 0
    stored = readings(opened.patient_id)
    again = _bridge(share, site, opened.secret)
    assert "statusCode: 200" in again.stdout, again.stdout
    assert readings(opened.patient_id) == stored


def test_the_bridge_with_a_wrong_secret_stores_nothing(
    share: str, server: str, opened: Opened, readings: Readings
) -> None:
    run = _bridge(share, f"{server}/nightscout/{opened.site.key}", "wrong-secret-0123456789")
    assert "statusCode: 401" in run.stdout, run.stdout
    assert readings(opened.patient_id) == []


def test_py_nightscout_reads_the_status_and_gets_the_401_of_a_wrong_secret(
    server: str, opened: Opened
) -> None:
    site = f"{server}/nightscout/{opened.site.key}"

    async def status(secret: str) -> Any:
        return await py_nightscout.Api(site, api_secret=secret).get_server_status()

    found = asyncio.run(status(opened.secret))
    assert (found.status, found.apiEnabled, found.settings["units"]) == ("ok", True, "mg/dl")
    with pytest.raises(aiohttp.ClientResponseError) as refused:
        asyncio.run(status("wrong-secret-0123456789"))
    assert refused.value.status == 401
