"""Backups of the store, and their restoration, on both backends.

- SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot
  while the server keeps running (https://www.sqlite.org/backup.html); restore copies the
  backup file back through the same API (the server must be stopped).
- PostgreSQL: `pg_dump --format=custom` (a consistent snapshot, one transaction) and
  `pg_restore --clean --if-exists --single-transaction` (all or nothing). The binaries are
  looked up on PATH, then in /usr/lib/postgresql/<major>/bin; their major version must not be
  older than the server's.

A backup holds every health record and the credential hashes: it is written to a new file
created with mode 0600 (owner only) before a byte goes in, in the destination's directory, and
renamed over the destination once complete, so no reader ever sees it readable by others nor
half written. A backup given to `restore` is checked in full before anything is replaced
(`adapters.backup.archive.checks`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

from telesurveillance.adapters.backup import checks

BackupError = checks.BackupError

#: permissions of a backup file: read and write for its owner, nothing for anyone else
MODE = 0o600

PG_BIN_DIRS = (
    tuple(Path("/usr/lib/postgresql").glob("*/bin")) if Path("/usr/lib/postgresql").is_dir() else ()
)


def backup(url: str, destination: Path) -> None:
    """Write a backup of the store at `url` to `destination` (mode 0600; replaced if it
    exists, only once the new backup is complete)."""
    parsed = sa.make_url(url)
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"no backup for {backend!r}")
    if backend == "sqlite":
        database = _sqlite_path(parsed)
        if not database.is_file():
            raise BackupError(f"{database}: no such database")
        if destination.resolve() == database.resolve():
            raise BackupError(f"{destination} is the database itself: choose another file")
    try:
        with _private_file(destination) as (handle, temporary):
            if backend == "sqlite":
                _sqlite_copy(database, temporary, standalone=True)
            else:
                command = [_tool("pg_dump"), "--format=custom", "--no-owner", _libpq(parsed)]
                _run(command, parsed, stdout=handle)
    except OSError as exc:
        raise BackupError(f"{destination}: {exc.strerror or exc}") from None
    except sqlite3.Error as exc:
        raise BackupError(f"the SQLite backup failed: {exc}") from None


def restore(url: str, source: Path) -> None:
    """Replace the content of the store at `url` by the backup `source`, once the whole file
    has been checked (a damaged or truncated backup leaves the store as it was)."""
    parsed = sa.make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        checks.sqlite_backup(source)
        try:
            _sqlite_copy(source, _sqlite_path(parsed), standalone=False)
        except sqlite3.Error as exc:
            raise BackupError(f"restore from {source} failed: {exc}") from None
        return
    if backend == "postgresql":
        checks.pg_backup(source, _tool("pg_restore"))
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
    raise BackupError(f"no restore for {backend!r}")


@contextlib.contextmanager
def _private_file(destination: Path) -> Iterator[tuple[int, Path]]:
    """(descriptor, path) of a new file beside `destination`, created with mode 0600 (mkstemp
    creates it with O_EXCL and that mode; fchmod makes sure a restrictive umask did not take
    the owner's rights); renamed over `destination` on success, removed on failure."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(
        prefix=f".{destination.name}.", suffix=".partial", dir=destination.parent
    )
    temporary = Path(name)
    try:
        os.fchmod(handle, MODE)
        yield handle, temporary
        os.fsync(handle)
        os.replace(temporary, destination)
        _sync_directory(destination.parent)
    except BaseException:
        for leftover in ("", "-journal", "-wal", "-shm"):  # SQLite's files beside it too
            Path(f"{temporary}{leftover}").unlink(missing_ok=True)
        raise
    finally:
        os.close(handle)


def _sync_directory(directory: Path) -> None:
    # The rename is durable once the directory entry is on disk.
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _sqlite_path(url: sa.URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _sqlite_copy(source: Path, destination: Path, *, standalone: bool) -> None:
    # The source of a restore is the backup file: opened read-only, it stays as it was.
    src = sqlite3.connect(source) if standalone else checks.read_only(source)
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


def _run(command: list[str], url: sa.URL, stdout: int | None = None) -> None:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    done = subprocess.run(
        command,
        stdout=subprocess.PIPE if stdout is None else stdout,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        env=env,
    )
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")
