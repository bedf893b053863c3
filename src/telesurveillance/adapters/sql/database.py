"""Engines for the two backends: an embedded SQLite file (default) and PostgreSQL 15.

SQLite is tuned for a single-process server: WAL journal (readers never block the writer),
`synchronous=FULL` so a commit that returned is on disk (a 2xx is only sent after it), foreign
keys on, a busy timeout instead of immediate "database is locked" errors, a larger page cache.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

WRITE_OPTION = "telesurveillance_write"

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
    "PRAGMA cache_size=-262144",  # 256 MiB
    "PRAGMA temp_store=MEMORY",
    "PRAGMA mmap_size=268435456",
)


def is_sqlite(engine: sa.Engine) -> bool:
    return engine.dialect.name == "sqlite"


def create(url: str, *, echo: bool = False) -> sa.Engine:
    """An engine for `url`; creates the SQLite file's directory when needed."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return sa.create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10)
    raise ValueError(
        f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
    )


def _sqlite_on_connect(dbapi_connection: Any, _record: object) -> None:
    # Let SQLAlchemy manage transactions (BEGIN emitted in _sqlite_on_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def _sqlite_on_begin(connection: sa.Connection) -> None:
    # A write transaction takes the write lock up front (BEGIN IMMEDIATE): two writers queue on
    # busy_timeout instead of failing with SQLITE_BUSY at commit time after a read.
    if connection.get_execution_options().get(WRITE_OPTION):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


@contextlib.contextmanager
def writing(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection in a write transaction, committed on exit (rolled back on error)."""
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
        yield conn
