"""Nightscout credentials: one secret per patient, presented the ways uploaders present it.

Nightscout (`lib/authorization/index.js`, `lib/server/enclave.js`) reads the API secret from
the `api-secret` header or `?secret=` as its SHA-1 hex digest (any case) or SHA-512 hex digest,
and an access token from `?token=` (or `Authorization: Bearer`), or in the `api-secret` header
itself or as its SHA-1 (xDrip+ hashes whatever is before `@` in its base URL). py-nightscout
sends `api-secret: token=<token>` when given `token=…`. We issue one secret per patient and
accept every one of those forms of it; comparisons are constant-time.

Loop builds its URLs from the site's scheme, host and port only (NightscoutKit
`NightscoutClient.url(with:)`), so the patient cannot always be read from the path: the
presented credential must also find the patient (`lookup_digest`), which a random secret of
128 bits makes safe to index by its SHA-1.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

#: Nightscout refuses an API_SECRET shorter than this (`MIN_PASSPHRASE_LENGTH`), and so does
#: share2nightscout-bridge before it uploads.
MIN_LENGTH = 12
_HEX40 = re.compile(r"^[0-9a-fA-F]{40}$")
_HEX128 = re.compile(r"^[0-9a-fA-F]{128}$")


class Where(StrEnum):
    HEADER = "api-secret header"
    SECRET_QUERY = "?secret="
    TOKEN_QUERY = "?token="
    BEARER = "Authorization: Bearer"


@dataclass(frozen=True, slots=True)
class Presented:
    where: Where
    value: str


def sha1_hex(secret: str) -> str:
    return hashlib.sha1(secret.encode("utf-8")).hexdigest()


def sha512_hex(secret: str) -> str:
    return hashlib.sha512(secret.encode("utf-8")).hexdigest()


def issue(label: str) -> str:
    """A new secret: a short readable prefix (like Nightscout's access tokens) and 128 random
    bits, only `[a-z0-9-]` so it fits an xDrip+ base URL (`https://SECRET@host/api/v1/`)."""
    prefix = re.sub(r"[^a-z0-9]", "", label.lower())[:10] or "patient"
    return f"{prefix}-{secrets.token_hex(16)}"


def presented(headers: Mapping[str, str], query: Mapping[str, str]) -> list[Presented]:
    """Every credential a request presents, header names in any case."""
    lower = {k.lower(): v for k, v in headers.items()}
    found: list[Presented] = []
    if value := lower.get("api-secret", "").strip():
        found.append(Presented(Where.HEADER, value))
    if value := query.get("secret", "").strip():
        found.append(Presented(Where.SECRET_QUERY, value))
    if value := query.get("token", "").strip():
        found.append(Presented(Where.TOKEN_QUERY, value))
    scheme, _, value = lower.get("authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        found.append(Presented(Where.BEARER, value.strip()))
    return found


def _forms(where: Where, secret: str) -> tuple[str, ...]:
    digests = (sha1_hex(secret), sha512_hex(secret))
    match where:
        case Where.HEADER:
            return (*digests, secret, f"token={secret}")
        case Where.SECRET_QUERY:
            return digests
        case Where.TOKEN_QUERY | Where.BEARER:
            return (secret,)


def matches(credential: Presented, secret: str) -> bool:
    """Whether `credential` is one of the accepted forms of `secret` (constant-time)."""
    given = credential.value.lower() if _is_digest(credential.value) else credential.value
    found = False
    for form in _forms(credential.where, secret):
        found |= hmac.compare_digest(given.encode("utf-8"), form.encode("utf-8"))
    return found


def authorised(headers: Mapping[str, str], query: Mapping[str, str], secret: str) -> bool:
    """Whether any credential of the request is `secret` (a patient known from the URL)."""
    return any(matches(credential, secret) for credential in presented(headers, query))


def lookup_digest(credential: Presented) -> str | None:
    """The SHA-1 hex of the secret this credential stands for, to find its patient by; `None`
    for a SHA-512 digest (it names no SHA-1; such a client needs the patient in its URL)."""
    value = credential.value
    if _HEX128.match(value):
        return None
    if _HEX40.match(value) and credential.where in (Where.HEADER, Where.SECRET_QUERY):
        return value.lower()
    if credential.where is Where.HEADER and value.startswith("token="):
        value = value.removeprefix("token=")
    return sha1_hex(value)


def sha512_digest(credential: Presented) -> str | None:
    """The SHA-512 hex the credential presents (`api-secret` or `?secret=`), lower case; `None`
    for any other form (the secret itself is found by `lookup_digest`)."""
    value = credential.value
    if _HEX128.match(value) and credential.where in (Where.HEADER, Where.SECRET_QUERY):
        return value.lower()
    return None


def _is_digest(value: str) -> bool:
    return bool(_HEX40.match(value) or _HEX128.match(value))
