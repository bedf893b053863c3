"""Administration of accounts, API tokens and the audit trail (the administrateur's pages).

- Accounts: create, disable / enable, reset the password (the account is unlocked and its open
  sessions end), change the role. Each change is a compare-and-set on the state the
  administrateur saw (`UPDATE … WHERE active = :old` / `role = :old`), so two administrators
  acting at once cannot overwrite each other silently. An administrateur cannot disable or
  demote their own account (the platform would lose its last way in).
- Tokens: created through `accounts.create_token` (the secret shown once), listed with their
  last use, revoked.
- The audit trail: filtered by patient, actor and dates, exported as FHIR AuditEvent or CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from telesurveillance.domain.access import passwords, roles
from telesurveillance.services.security import accounts, audit

#: Audit events per page and the most one export holds.
AUDIT_PAGE = 100
AUDIT_EXPORT_MAX = 50_000


class FilterError(ValueError):
    """An audit filter we refuse; `code` names the field and the reason."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class Conflict(RuntimeError):
    """The account changed since the page was shown (someone else acted first)."""


@dataclass(frozen=True, slots=True)
class AccountRow:
    id: int
    username: str
    display_name: str
    role: roles.Role
    active: bool
    locked_until: dt.datetime | None
    patient_id: int | None
    exploitant_id: int | None
    #: the team member this account is, if linked (their display name)
    member: str | None


@dataclass(frozen=True, slots=True)
class TokenRow:
    id: int
    label: str
    role: roles.Role
    patient_id: int | None
    exploitant_id: int | None
    device: bool
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class AuditFilter:
    patient_id: int | None = None
    #: `account/3`, `token/12`: the subject of the principal
    actor: str | None = None
    since: dt.date | None = None
    #: the last day included
    until: dt.date | None = None


class Store(accounts.Store, Protocol):
    def account_rows(self) -> Sequence[AccountRow]: ...
    def account_row(self, account_id: int) -> AccountRow | None: ...
    def set_active(self, account_id: int, old: bool, new: bool) -> bool: ...
    def set_role(self, account_id: int, old: roles.Role, new: roles.Role) -> bool: ...
    def reset_password(self, account_id: int, password_hash: str) -> bool:
        """New hash, lock lifted, failure count reset, every open session ended."""
        ...

    def token_rows(self) -> Sequence[TokenRow]: ...
    def audit_events(
        self, chosen: AuditFilter, limit: int, before_id: int | None
    ) -> Sequence[audit.Event]: ...


def _target(store: Store, account_id: int) -> AccountRow:
    found = store.account_row(account_id)
    if found is None:
        raise accounts.AccountError(f"no account {account_id}", "account.unknown")
    return found


def set_active(store: Store, who: roles.Principal, account_id: int, active: bool) -> None:
    """Disable (its sessions stop at their next request) or enable an account."""
    found = _target(store, account_id)
    if not active and _is_self(who, account_id):
        raise accounts.AccountError("you cannot disable your own account", "account.self")
    if found.active is active:
        return
    if not store.set_active(account_id, found.active, active):
        raise Conflict(f"account {account_id} changed meanwhile")


def change_role(store: Store, who: roles.Principal, account_id: int, role: roles.Role) -> None:
    found = _target(store, account_id)
    if _is_self(who, account_id) and role is not found.role:
        raise accounts.AccountError("you cannot change your own role", "account.self")
    if role in (roles.Role.PATIENT, roles.Role.EXPLOITANT) or found.role in (
        roles.Role.PATIENT,
        roles.Role.EXPLOITANT,
    ):
        if role is not found.role:
            raise accounts.AccountError(
                "a patient or exploitant account is scoped: create a new account instead",
                "role.scoped",
            )
        return
    if role is found.role:
        return
    if not store.set_role(account_id, found.role, role):
        raise Conflict(f"account {account_id} changed meanwhile")


def reset_password(store: Store, account_id: int, password: str) -> None:
    """A new password chosen by the administrateur (checked by the CNIL policy), to hand over
    to the user; the account is unlocked and its open sessions end."""
    found = _target(store, account_id)
    refused = passwords.problems(password, found.username)
    if refused:
        raise accounts.AccountError("password refused: " + "; ".join(refused), "password.policy")
    if not store.reset_password(account_id, accounts.hash_password(password)):
        raise accounts.AccountError(f"no account {account_id}", "account.unknown")


def revoke_token(store: Store, who: roles.Principal, token_id: int, now: dt.datetime) -> bool:
    """Revoke a token (every later request with it answers 401); False if it was not live.
    The token a request is made with cannot revoke itself (the administrateur would lock
    themself out mid-session)."""
    if who.kind is roles.Kind.TOKEN and who.id == token_id:
        raise accounts.AccountError("you cannot revoke the token you are using", "token.self")
    return store.revoke_token(token_id, now)


def _is_self(who: roles.Principal, account_id: int) -> bool:
    return who.kind is roles.Kind.ACCOUNT and who.id == account_id


def events(
    store: Store, chosen: AuditFilter, *, before_id: int | None = None, limit: int = AUDIT_PAGE
) -> Sequence[audit.Event]:
    if chosen.since is not None and chosen.until is not None and chosen.until < chosen.since:
        raise FilterError("the end date is before the start date", "until.order")
    return store.audit_events(chosen, min(limit, AUDIT_EXPORT_MAX), before_id)


CSV_COLUMNS = (
    "id",
    "recorded_at",
    "actor",
    "actor_name",
    "role",
    "route",
    "action",
    "method",
    "path",
    "patient_id",
    "source",
    "status",
    "request_id",
)


def as_csv(found: Iterable[audit.Event]) -> str:
    """The events as CSV (RFC 4180, UTF-8, one header line), instants in UTC ISO 8601. A cell
    that a spreadsheet would run as a formula is prefixed with an apostrophe (OWASP CSV
    injection)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in found:
        row = [
            e.id,
            e.recorded_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            e.actor,
            e.actor_name,
            e.role or "",
            e.route,
            e.action,
            e.method,
            e.path,
            "" if e.patient_id is None else e.patient_id,
            e.source,
            e.status,
            e.request_id,
        ]
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
