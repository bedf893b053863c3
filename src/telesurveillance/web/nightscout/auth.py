"""Authentication of a Nightscout uploader by its site's secret (called by the gate's
`web.security.auth.authenticate` before the API tokens and sessions).

On the Nightscout paths only, every credential the request presents (`api-secret`,
`?secret=`, `?token=`, `Authorization: Bearer`; `adapters.nightscout.credentials`) is tried:
with the site's key in the path, against that site's secret; without it (Loop drops the
site's path), the secret's SHA-1 finds the site. The principal is a device principal of the
site's patient (`roles.Kind.NIGHTSCOUT`): the table lets it call the routes marked `device`,
and its writes are judged on that patient. The site is left in the request state for the
handlers (its units). Nothing found: the gate goes on with tokens and sessions (a care-team
account may call these routes too, if its role allows).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import MutableMapping
from typing import Any

from starlette.types import Scope

from telesurveillance.adapters.nightscout import credentials
from telesurveillance.domain.access import roles
from telesurveillance.services.nightscout import sites

#: `/nightscout/{key}/api/v1/...` (the site's base URL) or `/api/v1/...` (Loop).
_PATH = re.compile(r"^(?:/nightscout/(?P<key>[A-Za-z0-9_-]{1,32}))?/api/v1(?:/|$)")
STATE = "nightscout_site"


def principal(services: Any, scope: Scope) -> roles.Principal | None:
    """The principal of the site whose secret the request presents, or None."""
    found = _PATH.match(str(scope.get("path", "")))
    if found is None:
        return None
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
    pairs = urllib.parse.parse_qsl(scope.get("query_string", b"").decode("latin-1"))
    query = dict(reversed(pairs))  # the first occurrence wins
    store: sites.Store = services.store.nightscout_sites
    for credential in credentials.presented(headers, query):
        site = sites.find(
            store,
            key=found["key"],
            sha1_hex=credentials.lookup_digest(credential),
            sha512_hex=credentials.sha512_digest(credential),
            now=services.clock(),
        )
        if site is not None:
            state: MutableMapping[str, Any] = scope.setdefault("state", {})
            state[STATE] = site
            return of(site)
    return None


def of(site: sites.Site) -> roles.Principal:
    name = f"Nightscout {site.label}" if site.label else f"Nightscout site {site.key}"
    return roles.Principal(
        roles.Kind.NIGHTSCOUT,
        site.id,
        name,
        roles.Role.PATIENT,
        patient_id=site.patient_id,
        device=True,
    )
