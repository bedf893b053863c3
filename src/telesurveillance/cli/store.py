"""CLI commands of the store: `db upgrade`, `serve`, `import`."""

from __future__ import annotations

import typer

from telesurveillance.adapters.sql import migrate
from telesurveillance.cli import common

db_app = typer.Typer(help="The database: migrations.")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to the configured database."""
    store = common.engine(upgrade=False)
    before = migrate.current(store)
    migrate.upgrade(store)
    after = migrate.current(store)
    url = store.url.render_as_string(hide_password=True)
    if before == after:
        common.out.print(f"{url}: already at {', '.join(sorted(after))}", highlight=False)
    else:
        common.out.print(f"{url}: upgraded to {', '.join(sorted(after))}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the `telesurveillance` app."""
    app.add_typer(db_app, name="db")
