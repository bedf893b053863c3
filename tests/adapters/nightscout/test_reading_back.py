"""What followers read back: entries with stable ids, query filters, status and errors."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telesurveillance.adapters.nightscout import entries, ids, query, responses
from telesurveillance.domain.measures import reading
from telesurveillance.domain.measures import table as measures

TABLE = measures.packaged()
SENSOR = TABLE.by_name("glucose_capteur").id
BLOOD = TABLE.by_name("glycemie").id
NOW = 1_768_400_000_000


@given(
    patient=st.integers(1, 2**40),
    kind=st.integers(0, 255),
    ts=st.integers(0, 2**32 * 1000 - 1),
)
def test_an_entry_id_reads_back_to_its_reading(patient: int, kind: int, ts: int) -> None:
    text = ids.entry_id(patient, kind, ts)
    assert len(text) == 24
    assert ids.read_entry_id(text, patient) == (kind, ts)
    assert ids.read_entry_id(text, patient + 1) is None


def test_an_entry_id_starts_with_its_seconds_like_an_object_id() -> None:
    text = ids.entry_id(5, SENSOR, 1_768_345_351_089)
    assert int(text[:8], 16) == 1_768_345_351


@pytest.mark.parametrize("text", ["", "xyz", "507f1f77bcf86cd799439011", "0" * 23, "g" * 24])
def test_other_ids_are_not_ours(text: str) -> None:
    assert ids.read_entry_id(text, 5) is None


def test_out_of_range_readings_have_no_id() -> None:
    with pytest.raises(ValueError, match="no Nightscout id"):
        ids.entry_id(5, SENSOR, -1)


def test_an_acknowledged_document_keeps_its_object_id_else_gets_a_stable_digest() -> None:
    assert ids.document_id({"_id": "6B8F2F1E55C94A399E4B0C6E"}) == "6b8f2f1e55c94a399e4b0c6e"
    first = ids.document_id({"eventType": "Note", "created_at": "2026-01-14T07:00:00Z"})
    again = ids.document_id({"created_at": "2026-01-14T07:00:00Z", "eventType": "Note"})
    other = ids.document_id({"eventType": "Note", "created_at": "2026-01-14T07:05:00Z"})
    assert first == again != other
    assert len(first) == 24


def test_a_stored_reading_renders_as_the_entry_followers_read() -> None:
    stored = reading.Reading(5, SENSOR, 1_768_345_351_089, 104.4928)
    entry = entries.document(stored, device="share2", identifier="abc", delta=-2.25)
    assert entry == {
        "_id": ids.entry_id(5, SENSOR, 1_768_345_351_089),
        "type": "sgv",
        "date": 1_768_345_351_089,
        "dateString": "2026-01-13T23:02:31.089Z",
        "sysTime": "2026-01-13T23:02:31.089Z",
        "utcOffset": 0,
        "sgv": 104,
        "device": "share2",
        "identifier": "abc",
        "delta": -2.25,
    }
    blood = entries.document(reading.Reading(5, BLOOD, 0, 128.0))
    assert (blood["type"], blood["mbg"]) == ("mbg", 128)


def test_other_kinds_are_not_entries() -> None:
    weight = TABLE.by_name("poids").id
    with pytest.raises(ValueError, match="not Nightscout entries"):
        entries.document(reading.Reading(5, weight, 0, 70.0))


def test_deltas_compare_each_reading_with_the_next_older_of_its_kind() -> None:
    newest_first = [
        reading.Reading(5, SENSOR, 300, 110.0),
        reading.Reading(5, BLOOD, 250, 140.0),
        reading.Reading(5, SENSOR, 200, 104.0),
    ]
    older = reading.Reading(5, SENSOR, 100, 100.0)
    assert entries.deltas(newest_first, older) == [6.0, None, 4.0]
    assert entries.deltas(newest_first, None) == [6.0, None, None]


def test_without_filters_the_last_ten_of_four_days_are_asked_for() -> None:
    asked = query.entries({}, now_ms=NOW)
    assert asked == query.Entries(None, NOW - 4 * 86_400_000, None, 10)


def test_date_bounds_in_epoch_ms_or_iso_make_a_half_open_range() -> None:
    asked = query.entries(
        {"find[date][$gte]": "1000", "find[date][$lt]": "5000", "count": "288"}, now_ms=NOW
    )
    assert (asked.since, asked.until, asked.count) == (1000, 5000, 288)
    asked = query.entries(
        {
            "find[dateString][$gt]": "2026-01-14T00:00:00.000Z",
            "find[dateString][$lte]": "2026-01-15",
        },
        now_ms=NOW,
    )
    start = int(dt.datetime(2026, 1, 14, tzinfo=dt.UTC).timestamp() * 1000)
    end = int(dt.datetime(2026, 1, 15, tzinfo=dt.UTC).timestamp() * 1000)
    assert (asked.since, asked.until) == (start + 1, end + 1)


def test_an_unescaped_plus_in_an_iso_offset_is_read_back() -> None:
    asked = query.entries({"find[dateString][$gte]": "2026-01-14T01:00:00 01:00"}, now_ms=NOW)
    assert asked.since == int(dt.datetime(2026, 1, 14, tzinfo=dt.UTC).timestamp() * 1000)


def test_the_type_comes_from_the_path_or_find() -> None:
    assert query.entries({}, now_ms=NOW, spec="sgv").types == frozenset({"sgv"})
    assert query.entries({"find[type]": "mbg"}, now_ms=NOW).types == frozenset({"mbg"})


def test_value_bounds_are_read() -> None:
    asked = query.entries({"find[sgv][$gte]": "120", "find[sgv][$lte]": "180"}, now_ms=NOW)
    assert (asked.value_min, asked.value_max) == (120.0, 180.0)


@pytest.mark.parametrize(
    "params",
    [{"count": "ten"}, {"find[date][$gte]": "yesterday"}, {"find[sgv][$gte]": "high"}],
)
def test_an_unreadable_filter_is_refused_naming_it(params: dict[str, str]) -> None:
    with pytest.raises(query.QueryError, match=r"count|find"):
        query.entries(params, now_ms=NOW)


def test_status_has_the_fields_uploaders_read() -> None:
    now = dt.datetime(2026, 1, 14, 8, 0, tzinfo=dt.UTC)
    body = responses.status(now=now, units="mmol/L")
    assert body["status"] == "ok"
    assert body["apiEnabled"] is True
    assert body["careportalEnabled"] is True
    assert body["settings"]["units"] == "mmol"
    assert not body["version"].startswith(("0.6", "0.7", "0.8"))
    assert (body["serverTime"], body["serverTimeEpoch"]) == (
        "2026-01-14T08:00:00.000Z",
        1_768_377_600_000,
    )


def test_the_post_echo_has_one_id_per_document_in_order() -> None:
    sent: list[dict[str, object]] = [{"type": "sgv", "sgv": 100, "date": 1}, {"eventType": "Note"}]
    answer = responses.echo(sent, ["0" * 24, None])
    assert [doc["_id"] for doc in answer] == ["0" * 24, ids.document_id(sent[1])]
    assert answer[0]["sgv"] == 100
    assert "_id" not in sent[0]


def test_errors_have_nightscouts_shape() -> None:
    assert responses.unauthorised() == {
        "status": 401,
        "message": "Unauthorized",
        "description": "Invalid/Missing",
    }
    assert responses.verifyauth(authorised=True)["message"]["canRead"] is True
    assert responses.experiments_test() == {"status": "ok"}
