"""Tables of the security area: accounts, log-in sessions, API tokens, the audit trail.

Secrets are never stored: passwords as argon2id hashes, session and API tokens as the SHA-256
of a 256-bit random value (a brute force of the hash is as hard as guessing the token, so a slow
hash adds nothing). The audit trail is append-only: the migration adds triggers that refuse
UPDATE and DELETE on `audit_events` on both backends.
"""

from __future__ import annotations

import sqlalchemy as sa

from telesurveillance.adapters.sql.core.tables import metadata

_TS = sa.DateTime(timezone=True)

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(200), nullable=False, unique=True),
    sa.Column("display_name", sa.String(200), nullable=False, server_default=""),
    # domain.access.roles.Role
    sa.Column("role", sa.String(32), nullable=False),
    # argon2id encoded hash; NULL for an account that only logs in through OpenID Connect
    sa.Column("password_hash", sa.String(255), nullable=True),
    sa.Column("patient_id", sa.ForeignKey("patients.id"), nullable=True, index=True),
    sa.Column("exploitant_id", sa.ForeignKey("exploitants.id"), nullable=True, index=True),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    # log-in attempts charged since the last success or the end of the last lock, and the end
    # of the lock in force (services.security.accounts.authenticate, SqlAccounts.charge_attempt)
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", _TS, nullable=True),
    sa.Column("created_at", _TS, nullable=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("account_id", sa.ForeignKey("accounts.id"), nullable=False, index=True),
    # synchronizer CSRF token, rendered in every form of the session
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("expires_at", _TS, nullable=False),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("label", sa.String(200), nullable=False, server_default=""),
    sa.Column("role", sa.String(32), nullable=False),
    # scopes, without foreign keys: a token may be issued before its patient is imported
    sa.Column("patient_id", sa.Integer, nullable=True, index=True),
    sa.Column("exploitant_id", sa.Integer, nullable=True),
    # a device token may only write Observations for its patient
    sa.Column("device", sa.Boolean, nullable=False, server_default=sa.false()),
    # issue 17: the Device a device token was issued for (optional): the sender of its readings
    sa.Column("device_id", sa.Integer, nullable=True),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("expires_at", _TS, nullable=True),
    sa.Column("revoked_at", _TS, nullable=True),
    sa.Column("last_used_at", _TS, nullable=True),
)

audit_events = sa.Table(
    "audit_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("recorded_at", _TS, nullable=False, index=True),
    # who: `account/3`, `token/12`, or `anonymous`
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("actor_name", sa.String(200), nullable=False, server_default=""),
    sa.Column("role", sa.String(32), nullable=True),
    # what: the route name, the FHIR action code (C R U D E), method and path
    sa.Column("route", sa.String(200), nullable=False),
    sa.Column("action", sa.String(1), nullable=False),
    sa.Column("method", sa.String(8), nullable=False),
    sa.Column("path", sa.String(2000), nullable=False),
    sa.Column("patient_id", sa.Integer, nullable=True, index=True),
    # from where: the client address as seen by the server
    sa.Column("source", sa.String(64), nullable=False, server_default=""),
    # outcome: the HTTP status code sent
    sa.Column("status", sa.SmallInteger, nullable=False),
    sa.Column("request_id", sa.String(36), nullable=False),
)
