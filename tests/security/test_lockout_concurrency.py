"""Lock-out under concurrency, on SQLite and PostgreSQL: real threads, each with its own engine
(its own database connection), attempting at the same moment.

At most `MAX_FAILURES` passwords are checked per lock window whatever the number of attempts in
flight; the password of a locked account is never checked; a right password confirmed after
another attempt has locked the account is refused.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import threading
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.security import accounts as security_accounts
from telesurveillance.adapters.sql.security import tables
from telesurveillance.domain.access import roles
from telesurveillance.services.security import accounts
from tests.security import password_checks

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
PASSWORD = "Correct-horse-9"
WRONG = "Wrong-horse-99"
MAX = accounts.MAX_FAILURES
WAIT = 30  # seconds: a generous bound for a blocked thread, never reached when all is well

StoreFactory = Callable[[], security_accounts.SqlAccounts]


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> password_checks.Checks:
    return password_checks.install(monkeypatch)


@pytest.fixture
def new_store(engine: sa.Engine) -> Iterator[StoreFactory]:
    """`new_store()`: a store over a new engine of the same database (its own connections)."""
    url = engine.url.render_as_string(hide_password=False)
    made: list[sa.Engine] = []

    def make() -> security_accounts.SqlAccounts:
        made.append(database.create(url))
        return security_accounts.SqlAccounts(made[-1])

    yield make
    for each in made:
        each.dispose()


@pytest.fixture
def account(engine: sa.Engine, checks: password_checks.Checks) -> int:
    store = security_accounts.SqlAccounts(engine)
    return accounts.create_account(store, "martin", PASSWORD, roles.Role.MEDECIN, NOW)


def _state(engine: sa.Engine, account_id: int) -> tuple[int, dt.datetime | None]:
    c = tables.accounts.c
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(c.failed_logins, c.locked_until).where(c.id == account_id)
        ).one()
    locked = row.locked_until
    if locked is not None and locked.tzinfo is None:
        locked = locked.replace(tzinfo=dt.UTC)
    return int(row.failed_logins), locked


def _at_once(new_store: StoreFactory, passwords: list[str], now: dt.datetime = NOW) -> list[bool]:
    """Log in with each password from its own thread and connection, all released together;
    whether each was accepted, in the order given."""
    stores = [new_store() for _ in passwords]
    start = threading.Barrier(len(passwords))

    def attempt(store: security_accounts.SqlAccounts, password: str) -> bool:
        start.wait(timeout=WAIT)
        return accounts.authenticate(store, "martin", password, now) is not None

    with concurrent.futures.ThreadPoolExecutor(max_workers=len(passwords)) as pool:
        return list(pool.map(attempt, stores, passwords))


def _log_in(engine: sa.Engine, password: str, now: dt.datetime = NOW) -> bool:
    store = security_accounts.SqlAccounts(engine)
    return accounts.authenticate(store, "martin", password, now) is not None


def test_four_concurrent_wrong_passwords_are_all_counted_and_do_not_lock(
    engine: sa.Engine, new_store: StoreFactory, account: int
) -> None:
    assert _at_once(new_store, [WRONG] * (MAX - 1)) == [False] * (MAX - 1)
    assert _state(engine, account) == (MAX - 1, None)
    assert _log_in(engine, PASSWORD)
    assert _state(engine, account) == (0, None)


def test_five_concurrent_wrong_passwords_lock_the_account_until_the_lock_ends(
    engine: sa.Engine, new_store: StoreFactory, account: int
) -> None:
    _at_once(new_store, [WRONG] * MAX)
    assert _state(engine, account) == (MAX, NOW + accounts.LOCK)
    assert not _log_in(engine, PASSWORD)
    assert not _log_in(engine, PASSWORD, NOW + accounts.LOCK - dt.timedelta(microseconds=1))
    assert _log_in(engine, PASSWORD, NOW + accounts.LOCK)


def test_forty_concurrent_wrong_passwords_check_exactly_five_and_lock(
    engine: sa.Engine, new_store: StoreFactory, account: int, checks: password_checks.Checks
) -> None:
    assert _at_once(new_store, [WRONG] * 40) == [False] * 40
    assert checks.real == MAX
    assert _state(engine, account) == (MAX, NOW + accounts.LOCK)
    assert not _log_in(engine, PASSWORD)
    assert checks.real == MAX  # the locked account's password was not even checked


class RecordingStore(security_accounts.SqlAccounts):
    """A store that remembers the charge it got (for the attempt that uses it)."""

    charge: accounts.Charge | None = None

    def charge_attempt(
        self, account_id: int, now: dt.datetime, limit: int, lock_until: dt.datetime
    ) -> accounts.Charge | None:
        self.charge = super().charge_attempt(account_id, now, limit, lock_until)
        return self.charge


def test_thirty_nine_wrong_and_one_right_at_once_never_check_more_than_five_before_a_lock(
    engine: sa.Engine, new_store: StoreFactory, account: int, checks: password_checks.Checks
) -> None:
    right = RecordingStore(new_store().engine)
    stores = [right] + [new_store() for _ in range(39)]
    passwords = [PASSWORD] + [WRONG] * 39
    start = threading.Barrier(40)

    def attempt(store: security_accounts.SqlAccounts, password: str) -> bool:
        start.wait(timeout=WAIT)
        return accounts.authenticate(store, "martin", password, NOW) is not None

    with concurrent.futures.ThreadPoolExecutor(max_workers=40) as pool:
        accepted = list(pool.map(attempt, stores, passwords))
    assert not any(accepted[1:])
    if accepted[0]:
        # Accepted only as one of the first five attempts charged; its success forgave those
        # charged before it, so the wrong ones still in flight may be checked up to the bound.
        assert right.charge is not None
        assert right.charge.number <= MAX
        assert checks.real <= MAX + right.charge.number
    else:
        assert checks.real == MAX
        assert _state(engine, account) == (MAX, NOW + accounts.LOCK)


class PausingStore(security_accounts.SqlAccounts):
    """A store whose attempt stops after `step` until `resume` is set (`reached` tells the
    test it got there): lets a test interleave other attempts at that exact point."""

    def __init__(self, engine: sa.Engine, step: str) -> None:
        super().__init__(engine)
        self.step = step
        self.reached = threading.Event()
        self.resume = threading.Event()

    def _pause(self, step: str) -> None:
        if step == self.step:
            self.reached.set()
            assert self.resume.wait(timeout=WAIT)

    def account_named(self, username: str) -> accounts.Account | None:
        found = super().account_named(username)
        self._pause("read")
        return found

    def charge_attempt(
        self, account_id: int, now: dt.datetime, limit: int, lock_until: dt.datetime
    ) -> accounts.Charge | None:
        charge = super().charge_attempt(account_id, now, limit, lock_until)
        self._pause("charged")
        return charge


def _paused_right_attempt(
    store: PausingStore,
) -> tuple[concurrent.futures.ThreadPoolExecutor, concurrent.futures.Future[bool]]:
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    future = pool.submit(lambda: accounts.authenticate(store, "martin", PASSWORD, NOW) is not None)
    assert store.reached.wait(timeout=WAIT)
    return pool, future


def test_a_right_password_read_before_the_lock_is_refused_once_the_lock_is_set(
    engine: sa.Engine, new_store: StoreFactory, account: int, checks: password_checks.Checks
) -> None:
    right = PausingStore(new_store().engine, "read")
    pool, future = _paused_right_attempt(right)
    with pool:
        _at_once(new_store, [WRONG] * MAX)
        right.resume.set()
        assert future.result(timeout=WAIT) is False
    assert checks.real == MAX  # the right password met the lock before any check
    assert _state(engine, account) == (MAX, NOW + accounts.LOCK)


def test_a_right_password_confirmed_after_later_attempts_locked_the_account_is_refused(
    engine: sa.Engine, new_store: StoreFactory, account: int
) -> None:
    right = PausingStore(new_store().engine, "charged")
    pool, future = _paused_right_attempt(right)
    with pool:
        # Charged first, the right attempt leaves four charges to the wrong ones; the fourth
        # (the fifth in all) locks the account before the right one is confirmed.
        _at_once(new_store, [WRONG] * (MAX - 1))
        right.resume.set()
        assert future.result(timeout=WAIT) is False
    assert _state(engine, account) == (MAX, NOW + accounts.LOCK)
    assert _log_in(engine, PASSWORD, NOW + accounts.LOCK)


def test_a_success_forgives_the_attempts_charged_before_it_not_those_after(
    engine: sa.Engine, new_store: StoreFactory, account: int
) -> None:
    _log_in(engine, WRONG)
    right = PausingStore(new_store().engine, "charged")
    pool, future = _paused_right_attempt(right)
    with pool:
        _at_once(new_store, [WRONG] * 2)  # charged after the right one: ranks 3 and 4
        right.resume.set()
        assert future.result(timeout=WAIT) is True
    assert _state(engine, account) == (2, None)
    _log_in(engine, WRONG)
    assert _state(engine, account) == (MAX - 2, None)


def test_the_fifth_attempt_sets_the_lock_and_lifts_it_itself_when_its_password_is_right(
    engine: sa.Engine, account: int
) -> None:
    for _ in range(MAX - 1):
        _log_in(engine, WRONG)
    assert _log_in(engine, PASSWORD)
    assert _state(engine, account) == (0, None)


def test_the_count_starts_again_when_the_lock_ends(engine: sa.Engine, account: int) -> None:
    for _ in range(MAX):
        _log_in(engine, WRONG)
    later = NOW + accounts.LOCK
    for _ in range(MAX - 1):
        _log_in(engine, WRONG, later)
    assert _state(engine, account)[0] == MAX - 1
    assert _log_in(engine, PASSWORD, later)
    for _ in range(MAX):
        _log_in(engine, WRONG, later)
    assert _state(engine, account) == (MAX, later + accounts.LOCK)


def test_forty_concurrent_charges_rank_exactly_five_attempts_and_set_one_lock(
    engine: sa.Engine, new_store: StoreFactory, account: int
) -> None:
    stores = [new_store() for _ in range(40)]
    start = threading.Barrier(40)
    until = NOW + accounts.LOCK

    def charge(store: security_accounts.SqlAccounts) -> accounts.Charge | None:
        start.wait(timeout=WAIT)
        return store.charge_attempt(account, NOW, MAX, until)

    with concurrent.futures.ThreadPoolExecutor(max_workers=40) as pool:
        charges = [c for c in pool.map(charge, stores) if c is not None]
    assert sorted(c.number for c in charges) == list(range(1, MAX + 1))
    assert [c.lock for c in charges if c.lock is not None] == [until]
