"""The scale-out export sends the day counters, and the raw readings only when asked."""

from __future__ import annotations

from pathlib import Path

from telesurveillance.services.billing import scale_out


class _Written:
    """A snapshot that records what it was asked to write."""

    def __init__(self) -> None:
        self.tables: list[tuple[scale_out.Table, Path]] = []

    def write(self, table: scale_out.Table, out: Path) -> int:
        self.tables.append((table, out))
        return 10 * len(self.tables)


def test_only_the_day_counters_leave_unless_raw_is_asked(tmp_path: Path) -> None:
    written = _Written()
    assert scale_out.export(written, tmp_path) == {"reading_days": 10}
    assert written.tables == [(scale_out.Table.READING_DAYS, tmp_path)]


def test_raw_readings_leave_with_the_counters_when_asked(tmp_path: Path) -> None:
    written = _Written()
    assert scale_out.export(written, tmp_path, raw=True) == {"reading_days": 10, "readings": 20}
    assert [t for t, _ in written.tables] == [
        scale_out.Table.READING_DAYS,
        scale_out.Table.READINGS,
    ]
