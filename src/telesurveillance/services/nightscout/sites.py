"""Issuing, finding and revoking a patient's Nightscout site (base URL key and secret).

The care team issues a site for a patient; the secret is shown once and never stored: the
store keeps the SHA-256 of the secret's SHA-1 hex digest (what `api-secret` carries, and what
finds the site when the uploader dropped the URL's path, as Loop does) and of its SHA-512 hex
digest (Nightscout's other accepted form). A patient has one live site: issuing a new one
revokes the previous in the same transaction. A revoked site authenticates nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Protocol

#: Nightscout refuses an API_SECRET shorter than this (`MIN_PASSPHRASE_LENGTH`).
MIN_SECRET_LENGTH = 12
#: The site's units: the settings `status.json` reports, a treatment's glucose without units.
UNITS = ("mg/dL", "mmol/L")
#: `last_used_at` is written at most this often (an uploader calls every five minutes).
TOUCH_EVERY = dt.timedelta(minutes=10)


class SiteError(ValueError):
    """A site cannot be issued as asked (unknown patient, short secret, bad units)."""


@dataclass(frozen=True, slots=True)
class Site:
    id: int
    key: str
    patient_id: int
    label: str
    units: str
    issued_by: str
    issued_at: dt.datetime
    revoked_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Digests:
    """What the store keeps of a secret (`stored`) and what a credential is looked up by."""

    sha1: str
    sha512: str


@dataclass(frozen=True, slots=True)
class Issued:
    site: Site
    secret: str
    """Shown once to the care team; only its digests are stored."""
    revoked: Site | None = None
    """The patient's previous live site, revoked by this issue."""


class Store(Protocol):
    def patient_exists(self, patient_id: int) -> bool: ...

    def replace(
        self,
        *,
        key: str,
        patient_id: int,
        digests: Digests,
        label: str,
        units: str,
        issued_by: str,
        now: dt.datetime,
    ) -> tuple[Site, Site | None]:
        """Add a live site for the patient and revoke its live one, in one transaction."""
        ...

    def live_by_key(self, key: str) -> tuple[Site, Digests] | None: ...

    def live_by_sha1(self, stored_sha1: str) -> tuple[Site, Digests] | None: ...

    def live_for_patient(self, patient_id: int) -> Site | None: ...

    def revoke(self, site_id: int, now: dt.datetime) -> bool:
        """`UPDATE … WHERE revoked_at IS NULL`: False when it was already revoked."""
        ...

    def touch(self, site_id: int, now: dt.datetime) -> None: ...


def stored(secret: str) -> Digests:
    """The digests kept for `secret`."""
    return Digests(
        _stored(hashlib.sha1(secret.encode("utf-8")).hexdigest()),
        _stored(hashlib.sha512(secret.encode("utf-8")).hexdigest()),
    )


def _stored(hex_digest: str) -> str:
    return hashlib.sha256(hex_digest.lower().encode("ascii")).hexdigest()


def new_key() -> str:
    """The public key of a site's base URL: 96 random bits, URL-safe."""
    return secrets.token_urlsafe(12)


def issue(
    store: Store,
    *,
    patient_id: int,
    secret: str,
    now: dt.datetime,
    issued_by: str,
    label: str = "",
    units: str = "mg/dL",
) -> Issued:
    """A new site for `patient_id` with `secret` (made by the caller, shown once)."""
    if len(secret) < MIN_SECRET_LENGTH:
        raise SiteError(f"a Nightscout secret has at least {MIN_SECRET_LENGTH} characters")
    if units not in UNITS:
        raise SiteError(f"units {units!r}: one of {', '.join(UNITS)}")
    if not store.patient_exists(patient_id):
        raise SiteError(f"unknown patient Patient/{patient_id}")
    site, revoked = store.replace(
        key=new_key(),
        patient_id=patient_id,
        digests=stored(secret),
        label=label,
        units=units,
        issued_by=issued_by,
        now=now,
    )
    return Issued(site, secret, revoked)


def revoke(store: Store, *, patient_id: int, now: dt.datetime) -> Site | None:
    """Revoke the patient's live site; the site revoked, or None when there was none."""
    site = store.live_for_patient(patient_id)
    if site is None or not store.revoke(site.id, now):
        return None
    return site


def find(
    store: Store,
    *,
    key: str | None,
    sha1_hex: str | None,
    sha512_hex: str | None,
    now: dt.datetime,
) -> Site | None:
    """The live site a credential opens: the site of `key` when the URL names one (either
    digest of its secret must match), else the site whose secret has the SHA-1 `sha1_hex`."""
    if key is not None:
        found = store.live_by_key(key)
        if found is None:
            return None
        site, digests = found
        ok = False
        if sha1_hex is not None:
            ok |= hmac.compare_digest(_stored(sha1_hex), digests.sha1)
        if sha512_hex is not None:
            ok |= hmac.compare_digest(_stored(sha512_hex), digests.sha512)
        if not ok:
            return None
    elif sha1_hex is not None:
        by_digest = store.live_by_sha1(_stored(sha1_hex))
        if by_digest is None:
            return None
        site = by_digest[0]
    else:
        return None
    if site.last_used_at is None or now - site.last_used_at > TOUCH_EVERY:
        store.touch(site.id, now)
    return site
