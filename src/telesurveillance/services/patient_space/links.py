"""Access links a care team gives a patient, and the sessions they open.

A link is `/acces#<secret>`: 256 random bits, shown once (on the page that creates it, with
its QR code), of which only the SHA-256 is stored, as for API tokens (a slow hash adds nothing
to a random secret of that size). It expires after at most `MAX_VALIDITY` (the team chooses
one of `VALIDITIES`), may be single-use, and can be revoked (its sessions end with it).
Using it opens a session limited to its patient, of at most `SESSION_LIFETIME` (the accounts'
session lifetime), never beyond the link's revocation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from telesurveillance.services.patient_space import ports
from telesurveillance.services.security import accounts

MAX_VALIDITY = dt.timedelta(days=7)
#: The validities offered to the team, in days.
VALIDITIES = (1, 3, 7)
SESSION_LIFETIME = accounts.SESSION_LIFETIME
#: The secret is the address's fragment: browsers never send it to a server, so it appears in no
#: access log, proxy log or Referer (the landing page's script posts it, `web/patient_space`).
PATH = "/acces#"


class LinkError(ValueError):
    """A link we refuse to create or to use; `state` says why it cannot be used."""

    def __init__(self, message: str, state: ports.LinkState | None = None) -> None:
        super().__init__(message)
        self.state = state


@dataclass(frozen=True, slots=True)
class Issued:
    link_id: int
    secret: str
    """Shown once, never stored."""
    expires_at: dt.datetime
    single_use: bool

    @property
    def path(self) -> str:
        return PATH + self.secret


@dataclass(frozen=True, slots=True)
class Opened:
    """A session opened by a link: the cookie's value and the link's patient."""

    token: str
    patient_id: int
    link_id: int
    expires_at: dt.datetime


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue(
    store: ports.Store,
    patient_id: int,
    days: int,
    single_use: bool,
    created_by: str,
    now: dt.datetime,
) -> Issued:
    """A new link for `patient_id`, valid `days` days (at most `MAX_VALIDITY`)."""
    validity = dt.timedelta(days=days)
    if days < 1 or validity > MAX_VALIDITY:
        raise LinkError(f"a link is valid from 1 to {MAX_VALIDITY.days} days, not {days}")
    if store.person(patient_id) is None:
        raise LinkError(f"no patient Patient/{patient_id}")
    secret = secrets.token_urlsafe(32)
    expires = now + validity
    link_id = store.add_link(patient_id, digest(secret), single_use, created_by, now, expires)
    return Issued(link_id, secret, expires, single_use)


def _plausible(secret: str) -> bool:
    # token_urlsafe(32) is 43 characters of the URL-safe alphabet
    return 20 <= len(secret) <= 100 and all(c.isalnum() or c in "-_" for c in secret)


def open_session(store: ports.Store, secret: str, now: dt.datetime) -> Opened:
    """Use the link `secret`: a new session limited to its patient, or `LinkError` saying why
    the link cannot be used (unknown, expired, revoked, already used)."""
    if not _plausible(secret):
        raise LinkError("unknown link")
    found = store.redeem(digest(secret), now)
    if found is None:
        link = store.link_by_digest(digest(secret))
        if link is None:
            raise LinkError("unknown link")
        state = link.state(now)
        if state is ports.LinkState.LIVE:  # spent by a concurrent use between the two reads
            state = ports.LinkState.USED
        raise LinkError(f"link {link.id} is {state.value}", state)
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = now + SESSION_LIFETIME
    store.add_session(digest(token), found, csrf, now, expires)
    return Opened(token, found.patient_id, found.id, expires)


def resolve(store: ports.Store, token: str, now: dt.datetime) -> ports.LinkSession | None:
    """The live session whose cookie value is `token`."""
    if not _plausible(token):
        return None
    return store.session(digest(token), now)


def end(store: ports.Store, token: str) -> None:
    if _plausible(token):
        store.end_session(digest(token))


def listed(store: ports.Store, patient_id: int) -> Sequence[ports.Link]:
    return store.links(patient_id)


def revoke(store: ports.Store, patient_id: int, link_id: int, now: dt.datetime) -> bool:
    return store.revoke(patient_id, link_id, now)
