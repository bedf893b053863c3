"""The base of every JSON request body of the platform's own API (`/api/...`).

Identity comes only from the authenticated principal (`web.security.gate.principal`), never from
what a client sends. A body model therefore declares only data, and it refuses any field it does
not declare: a client sending `actor`, `role` or `cooperation` gets a 422 naming the field
instead of a silent acceptance that would let it believe its claim counted.
`tests/web/security/test_identity.py` walks every route of the app and fails on a body model that
accepts unknown fields, or that declares an identity-like field not listed there with its reason.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Body(BaseModel):
    """A request body: declared fields only (unknown fields are a 422)."""

    model_config = ConfigDict(extra="forbid")
