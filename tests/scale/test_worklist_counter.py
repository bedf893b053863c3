"""The worklist's current-period counter (issue 18, point 3) always equals a recount from the
day counters, after any mix of ingests, corrections, withdrawals and period roll-overs — on
SQLite and on PostgreSQL — and the worklist reads it instead of counting."""

from __future__ import annotations

import datetime as dt
import threading

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.alerts import tables as tables_alerts
from telesurveillance.adapters.sql.billing import synthetic
from telesurveillance.adapters.sql.core import corrections, readings, tables
from telesurveillance.adapters.sql.dashboard import counters, worklist, worklist_page
from telesurveillance.domain.measures import reading
from telesurveillance.services.dashboard import ports

LENGTH = 30
FIRST = dt.date(2026, 1, 1)
#: prise en charge → (patient, start of monitoring): patient 1 has two (two indications)
PRISES = {1: (1, FIRST), 2: (1, FIRST + dt.timedelta(days=11)), 3: (2, FIRST)}


def _world(engine: sa.Engine) -> None:
    with database.writing(engine) as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(tables.patients)).scalar_one():
            return
        for patient in (1, 2):
            conn.execute(
                sa.insert(tables.patients).values(
                    id=patient, family="SYNTHETIQUE", given="Compteur",
                    birth_date=dt.date(1950, 1, 1), synthetic=True,
                )
            )  # fmt: skip
        conn.execute(sa.insert(tables.operateurs).values(id=1, name="Équipe", kind="etablissement"))
        indications = ["insuffisance_cardiaque", "diabete", "insuffisance_cardiaque"]
        for (pec_id, (patient, starts_on)), indication in zip(
            PRISES.items(), indications, strict=True
        ):
            conn.execute(
                sa.insert(tables.prises_en_charge).values(
                    id=pec_id, patient_id=patient, operateur_id=1, indication=indication,
                    starts_on=starts_on,
                )
            )  # fmt: skip


def _reset(engine: sa.Engine) -> None:
    with database.writing(engine) as conn:
        for table in (
            tables.readings, tables.reading_days, tables.last_readings,
            tables_alerts.alert_pending, counters.patient_days, counters.worklist_periods,
        ):  # fmt: skip
            conn.execute(sa.delete(table))


def _ts(day: dt.date, hour: int) -> int:
    # noon UTC ± 10 h stays on the same Paris day in winter and summer
    moment = dt.datetime(day.year, day.month, day.day, 2 + hour, tzinfo=dt.UTC)
    return reading.millis(moment)


def _followed(engine: sa.Engine, today: dt.date) -> dict[int, int]:
    found = worklist.SqlWorklist(engine).followed(today, LENGTH)
    return {f.prise_en_charge_id: f.days_in_period for f in found}


def _rolled_by_the_page(engine: sa.Engine, today: dt.date) -> dict[int, int]:
    """The counters of the prises en charge followed on `today`, after the worklist page's
    set-based roll-over: each counts the period holding `today`."""
    criteria = ports.Criteria(today, LENGTH, {}, today, {})
    worklist_page.roll_over(engine, criteria)
    with engine.connect() as conn:
        rows = counters.stored(conn)
    followed = {pec_id for pec_id, (_patient, start) in PRISES.items() if start <= today}
    assert all(rows[pec_id][0] <= today <= rows[pec_id][1] for pec_id in followed)
    return {pec_id: rows[pec_id][2] for pec_id in followed}


def _recounted(engine: sa.Engine, today: dt.date) -> dict[int, int]:
    with engine.connect() as conn:
        return worklist.recounted(conn, today, LENGTH)


_ingest = st.tuples(
    st.just("ingest"), st.integers(1, 2), st.integers(0, 95), st.integers(1, 3), st.integers(0, 19)
)
_withdraw = st.tuples(st.just("withdraw"), st.integers(0, 10_000))
#: an amended or corrected Observation: a new value at a stored key, or a reading not yet stored
_correct = st.tuples(
    st.just("correct"), st.integers(1, 2), st.integers(0, 95), st.integers(1, 3), st.integers(0, 19)
)
_read = st.tuples(st.just("read"), st.integers(0, 95))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(st.one_of(_ingest, _ingest, _correct, _withdraw, _read), min_size=1, max_size=30)
)
def test_the_counter_equals_the_recount_after_ingests_corrections_withdrawals_roll_overs(
    engine: sa.Engine, steps: list[tuple[object, ...]]
) -> None:
    _world(engine)
    _reset(engine)
    stored: list[tuple[int, int, int]] = []
    today = FIRST
    for step in steps:
        if step[0] in ("ingest", "correct"):
            _, patient, offset, kind, hour = step
            assert isinstance(patient, int)
            assert isinstance(offset, int)
            assert isinstance(kind, int)
            assert isinstance(hour, int)
            key = (patient, kind, _ts(FIRST + dt.timedelta(days=offset), hour))
            with database.writing(engine) as conn:
                if step[0] == "ingest":
                    readings.store(conn, [readings.Reading(*key, 70.0)])
                else:
                    corrections.replace(conn, [readings.Reading(*key, 71.5)])
            if key not in stored:
                stored.append(key)
        elif step[0] == "withdraw" and stored:
            index = step[1]
            assert isinstance(index, int)
            key = stored.pop(index % len(stored))
            with database.writing(engine) as conn:
                assert readings.delete(conn, *key)
        elif step[0] == "read":
            offset = step[1]
            assert isinstance(offset, int)
            today = FIRST + dt.timedelta(days=offset)  # forward or back: periods roll over
            assert _rolled_by_the_page(engine, today) == _recounted(engine, today)
            assert _followed(engine, today) == _recounted(engine, today)
    # and once more at the end, whatever came last
    assert _followed(engine, today) == _recounted(engine, today)
    with engine.connect() as conn:
        rows = counters.stored(conn)
    for pec_id, (start, end, days) in rows.items():
        with engine.connect() as conn:
            assert days == counters.recount(conn, PRISES[pec_id][0], start, end)


def _day_batch(patient: int, day: dt.date, kinds: range) -> list[reading.Reading]:
    return [readings.Reading(patient, kind, _ts(day, 5), 70.0) for kind in kinds]


def test_a_second_reading_on_a_day_with_data_does_not_count_twice(engine: sa.Engine) -> None:
    _world(engine)
    day = FIRST + dt.timedelta(days=3)
    assert _followed(engine, day)[1] == 0  # the first read builds the counter rows
    with database.writing(engine) as conn:
        readings.store(conn, _day_batch(1, day, range(1, 3)))
    with database.writing(engine) as conn:
        readings.store(conn, _day_batch(1, day, range(3, 4)))
    assert _followed(engine, day) == {1: 1, 3: 0}  # pec 2 is not followed before day 12


def test_the_last_reading_of_a_day_withdrawn_takes_the_day_off(engine: sa.Engine) -> None:
    _world(engine)
    day = FIRST + dt.timedelta(days=3)
    with database.writing(engine) as conn:
        readings.store(conn, _day_batch(2, day, range(1, 3)))
    assert _followed(engine, day)[3] == 1
    with database.writing(engine) as conn:
        readings.delete(conn, 2, 1, _ts(day, 5))
    assert _followed(engine, day)[3] == 1  # one reading of that day is left
    with database.writing(engine) as conn:
        readings.delete(conn, 2, 2, _ts(day, 5))
    assert _followed(engine, day)[3] == 0


def test_the_counter_rolls_over_on_the_first_day_of_the_next_period(engine: sa.Engine) -> None:
    _world(engine)
    last = FIRST + dt.timedelta(days=LENGTH - 1)
    with database.writing(engine) as conn:
        readings.store(conn, _day_batch(2, last, range(1, 2)))
    assert _followed(engine, last)[3] == 1  # day 30 of the first period
    assert _followed(engine, last + dt.timedelta(days=1))[3] == 0  # day 1 of the second
    with engine.connect() as conn:
        start, end, days = counters.stored(conn)[3]
    assert (start, end, days) == (last + dt.timedelta(days=1), last + dt.timedelta(days=30), 0)


def test_the_page_rolls_every_stale_counter_over_in_one_statement(engine: sa.Engine) -> None:
    _world(engine)
    _reset(engine)
    last = FIRST + dt.timedelta(days=LENGTH - 1)
    with database.writing(engine) as conn:
        readings.store(conn, _day_batch(1, last, range(1, 2)) + _day_batch(2, last, range(1, 3)))
    assert _rolled_by_the_page(engine, last) == {1: 1, 2: 1, 3: 1}  # no row yet: all three
    sent: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        sent.append(statement)

    next_day = last + dt.timedelta(days=1)
    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        worklist_page.roll_over(engine, ports.Criteria(next_day, LENGTH, {}, next_day, {}))
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert _rolled_by_the_page(engine, next_day) == {1: 0, 2: 1, 3: 0}
    sent = [s for s in sent if not s.startswith("BEGIN")]
    # the upsert (after, on PostgreSQL, the statement taking the patients' locks)
    assert len(sent) == (2 if engine.dialect.name == "postgresql" else 1)
    assert sent[-1].startswith("INSERT INTO worklist_periods")


def test_the_worklist_reads_the_counter_row_not_the_readings(engine: sa.Engine) -> None:
    _world(engine)
    day = FIRST + dt.timedelta(days=3)
    with database.writing(engine) as conn:
        readings.store(conn, _day_batch(2, day, range(1, 2)))
    assert _followed(engine, day)[3] == 1
    with database.writing(engine) as conn:  # a counter row that says otherwise is believed
        w = counters.worklist_periods.c
        conn.execute(
            sa.update(counters.worklist_periods).where(w.prise_en_charge_id == 3).values(days=9)
        )
    assert _followed(engine, day)[3] == 9


def test_concurrent_writers_of_new_days_are_all_counted(engine: sa.Engine) -> None:
    # as two API workers would: threads each storing other days of one patient, at once
    _world(engine)
    today = FIRST + dt.timedelta(days=LENGTH - 1)
    assert _followed(engine, today)[3] == 0

    def write(kind: int) -> None:
        for offset in range(LENGTH):
            day = FIRST + dt.timedelta(days=offset)
            with database.writing(engine) as conn:
                readings.store(conn, [readings.Reading(2, kind, _ts(day, kind), 70.0)])

    threads = [threading.Thread(target=write, args=(kind,)) for kind in (1, 2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _followed(engine, today)[3] == LENGTH
    assert _recounted(engine, today)[3] == LENGTH


def test_a_synthetic_population_fills_the_counters_as_ingestion_would(engine: sa.Engine) -> None:
    # the billing benchmarks' world writes day counters directly: the worklist must see them
    start = dt.date(2025, 1, 6)
    synthetic.populate(engine, 6, starts_on=start, periods=3)
    today = start + dt.timedelta(days=45)
    counted = _recounted(engine, today)
    assert sum(counted.values()) > 0
    assert _followed(engine, today) == counted
