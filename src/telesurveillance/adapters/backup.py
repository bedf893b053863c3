"""Backups of the store, and their restoration, on both backends.

- SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot
  while the server keeps running (https://www.sqlite.org/backup.html); restore copies the
  backup file back through the same API (the server must be stopped).
- PostgreSQL: `pg_dump --format=custom` (a consistent snapshot, one transaction) and
  `pg_restore --clean --if-exists --single-transaction` (all or nothing). The binaries are
  looked up on PATH, then in /usr/lib/postgresql/<major>/bin; their major version must not be
  older than the server's.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa

PG_BIN_DIRS = (
    tuple(Path("/usr/lib/postgresql").glob("*/bin")) if Path("/usr/lib/postgresql").is_dir() else ()
)
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """A backup or restore that could not be done (the message says why)."""


def backup(url: str, destination: Path) -> None:
    """Write a backup of the store at `url` to `destination` (replaced if it exists)."""
    parsed = sa.make_url(url)
    destination.parent.mkdir(parents=True, exist_ok=True)
    if parsed.get_backend_name() == "sqlite":
        _sqlite_copy(_sqlite_path(parsed), destination, standalone=True)
        return
    if parsed.get_backend_name() == "postgresql":
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--file",
                str(destination),
                _libpq(parsed),
            ],
            parsed,
        )
        return
    raise BackupError(f"no backup for {parsed.get_backend_name()!r}")


def restore(url: str, source: Path) -> None:
    """Replace the content of the store at `url` by the backup `source`."""
    parsed = sa.make_url(url)
    if not source.is_file():
        raise BackupError(f"{source}: no such backup file")
    with source.open("rb") as handle:
        head = handle.read(16)
    if parsed.get_backend_name() == "sqlite":
        if head != SQLITE_MAGIC:
            raise BackupError(f"{source}: not a SQLite backup")
        _sqlite_copy(source, _sqlite_path(parsed), standalone=False)
        return
    if parsed.get_backend_name() == "postgresql":
        if not head.startswith(PG_MAGIC):
            raise BackupError(f"{source}: not a pg_dump custom-format backup")
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                _libpq(parsed),
                str(source),
            ],
            parsed,
        )
        return
    raise BackupError(f"no restore for {parsed.get_backend_name()!r}")


def _sqlite_path(url: sa.URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _sqlite_copy(source: Path, destination: Path, *, standalone: bool) -> None:
    if not source.is_file():
        raise BackupError(f"{source}: no such database")
    src = sqlite3.connect(source)
    dst = sqlite3.connect(destination)
    try:
        src.backup(dst)
        if standalone:
            # A backup is one self-contained file: no WAL beside it.
            dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def _libpq(url: sa.URL) -> str:
    """The libpq URL of a SQLAlchemy URL, without its password (handed over in PGPASSWORD, so
    that it never shows in the process list)."""
    return url.set(drivername="postgresql", password=None).render_as_string()


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for directory in sorted(PG_BIN_DIRS, reverse=True):
        candidate = directory / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise BackupError(f"{name} not found (install postgresql-client)")


def _run(command: list[str], url: sa.URL) -> None:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")
