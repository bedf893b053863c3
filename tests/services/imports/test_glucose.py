"""Glucose lines through the ingestion service: the plausible-instant window on both sides of
its bounds, skips and in-file duplicates counted apart, refusals kept with their line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from telesurveillance.adapters.cgm import lines
from telesurveillance.domain.access import matrix, roles, writes
from telesurveillance.domain.measures import instants, reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.services import ingest
from telesurveillance.services.imports import glucose

TABLE = measures.packaged()
SENSOR = TABLE.by_name("glucose_capteur").id
NOW = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
WINDOW = instants.window(NOW, dt.timedelta(minutes=5), dt.date(2023, 7, 1))
WHERE = ingest.Where("patient", "date", "sgv")
ORIGIN = lines.Origin(lines.Source.NIGHTSCOUT, "test")


class MemoryStore:
    def __init__(self) -> None:
        self.stored: set[reading.Reading] = set()

    def patients(self, patient_ids: set[int]) -> Mapping[int, dt.date]:
        return {p: dt.date(1950, 1, 1) for p in patient_ids if p == 1}

    def devices(self, device_ids: set[int]) -> Mapping[int, int | None]:
        return {}

    def write(
        self, batch: Sequence[ingest.Grant], sent: Sequence[ingest.Sent] = ()
    ) -> Sequence[reading.Reading]:
        new = [r for grant in batch for r in grant.value if r not in self.stored]
        self.stored.update(new)
        return new


def _line(number: int, ts: int) -> lines.Line:
    found = reading.Reading(1, SENSOR, ts, 100.0)
    return lines.Line(number, (lines.Sourced(found, ORIGIN),))


def _run(found: list[lines.Line], store: MemoryStore | None = None) -> glucose.Report:
    judge = writes.Judge(matrix.packaged(), roles.CONSOLE)
    return glucose.ingest_lines(
        found,
        store or MemoryStore(),
        glucose.judged_as(judge, "fhir.observation.create"),
        table=TABLE,
        window=WINDOW,
        where=WHERE,
    )


def test_the_sources_duplicate_skip_is_the_one_counted_with_duplicates() -> None:
    assert lines.Skip.DUPLICATE.value == glucose.DUPLICATE


def test_a_reading_at_the_latest_plausible_instant_is_kept_and_one_ms_later_refused() -> None:
    report = _run([_line(1, WINDOW.latest), _line(2, WINDOW.latest + 1)])
    assert report.accepted == 1
    (refused,) = report.refused
    assert (refused.line, refused.expression) == (2, "date")
    assert "future" in refused.diagnostics


def test_a_reading_at_the_common_law_start_is_kept_and_one_ms_before_refused() -> None:
    report = _run([_line(1, WINDOW.earliest), _line(2, WINDOW.earliest - 1)])
    assert report.accepted == 1
    assert [r.line for r in report.refused] == [2]
    assert "LATM common law" in report.refused[0].diagnostics


def test_skips_duplicates_and_refusals_are_each_counted_once() -> None:
    ts = WINDOW.latest - 60_000
    found = [
        _line(1, ts),
        lines.Line(2, skipped=lines.Skip.DUPLICATE, note="same as line 1"),
        lines.Line(3, skipped=lines.Skip.NOT_GLUCOSE, note="insulin"),
        lines.Line(4, refusal=lines.Refusal(4, "no sgv", "sgv")),
    ]
    store = MemoryStore()
    report = _run(found, store)
    assert (report.lines, report.accepted, report.duplicates) == (4, 1, 1)
    assert report.skipped == [glucose.Skipped(3, "not_glucose", "insulin")]
    assert [(r.line, r.diagnostics, r.expression) for r in report.refused] == [(4, "no sgv", "sgv")]
    again = _run(found, store)
    assert (again.accepted, again.duplicates, again.readings) == (0, 2, 0)


def test_an_unknown_patient_is_refused_with_the_line() -> None:
    found = lines.Line(7, (lines.Sourced(reading.Reading(2, SENSOR, WINDOW.latest, 90.0), ORIGIN),))
    report = _run([found])
    (refused,) = report.refused
    assert refused.line == 7
    assert "unknown patient Patient/2" in refused.diagnostics
