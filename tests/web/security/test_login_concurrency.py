"""Lock-out through the HTTP log-in route: forty browsers post the log-in form at the same
moment to the real app served by uvicorn on loopback (SQLite and PostgreSQL)."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
import uvicorn

from telesurveillance import config
from telesurveillance.adapters.sql.security import accounts as security_accounts
from telesurveillance.adapters.sql.security import audit, tables
from telesurveillance.domain.access import roles
from telesurveillance.services.security import accounts
from telesurveillance.web import app
from telesurveillance.web.security import hardening
from tests.security import password_checks
from tests.web.security.conftest import NOW, PASSWORD

WRONG = "Wrong-horse-99"
MAX = accounts.MAX_FAILURES
CLIENTS = 40
WAIT = 30


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> password_checks.Checks:
    return password_checks.install(monkeypatch)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def base_url(
    engine: sa.Engine, tmp_path: Path, clock: Clock, checks: password_checks.Checks
) -> Iterator[str]:
    """The real app with an account `martin`, served by uvicorn in a thread."""
    store = security_accounts.SqlAccounts(engine)
    accounts.create_account(store, "martin", PASSWORD, roles.Role.MEDECIN, NOW)
    settings = config.Settings(database_url=str(engine.url), data_dir=tmp_path)
    options = hardening.Options(secure_cookies=False)
    application = app.create_app(settings, engine=engine, now=clock, security_options=options)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=WAIT)


@pytest.fixture
def transport() -> Iterator[httpx.HTTPTransport]:
    """One connection pool for every browser of a test (a request in flight holds its own
    connection, so concurrent posts arrive on separate connections); building an SSL context
    per client would cost more than the test itself."""
    pool = httpx.HTTPTransport(limits=httpx.Limits(max_connections=CLIENTS + 1))
    yield pool
    pool.close()


class Browser:
    """A browser that has opened the log-in page: its own cookie jar and the form's token."""

    def __init__(self, base_url: str, transport: httpx.HTTPTransport) -> None:
        self.client = httpx.Client(base_url=base_url, transport=transport, timeout=WAIT)
        page = self.client.get("/login")
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert found is not None
        self.token = found.group(1)

    def log_in(self, password: str = PASSWORD) -> int:
        form = {"username": "martin", "password": password, "csrf_token": self.token}
        return self.client.post("/login", data=form, follow_redirects=False).status_code


def _all_at_once(base_url: str, transport: httpx.HTTPTransport, passwords: list[str]) -> list[int]:
    """Each password posted by its own browser, all released together; the statuses."""
    browsers = [Browser(base_url, transport) for _ in passwords]
    start = threading.Barrier(len(passwords))

    def attempt(browser: Browser, password: str) -> int:
        start.wait(timeout=WAIT)
        return browser.log_in(password)

    with concurrent.futures.ThreadPoolExecutor(max_workers=len(passwords)) as pool:
        return list(pool.map(attempt, browsers, passwords))


def _failures(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(tables.accounts.c.failed_logins)).scalar_one())


LoginEvents = Callable[[], list[int]]


@pytest.fixture
def login_statuses(engine: sa.Engine) -> LoginEvents:
    def statuses() -> list[int]:
        events = audit.SqlAuditLog(engine).events(limit=1000)
        return [e.status for e in events if e.route == "security.login"]

    return statuses


def test_forty_concurrent_wrong_log_ins_lock_the_account_after_exactly_five_checks(
    base_url: str,
    transport: httpx.HTTPTransport,
    engine: sa.Engine,
    clock: Clock,
    checks: password_checks.Checks,
    login_statuses: LoginEvents,
) -> None:
    assert _all_at_once(base_url, transport, [WRONG] * CLIENTS) == [401] * CLIENTS
    assert checks.real == MAX
    assert _failures(engine) == MAX
    assert login_statuses() == [401] * CLIENTS  # every attempt is in the audit trail
    assert Browser(base_url, transport).log_in() == 401
    clock.now = NOW + accounts.LOCK - dt.timedelta(seconds=1)
    assert Browser(base_url, transport).log_in() == 401
    assert checks.real == MAX  # refused while locked, without a check
    clock.now = NOW + accounts.LOCK
    assert Browser(base_url, transport).log_in() == 303


def test_thirty_nine_wrong_and_one_right_log_in_at_once_check_at_most_five_before_a_lock(
    base_url: str, transport: httpx.HTTPTransport, checks: password_checks.Checks
) -> None:
    statuses = _all_at_once(base_url, transport, [PASSWORD] + [WRONG] * (CLIENTS - 1))
    assert set(statuses[1:]) == {401}
    if statuses[0] == 401:
        assert checks.real == MAX
        assert Browser(base_url, transport).log_in() == 401  # locked, the right password too
    else:
        # The right one was among the first five charged and no other lock was in force when
        # it was confirmed; its success forgave at most the four charged before it.
        assert statuses[0] == 303
        assert checks.real <= 2 * MAX
