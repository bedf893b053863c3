"""The Nightscout sites: one per patient at a time, each with its public key and its secret.

The key is the last segment of the site's base URL (`/nightscout/{key}`): public, it only
routes. The secret is never stored: `secret_sha1` and `secret_sha512` are the SHA-256 of the
SHA-1 and SHA-512 hex digests of the secret, the two forms uploaders send in `api-secret`
(services/nightscout/sites.py). `secret_sha1` is unique: Loop drops the site's path, so the
digest it presents must find the site on its own.
"""

from __future__ import annotations

import sqlalchemy as sa

from telesurveillance.adapters.sql.core.tables import metadata

_TS = sa.DateTime(timezone=True)

nightscout_sites = sa.Table(
    "nightscout_sites",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(32), nullable=False, unique=True),
    sa.Column("patient_id", sa.ForeignKey("patients.id"), nullable=False, index=True),
    sa.Column("secret_sha1", sa.String(64), nullable=False, unique=True),
    sa.Column("secret_sha512", sa.String(64), nullable=False),
    sa.Column("label", sa.String(200), nullable=False, server_default=""),
    # the site's units (`status.json` settings; a treatment's glucose without `units`)
    sa.Column("units", sa.String(8), nullable=False, server_default="mg/dL"),
    sa.Column("issued_by", sa.String(200), nullable=False, server_default=""),
    sa.Column("issued_at", _TS, nullable=False),
    sa.Column("revoked_at", _TS, nullable=True),
    sa.Column("last_used_at", _TS, nullable=True),
)
