"""Checks of a backup file before `restore` replaces anything with it.

A truncated or damaged backup must be refused with a clear message while the store is still
untouched; reading the whole file first costs one more pass over it, which is nothing next to
restoring half a store.

- SQLite: the 100-byte header (https://www.sqlite.org/fileformat.html §1.3) says how many pages
  of what size the file holds: a shorter file was cut. Then the file is opened read-only and
  `PRAGMA integrity_check` reads every page; and it must hold the schema version table
  (`alembic_version`) of a telesurveillance store.
- PostgreSQL: `pg_restore --list` reads the archive's header and table of contents (it must
  name `alembic_version`); `pg_restore --file=/dev/null` then reads and decompresses every data
  block without a server, which is where a truncation or a damaged block shows.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import urllib.parse
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
SCHEMA_TABLE = "alembic_version"
_SQLITE_HEADER = 100


class BackupError(RuntimeError):
    """A backup or restore that could not be done (the message says why)."""


def _head(source: Path, size: int) -> bytes:
    if not source.is_file():
        raise BackupError(f"{source}: no such backup file")
    try:
        with source.open("rb") as handle:
            return handle.read(size)
    except OSError as exc:
        raise BackupError(f"{source}: {exc.strerror or exc}") from None


def sqlite_backup(source: Path) -> None:
    """Refuse (BackupError) a file that is not a complete, sound SQLite backup of the store."""
    head = _head(source, _SQLITE_HEADER)
    if not head.startswith(SQLITE_MAGIC):
        raise BackupError(f"{source}: not a SQLite backup")
    if len(head) < _SQLITE_HEADER:
        raise BackupError(f"{source}: truncated SQLite backup (its header is incomplete)")
    raw_page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if raw_page_size == 1 else raw_page_size
    pages = int.from_bytes(head[28:32], "big")
    # The page count in the header is valid when its "version-valid-for" number equals the
    # change counter (fileformat §1.3.6); it always is for a file SQLite wrote since 3.7.0.
    if head[24:28] == head[92:96]:
        expected, actual = pages * page_size, source.stat().st_size
        if actual < expected:
            raise BackupError(
                f"{source}: truncated SQLite backup ({actual} bytes where its header announces "
                f"{pages} pages of {page_size} bytes, {expected} bytes)"
            )
    try:
        connection = read_only(source)
        try:
            problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{source}: damaged SQLite backup ({exc})") from None
    if problems != ["ok"]:
        raise BackupError(f"{source}: damaged SQLite backup ({'; '.join(problems[:3])})")
    if SCHEMA_TABLE not in names:
        raise BackupError(f"{source}: not a telesurveillance backup (no {SCHEMA_TABLE} table)")


def read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to a SQLite file (opening it can never change it)."""
    location = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    return sqlite3.connect(location, uri=True)


def pg_backup(source: Path, pg_restore: str) -> None:
    """Refuse (BackupError) a file that is not a complete, readable pg_dump custom-format
    archive of the store; `pg_restore` is the path of the binary."""
    if not _head(source, len(PG_MAGIC)).startswith(PG_MAGIC):
        raise BackupError(f"{source}: not a pg_dump custom-format backup")
    listing = _pg_restore(source, [pg_restore, "--list", str(source)])
    if not re.search(rf"^\d+; \d+ \d+ TABLE public {SCHEMA_TABLE}\b", listing, re.MULTILINE):
        raise BackupError(f"{source}: not a telesurveillance backup (no {SCHEMA_TABLE} table)")
    _pg_restore(source, [pg_restore, "--file", os.devnull, str(source)])


def _pg_restore(source: Path, command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode < 0:  # pg_restore itself may crash on a damaged archive
        reason = f"{Path(command[0]).name} stopped by signal {-done.returncode} reading it"
        raise BackupError(f"{source}: damaged or truncated backup ({reason})")
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        raise BackupError(f"{source}: damaged or truncated backup ({lines[-1]})")
    return done.stdout
