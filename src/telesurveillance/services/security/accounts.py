"""Accounts, log-in sessions and API tokens: the use cases, over a `Store` port.

- Passwords are hashed with argon2id (argon2-cffi's defaults: RFC 9106 "second recommended"
  profile) and checked against the CNIL policy (`domain.access.passwords`).
- After `MAX_FAILURES` wrong passwords in a row an account is locked for `LOCK` (CNIL
  délibération 2022-100: lock-out is what makes a 12-character password sufficient). A wrong
  user name, a wrong password and a locked account give the same answer (no user enumeration).
- The bound holds under concurrency: each attempt is *charged* to the account in one atomic
  compare-and-set before its password is checked, and the charge that reaches `MAX_FAILURES`
  sets the lock in the same statement. So at most `MAX_FAILURES` passwords are ever checked
  per lock window, however many requests arrive at once, and the password of a locked account
  is never checked. A right password is accepted only if no lock set by another attempt is in
  force when it is confirmed (a success cannot race a lock).
- Sessions and API tokens are 256-bit random values shown once; only their SHA-256 is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import argon2

from telesurveillance.domain.access import passwords, roles
from telesurveillance.services.security import token_cache

MAX_FAILURES = 5
LOCK = dt.timedelta(minutes=15)
SESSION_LIFETIME = dt.timedelta(hours=8)
TOKEN_PREFIX = "tsv_"

_hasher = argon2.PasswordHasher()
# Verified when the user name is unknown, so that the answer takes as long as for a known one.
_DUMMY_HASH = _hasher.hash("not a password: timing equaliser")


class AccountError(ValueError):
    """A request we refuse (duplicate user name, weak password, unknown token...); `code`
    names the field and the reason (`password.policy`, `username.taken`) for the forms."""

    def __init__(self, message: str, code: str = "account") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    username: str
    display_name: str
    role: roles.Role
    password_hash: str | None
    patient_id: int | None
    exploitant_id: int | None
    active: bool
    failed_logins: int
    locked_until: dt.datetime | None

    def principal(self) -> roles.Principal:
        return roles.Principal(
            roles.Kind.ACCOUNT,
            self.id,
            self.display_name or self.username,
            self.role,
            self.patient_id,
            self.exploitant_id,
        )


@dataclass(frozen=True, slots=True)
class Token:
    id: int
    label: str
    role: roles.Role
    patient_id: int | None
    exploitant_id: int | None
    device: bool
    expires_at: dt.datetime | None = None
    device_id: int | None = None
    """The Device a device token was issued for (issue 17), when it names one."""

    def principal(self) -> roles.Principal:
        name = self.label or f"token {self.id}"
        return roles.Principal(
            roles.Kind.TOKEN,
            self.id,
            name,
            self.role,
            self.patient_id,
            self.exploitant_id,
            self.device,
            self.device_id,
        )


@dataclass(frozen=True, slots=True)
class Charge:
    """One log-in attempt charged to an account before its password is checked."""

    #: its rank among the attempts charged since the last success or the last lock's end
    number: int
    #: the lock this attempt set (it was the last one allowed before the lock), else None
    lock: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Session:
    account: Account
    csrf_token: str


class Store(Protocol):
    """What the use cases need from the store (`adapters.sql.security.accounts`)."""

    def add_account(
        self,
        username: str,
        display_name: str,
        role: roles.Role,
        password_hash: str | None,
        patient_id: int | None,
        exploitant_id: int | None,
        now: dt.datetime,
    ) -> int: ...
    def account_named(self, username: str) -> Account | None: ...
    def charge_attempt(
        self, account_id: int, now: dt.datetime, limit: int, lock_until: dt.datetime
    ) -> Charge | None: ...
    def confirm_success(self, account_id: int, charge: Charge, now: dt.datetime) -> bool: ...
    def set_password(self, account_id: int, password_hash: str) -> None: ...
    def add_session(
        self, token_hash: str, account_id: int, csrf: str, now: dt.datetime, expires: dt.datetime
    ) -> None: ...
    def session(self, token_hash: str, now: dt.datetime) -> Session | None: ...
    def end_session(self, token_hash: str) -> None: ...
    def add_token(
        self,
        token_hash: str,
        label: str,
        role: roles.Role,
        patient_id: int | None,
        exploitant_id: int | None,
        device: bool,
        now: dt.datetime,
        expires: dt.datetime | None,
        device_id: int | None = None,
    ) -> int: ...
    def token(self, token_hash: str, now: dt.datetime) -> Token | None: ...
    def touch_token(self, token_id: int, now: dt.datetime) -> None: ...
    def revoke_token(self, token_id: int, now: dt.datetime) -> bool: ...
    def tokens(self) -> Sequence[Mapping[str, Any]]: ...


def digest(secret: str) -> str:
    """SHA-256 (hex) of a session or API token: what the store keeps."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    """The argon2id hash of a password already checked against the policy."""
    return _hasher.hash(password)


def _check_scope(role: roles.Role, patient_id: int | None, exploitant_id: int | None) -> None:
    if role is roles.Role.PATIENT and patient_id is None:
        raise AccountError("a patient account or token needs --patient", "patient_id.scope")
    if role is roles.Role.EXPLOITANT and exploitant_id is None:
        raise AccountError(
            "an exploitant account or token needs --exploitant", "exploitant_id.scope"
        )
    if patient_id is not None and role is not roles.Role.PATIENT:
        raise AccountError("only the patient role is scoped to a patient", "patient_id.scope")
    if exploitant_id is not None and role is not roles.Role.EXPLOITANT:
        raise AccountError(
            "only the exploitant role is scoped to an exploitant", "exploitant_id.scope"
        )


def create_account(
    store: Store,
    username: str,
    password: str | None,
    role: roles.Role,
    now: dt.datetime,
    *,
    display_name: str = "",
    patient_id: int | None = None,
    exploitant_id: int | None = None,
) -> int:
    """A new local account (password None: OpenID Connect only); its id."""
    username = username.strip()
    if not username:
        raise AccountError("the user name is empty", "username.empty")
    _check_scope(role, patient_id, exploitant_id)
    hashed = None
    if password is not None:
        refused = passwords.problems(password, username)
        if refused:
            raise AccountError("password refused: " + "; ".join(refused), "password.policy")
        hashed = _hasher.hash(password)
    if store.account_named(username) is not None:
        raise AccountError(f"the user name {username!r} is taken", "username.taken")
    return store.add_account(username, display_name, role, hashed, patient_id, exploitant_id, now)


def authenticate(store: Store, username: str, password: str, now: dt.datetime) -> Account | None:
    """The account if `password` is right and the account is active and not locked.

    The attempt is charged first (`Store.charge_attempt`: one atomic statement that refuses a
    locked account, counts the attempt and locks the account when the count reaches
    `MAX_FAILURES`); only a charged attempt has its password checked, and a wrong one needs no
    further write. A right one is confirmed by a compare-and-set that fails if another attempt
    locked the account meanwhile. Refusals without a check verify a dummy hash, so that every
    refusal takes the same time."""
    account = store.account_named(username.strip())
    if account is None or account.password_hash is None or not account.active:
        _verify(_DUMMY_HASH, password)
        return None
    charge = store.charge_attempt(account.id, now, MAX_FAILURES, now + LOCK)
    if charge is None:  # locked: this account's password is not checked
        _verify(_DUMMY_HASH, password)
        return None
    if not _verify(account.password_hash, password):
        return None  # already counted by the charge
    if not store.confirm_success(account.id, charge, now):
        return None  # locked by attempts charged after this one, before it was confirmed
    if _hasher.check_needs_rehash(account.password_hash):
        store.set_password(account.id, _hasher.hash(password))
    return account


def _verify(hashed: str, password: str) -> bool:
    if len(password) > passwords.MAX_LENGTH:
        return False
    try:
        return _hasher.verify(hashed, password)
    except argon2.exceptions.VerificationError:
        return False
    except argon2.exceptions.InvalidHashError:
        return False


def open_session(store: Store, account: Account, now: dt.datetime) -> tuple[str, str]:
    """(session token for the cookie, CSRF token for the forms)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    store.add_session(digest(token), account.id, csrf, now, now + SESSION_LIFETIME)
    return token, csrf


def create_token(
    store: Store,
    role: roles.Role,
    now: dt.datetime,
    *,
    label: str = "",
    patient_id: int | None = None,
    exploitant_id: int | None = None,
    device: bool = False,
    expires: dt.datetime | None = None,
    device_id: int | None = None,
) -> tuple[int, str]:
    """A new API token: (its id, the secret, shown once and never stored). A device token may
    name its Device (`device_id`, issue 17): the sender of all it writes, which must be a
    Device of the token's patient (the store refuses it otherwise)."""
    _check_scope(role, patient_id, exploitant_id)
    if device and patient_id is None:
        raise AccountError(
            "a device token needs --patient (it writes for one patient)", "patient_id.device"
        )
    if device_id is not None and not device:
        raise AccountError(
            "only a device token names a device (--device with --device-id)", "device_id.not_device"
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token_id = store.add_token(
        digest(secret), label, role, patient_id, exploitant_id, device, now, expires, device_id
    )
    return token_id, secret


def resolve_token(store: Store, secret: str, now: dt.datetime) -> Token | None:
    """The live token (not revoked, not expired) whose secret is `secret`; records its use.

    Resolved tokens are kept in this process for `token_cache.LIFETIME` seconds (a revocation
    in this process is seen at once, in another within that time: `token_cache`)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    hashed = digest(secret)
    cache = token_cache.of(store)
    cached = cache.get(hashed, now)
    if cached is not None:
        token, due = cached
        if due:
            store.touch_token(token.id, now)
        found: Token = token
        return found
    token = store.token(hashed, now)
    if token is not None:
        store.touch_token(token.id, now)
        cache.put(hashed, token, token.expires_at)
    return token


def resolve_session(store: Store, secret: str, now: dt.datetime) -> Session | None:
    """The live session whose cookie value is `secret`."""
    return store.session(digest(secret), now)


def end_session(store: Store, secret: str) -> None:
    """End the session whose cookie value is `secret` (log-out)."""
    store.end_session(digest(secret))


def revoke_token(store: Store, token_id: int, now: dt.datetime) -> bool:
    """Revoke a live token: every later request with it is refused; False when there is no
    live token `token_id`."""
    return store.revoke_token(token_id, now)


def tokens(store: Store) -> Sequence[Mapping[str, Any]]:
    """Every token (never its secret): role, scope, created, revoked, last used."""
    return store.tokens()
