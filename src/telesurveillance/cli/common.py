"""What every CLI module shares: the consoles, the settings and the store they point at."""

from __future__ import annotations

from rich.console import Console

from telesurveillance import composition, config

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def settings() -> config.Settings:
    return config.Settings.from_env()


def store(*, upgrade: bool = True) -> composition.Store:
    """The ports of the configured store (TELESURVEILLANCE_DATABASE_URL, else the embedded
    SQLite file), migrated to the current schema unless `upgrade` is False."""
    return composition.open_store(settings().database_url, upgrade=upgrade)
