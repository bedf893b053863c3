"""`telesurveillance backup` writes a file only its owner can read, from its first byte;
`restore` refuses a truncated or damaged backup with a clear line and leaves the store as it
was (SQLite and PostgreSQL)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from telesurveillance.adapters.backup import archive
from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import readings, tables
from telesurveillance.cli import app as cli


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the command's English lines (French is the default)."""
    monkeypatch.setenv("TELESURVEILLANCE_LANG", "en")


runner = CliRunner()


def _url(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _run(engine: sa.Engine, *args: str) -> Result:
    return runner.invoke(cli, list(args), env={"TELESURVEILLANCE_DATABASE_URL": _url(engine)})


def _modes(directory: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in directory.iterdir()}


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most systems run with (022: new files readable by everyone)."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def store(engine: sa.Engine) -> sa.Engine:
    """A store with a patient and enough readings that a dump is mostly data."""
    with database.writing(engine) as conn:
        conn.execute(
            sa.insert(tables.patients).values(
                id=1, family="Synthétique", given="Alice", birth_date=dt.date(1950, 1, 2)
            )
        )
        start = 1_700_000_000_000
        batch = [readings.Reading(1, 1, start + i * 60_000, 60.0 + i % 40) for i in range(3000)]
        readings.store(conn, batch)
    return engine


def _snapshot(engine: sa.Engine) -> dict[str, list[tuple[object, ...]]]:
    engine.dispose()
    with engine.connect() as conn:
        return {
            name: sorted(tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {name}")))
            for name in ("patients", "readings", "reading_days", "alembic_version")
        }


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A directory for backups (the SQLite store of the test lives in `tmp_path`)."""
    directory = tmp_path / "out"
    directory.mkdir()
    return directory


def _backup(engine: sa.Engine, target: Path) -> Path:
    result = _run(engine, "backup", str(target))
    assert result.exit_code == 0, result.output
    return target


def test_a_backup_is_readable_by_its_owner_only_and_the_command_says_so(
    store: sa.Engine, out: Path, usual_umask: None
) -> None:
    target = out / "new" / "store.backup"
    result = _run(store, "backup", str(target))
    assert result.exit_code == 0, result.output
    assert _modes(target.parent) == {"store.backup": 0o600}
    assert "mode 0600" in result.stdout
    assert "readable by its owner only" in result.stdout


def test_a_backup_written_over_a_readable_file_is_private_too(
    store: sa.Engine, out: Path, usual_umask: None
) -> None:
    target = out / "store.backup"
    target.write_bytes(b"an older, world-readable backup")
    target.chmod(0o644)
    _backup(store, target)
    assert _modes(out) == {"store.backup": 0o600}
    assert target.stat().st_size > 10_000


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most permissive umask: nothing is taken away from the mode a file is created with."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_the_backup_file_is_private_before_its_first_byte_and_named_only_when_complete(
    store: sa.Engine, out: Path, monkeypatch: pytest.MonkeyPatch, open_umask: None
) -> None:
    seen: list[dict[str, int]] = []
    writer = "_sqlite_copy" if database.is_sqlite(store) else "_run"
    original: Callable[..., None] = getattr(archive, writer)

    def watched(*args: Any, **kwargs: Any) -> None:
        seen.append(_modes(out))  # the file exists, empty: before the first byte
        original(*args, **kwargs)
        seen.append(_modes(out))  # complete, not yet renamed

    monkeypatch.setattr(archive, writer, watched)
    archive.backup(_url(store), out / "store.backup")
    before, written = seen
    assert len(before) == 1
    assert "store.backup" not in before
    assert "store.backup" not in written
    assert set(before.values()) == {0o600}
    assert set(written.values()) == {0o600}
    assert _modes(out) == {"store.backup": 0o600}


def test_a_failed_backup_leaves_the_previous_one_and_no_partial_file(
    engine: sa.Engine, out: Path
) -> None:
    target = out / "store.backup"
    target.write_bytes(b"yesterday's backup")
    if database.is_sqlite(engine):
        missing = engine.url.set(database=str(out / "nowhere.sqlite3"))
    else:
        missing = engine.url.set(database="no_such_database")
    result = runner.invoke(
        cli,
        ["backup", str(target)],
        env={"TELESURVEILLANCE_DATABASE_URL": missing.render_as_string(hide_password=False)},
    )
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a clear line, no traceback
    assert target.read_bytes() == b"yesterday's backup"
    assert sorted(p.name for p in out.iterdir()) == ["store.backup"]


def test_a_backup_is_never_written_over_the_database_itself(engine: sa.Engine) -> None:
    if not database.is_sqlite(engine):
        pytest.skip("a PostgreSQL database is not a file")
    assert engine.url.database is not None
    result = _run(engine, "backup", engine.url.database)
    assert result.exit_code == 1
    assert "the database itself" in result.stderr


def _refused(engine: sa.Engine, source: Path) -> Result:
    """Restore `source` (expected to be refused) into the store, the server stopped."""
    engine.dispose()
    result = _run(engine, "restore", str(source), "--yes")
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # a clear line, no traceback
    assert "Traceback" not in result.output
    return result


def test_a_truncated_backup_is_refused_and_the_store_left_as_it_was(
    store: sa.Engine, out: Path
) -> None:
    whole = _backup(store, out / "store.backup").read_bytes()
    with database.writing(store) as conn:
        conn.execute(sa.update(tables.patients).values(family="Changed since the backup"))
    before = _snapshot(store)
    for size in (20, 100, 2_000, len(whole) // 2, len(whole) * 9 // 10, len(whole) - 1):
        cut = out / f"cut-{size}.backup"
        cut.write_bytes(whole[:size])
        result = _refused(store, cut)
        assert str(cut) in result.stderr
        assert "truncated" in result.stderr
        assert _snapshot(store) == before, size


def test_a_damaged_backup_is_refused_and_the_store_left_as_it_was(
    store: sa.Engine, out: Path
) -> None:
    whole = bytearray(_backup(store, out / "store.backup").read_bytes())
    with database.writing(store) as conn:
        conn.execute(sa.update(tables.patients).values(family="Changed since the backup"))
    before = _snapshot(store)
    for offset in range(len(whole) * 6 // 10, len(whole) * 8 // 10):
        whole[offset] ^= 0x5A
    damaged = out / "damaged.backup"
    damaged.write_bytes(bytes(whole))
    result = _refused(store, damaged)
    assert "damaged" in result.stderr
    assert _snapshot(store) == before


def test_a_sound_backup_of_another_database_is_refused(engine: sa.Engine, out: Path) -> None:
    other = out / "other.backup"
    if database.is_sqlite(engine):
        with contextlib.closing(sqlite3.connect(other)) as conn:
            conn.execute("CREATE TABLE notes (body TEXT)")
    else:  # the server's maintenance database: a sound dump without the store's tables
        maintenance = engine.url.set(database="postgres")
        archive.backup(maintenance.render_as_string(hide_password=False), other)
    result = _refused(engine, other)
    assert "not a telesurveillance backup" in result.stderr


def test_a_checked_backup_still_restores(store: sa.Engine, out: Path) -> None:
    before = _snapshot(store)
    target = _backup(store, out / "store.backup")
    with database.writing(store) as conn:
        conn.execute(sa.delete(tables.reading_days))
    store.dispose()
    result = _run(store, "restore", str(target), "--yes")
    assert result.exit_code == 0, result.output
    assert _snapshot(store) == before
