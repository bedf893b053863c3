"""The session a patient's access link opens: its cookie, and the principal it stands for.

A separate cookie from the accounts' session (`__Host-tsv_link`, `tsv_link` over plain HTTP),
with the same attributes (HttpOnly, SameSite=Lax, Secure); the principal is of role patient,
kind `link`, limited to the link's patient. The gate's authentication reads it after the
accounts' session (`web/security/auth.py`); log-out ends it.
"""

from __future__ import annotations

import datetime as dt
from http import cookies
from typing import Any

from telesurveillance.domain.access import roles
from telesurveillance.services.patient_space import links


def cookie_name(secure: bool) -> str:
    return "__Host-tsv_link" if secure else "tsv_link"


def resolve(
    services: Any, jar: cookies.SimpleCookie, now: dt.datetime
) -> tuple[roles.Principal, str] | None:
    """(principal, CSRF token) of the live link session in `jar`, else None."""
    for name in (cookie_name(True), cookie_name(False)):
        if name in jar:
            found = links.resolve(services.store.patient_space, jar[name].value, now)
            if found is not None:
                who = roles.Principal(
                    roles.Kind.LINK,
                    found.link_id,
                    found.patient_name,
                    roles.Role.PATIENT,
                    found.patient_id,
                )
                return who, found.csrf
    return None


def end(services: Any, value: str | None) -> None:
    if value:
        links.end(services.store.patient_space, value)
