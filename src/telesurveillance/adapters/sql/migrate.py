"""Alembic migrations run programmatically (no alembic.ini): `upgrade` on server start and
`telesurveillance db upgrade`.

Each area of the store has its own Alembic branch rooted at the core revision, so `heads` is the
target of an upgrade and `base` the target of a full downgrade.
"""

from __future__ import annotations

from importlib import resources

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from telesurveillance.adapters.sql import database


def _config(connection: sa.Connection) -> Config:
    config = Config()
    location = resources.files("telesurveillance.adapters.sql").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: sa.Engine, target: str = "heads") -> None:
    """Bring the schema up to `target` (default: every branch's head), in one transaction."""
    with database.writing(engine) as conn:
        command.upgrade(_config(conn), target)


def downgrade(engine: sa.Engine, target: str = "base") -> None:
    with database.writing(engine) as conn:
        command.downgrade(_config(conn), target)


def current(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def heads(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        return set(ScriptDirectory.from_config(_config(conn)).get_heads())


def is_current(engine: sa.Engine) -> bool:
    return current(engine) == heads(engine)
