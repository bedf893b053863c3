"""Settings, read only by the edges (`web/app.py` and `cli.py`), from the environment."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from telesurveillance.domain.measures import instants

DEFAULT_DATA_DIR = Path("data")


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the data lives. Embedded SQLite by default; PostgreSQL in production."""

    database_url: str
    data_dir: Path
    #: OpenID Connect log-in (e.g. a Pro Santé Connect-style provider): off when no issuer.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    #: the ID-token claim that names the local account (created with `user create`)
    oidc_username_claim: str = "preferred_username"
    #: how far ahead of the server's clock a reading may be dated (device clocks drift);
    #: beyond, it is refused (`domain.measures.instants`)
    clock_tolerance: dt.timedelta = instants.DEFAULT_TOLERANCE
    #: seconds between two catch-ups of the alert evaluation outbox in the server (one runs at
    #: start anyway; 0: only at start)
    alerts_catch_up_seconds: float = 60.0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        tolerance = _seconds(env, "TELESURVEILLANCE_CLOCK_TOLERANCE_SECONDS")
        data_dir = Path(env.get("TELESURVEILLANCE_DATA_DIR", str(DEFAULT_DATA_DIR)))
        url = env.get("TELESURVEILLANCE_DATABASE_URL") or (
            f"sqlite:///{(data_dir / 'telesurveillance.sqlite3').as_posix()}"
        )
        return cls(
            database_url=url,
            data_dir=data_dir,
            oidc_issuer=env.get("TELESURVEILLANCE_OIDC_ISSUER") or None,
            oidc_client_id=env.get("TELESURVEILLANCE_OIDC_CLIENT_ID") or None,
            oidc_client_secret=env.get("TELESURVEILLANCE_OIDC_CLIENT_SECRET") or None,
            oidc_username_claim=env.get("TELESURVEILLANCE_OIDC_USERNAME_CLAIM")
            or "preferred_username",
            clock_tolerance=instants.DEFAULT_TOLERANCE if tolerance is None else tolerance,
            alerts_catch_up_seconds=_float_seconds(
                env, "TELESURVEILLANCE_ALERTS_CATCH_UP_SECONDS", 60.0
            ),
        )


def _seconds(env: dict[str, str], name: str) -> dt.timedelta | None:
    """A duration in whole seconds (≥ 0) from the environment, None when unset."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise ValueError(f"{name}={raw!r}: expected a number of seconds (0 or more)")
    return dt.timedelta(seconds=int(raw))


def _float_seconds(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number of seconds") from None
    if value < 0:
        raise ValueError(f"{name}={raw!r} must not be negative")
    return value
