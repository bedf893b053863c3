"""The bulk fast paths (`fast` on parsed JSON, `typed` straight from the line) accept only what
the R4B model path accepts, with the same readings."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from telesurveillance.adapters.fhir import fast, observations, outcome, typed
from telesurveillance.domain.measures import instants, reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.domain.regulation import store
from telesurveillance.services import ingest

TABLE = measures.packaged()
NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
#: Plausible instants: up to NOW + 5 min, from the LATM common law (Paris midnight of its day).
WINDOW = instants.window(NOW, dt.timedelta(minutes=5), store.packaged().common_law_start())
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"

_codes = st.sampled_from(
    [
        "29463-7",
        "8867-4",
        "2708-6",
        "59408-5",
        "8310-5",
        "2339-0",
        "99504-3",
        "105272-9",
        "41950-7",
        "85354-9",
        "8480-6",
        "1234-5",
        "",
        " 29463-7",
    ]
)
_units = st.sampled_from(
    ["kg", "g", "[lb_av]", "/min", "%", "Cel", "[degF]", "mg/dL", "mmol/L", "/d", "mg", "", "k g"]
)
_instants = st.one_of(
    st.sampled_from(
        [
            "2026-01-14T23:30:00Z",
            "2026-03-29T01:59:59.999+01:00",
            "2026-10-25T02:30:00+02:00",
            "2026-01-14T23:30:00.1234567Z",
            "2026-01-14T23:30Z",
            "2026-01-14",
            "2026-01-14T24:00:00Z",
            "2026-01-14T10:00:60+01:00",
            "2026-02-30T10:00:00Z",
            "2026-01-14T10:00:00+14:00",
            "2026-01-14T10:00:00+15:00",
            "2026-01-14T10:00:00",
            "0000-01-01T00:00:00Z",
            # both sides of the window's bounds, and instants whose conversion could overflow
            "2030-01-01T00:05:00Z",
            "2030-01-01T00:05:00.001Z",
            "2030-01-01T01:05:00+01:00",
            "2023-06-30T22:00:00Z",
            "2023-06-30T21:59:59.999Z",
            "2023-07-01T00:00:00+02:00",
            "2023-06-30T23:59:59+02:00",
            "9999-12-31T23:59:59-12:00",
            "0001-01-01T00:00:00+14:00",
            "2099-01-01T00:00:00Z",
            "1900-01-01T00:00:00Z",
        ]
    ),
    st.datetimes(timezones=st.just(dt.UTC)).map(lambda d: d.isoformat()),
)
_values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from([True, None, "80", 80.5, 0, 1e308]),
)
_statuses = st.sampled_from(["final", "amended", "preliminary", "cancelled", "bogus", "", 3])
_strings = st.one_of(st.text(max_size=6), st.sampled_from(["urn:x", " a", "a b", "\u00a0"]))


_KINDS = [k for k in TABLE.kinds if k.loinc]


@st.composite
def _valid(draw: st.DrawFn) -> dict[str, Any]:
    """A valid common-shape Observation of any kind, unit and plausible value."""
    kind = draw(st.sampled_from(_KINDS))
    unit = draw(st.sampled_from(sorted(kind.units)))
    factor, offset = kind.units[unit]
    canonical = draw(st.floats(kind.low, kind.high, allow_nan=False))
    value = draw(
        st.sampled_from(
            [round((canonical - offset) / factor, 3), int((canonical - offset) / factor)]
        )
    )
    assume(kind.low <= round(value * factor + offset, 6) <= kind.high)
    moment = draw(
        st.datetimes(  # inside WINDOW whatever the zone
            min_value=dt.datetime(2023, 7, 2),  # noqa: DTZ001 (hypothesis wants naive bounds)
            max_value=dt.datetime(2029, 12, 31),  # noqa: DTZ001
            timezones=st.sampled_from(
                [dt.UTC, dt.timezone(dt.timedelta(hours=2)), dt.timezone(dt.timedelta(hours=-5))]
            ),
        )
    )
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": draw(st.sampled_from(sorted(observations.STORED_STATUSES))),
        "code": {"coding": [{"system": LOINC, "code": draw(st.sampled_from(kind.loinc))}]},
        "subject": {"reference": f"Patient/{draw(st.integers(1, 10**9))}"},
        "valueQuantity": {"value": value, "code": unit},
    }
    written = moment.isoformat(timespec=draw(_timespecs))
    form = draw(st.sampled_from(["effectiveDateTime", "effectiveInstant", "start", "end", "both"]))
    if form in ("effectiveDateTime", "effectiveInstant"):
        resource[form] = written
    elif form == "both":  # a period of up to an hour ending at the instant
        began = dt.datetime.fromisoformat(written) - dt.timedelta(
            seconds=draw(st.integers(0, 3600))
        )
        resource["effectivePeriod"] = {"start": began.isoformat(), "end": written}
    else:
        resource["effectivePeriod"] = {form: written}
    if draw(st.booleans()):
        resource["valueQuantity"]["system"] = UCUM
    if draw(st.booleans()):
        resource["valueQuantity"]["unit"] = unit
    if draw(st.booleans()):
        resource["identifier"] = [{"system": "urn:device:1", "value": "abc-1"}]
    if draw(st.booleans()):
        resource["category"] = [{"coding": [{"system": "urn:c", "code": "vital-signs"}]}]
    if draw(st.booleans()):
        resource["device"] = {"reference": "Device/1"}
    if draw(st.booleans()):
        resource["id"] = "obs-1.a"
    return resource


_timespecs = st.sampled_from(["seconds", "milliseconds", "microseconds"])
#: Elements whose value may be null, empty, or carry an element we do not know.
_EMPTIES = st.sampled_from([None, {}, [], [{}], [None], {"x": 1}, [{"x": 1}], ""])


_MUTATIONS: list[tuple[str, Any]] = [
    ("resourceType", st.sampled_from(["Patient", "observation"])),
    ("status", _statuses),
    (
        "code",
        st.sampled_from(
            [
                {},
                {"coding": []},
                {"coding": [{"system": LOINC, "code": "1234-5"}]},
                {"coding": [{"system": "urn:x", "code": "29463-7"}]},
                {"coding": [{"system": LOINC, "code": "85354-9"}]},
                {"coding": [{"system": LOINC, "code": " 29463-7"}]},
                "x",
            ]
        ),
    ),
    (
        "subject",
        st.sampled_from(
            [
                {},
                {"reference": "Patient/0"},
                {"reference": "Group/1"},
                {"reference": "urn:uuid:1"},
                {"reference": ""},
                {"reference": "Patient/1", "display": "x"},
            ]
        ),
    ),
    ("effectiveDateTime", _instants),
    ("valueQuantity", st.fixed_dictionaries({"value": _values, "code": _units})),
    (
        "valueQuantity",
        st.fixed_dictionaries({"value": _values, "code": _units, "system": _strings}),
    ),
    (
        "identifier",
        st.lists(st.fixed_dictionaries({"system": _strings, "value": _strings}), max_size=2),
    ),
    (
        "category",
        st.lists(
            st.fixed_dictionaries(
                {
                    "coding": st.lists(
                        st.fixed_dictionaries(
                            {"system": _strings, "code": _strings, "display": _strings}
                        ),
                        max_size=2,
                    )
                }
            ),
            max_size=2,
        ),
    ),
    ("device", st.fixed_dictionaries({"reference": _strings})),
    ("effectiveInstant", _instants),
    (
        "effectivePeriod",
        st.one_of(
            st.fixed_dictionaries({}, optional={"start": _instants, "end": _instants}),
            st.fixed_dictionaries({"start": _instants, "end": _instants}),
        ),
    ),
    ("effectiveTiming", st.just({"event": ["2026-01-14T10:00:00Z"]})),
    ("status", st.just("entered-in-error")),
    ("category", st.just([{"text": "vital signs"}])),
    ("code", st.just({"text": "weight", "coding": [{"system": LOINC, "code": "29463-7"}]})),
    ("identifier", st.just([{"value": "sn-1", "use": "official"}])),
    ("valueQuantity", st.just({"value": 80, "code": "kg", "comparator": "<"})),
    ("subject", st.just({"reference": "Patient/7", "type": "Patient"})),
    ("resourceType", st.just("QuestionnaireResponse")),
    ("id", _strings),
    ("note", st.just([])),
    ("component", st.just([])),
    ("valueString", st.just("80")),
]


_ELEMENTS = sorted({key for key, _values in _MUTATIONS})


@st.composite
def observations_(draw: st.DrawFn) -> dict[str, Any]:
    """A valid Observation with up to two elements replaced by doubtful or wrong ones, or
    null, empty, or holding an element we do not know."""
    resource = draw(_valid())
    for key, values in draw(st.lists(st.sampled_from(_MUTATIONS), max_size=2)):
        if draw(st.integers(0, 4)) == 0:
            resource.pop(key, None)
        else:
            resource[key] = draw(values)
    if draw(st.integers(0, 5)) == 0:
        resource[draw(st.sampled_from(_ELEMENTS))] = draw(_EMPTIES)
    if draw(st.integers(0, 5)) == 0:  # an element we do not know, one level down
        inner = [k for k, v in resource.items() if isinstance(v, dict)]
        if inner:
            resource[draw(st.sampled_from(inner))] = {
                **resource[draw(st.sampled_from(inner))],
                draw(st.sampled_from(["extension", "id", "display", "x"])): draw(_EMPTIES),
            }
    return resource


def _model(resource: dict[str, Any]) -> Any:
    try:
        return observations.parse(copy.deepcopy(resource), TABLE, WINDOW)
    except outcome.Invalid:
        return "refused"


@settings(max_examples=2000, deadline=None)
@given(observations_())
def test_the_fast_path_agrees_with_the_model_path(resource: dict[str, Any]) -> None:
    # Through JSON, as the bulk path sees it (NaN and such as a parser would give them).
    resource = json.loads(json.dumps(resource))
    found = fast.readings(resource, TABLE, WINDOW)
    if found is not None:
        assert _model(resource) == found


def _typed(resource: dict[str, Any]) -> ingest.Parsed | None:
    line = json.dumps(resource).encode()
    return typed.Reader(TABLE, WINDOW).parsed(line, 7)


@settings(max_examples=3000, deadline=None)
@given(observations_())
def test_the_typed_decoder_agrees_with_the_model_path(resource: dict[str, Any]) -> None:
    found = _typed(resource)
    if found is not None:
        resource = json.loads(json.dumps(resource))
        assert _model(resource) == found.readings
        assert found.line == 7
        assert found.where == observations.where(resource)
        assert found.action == observations.action(resource)
        assert found.resource_type == "Observation"


@settings(max_examples=500, deadline=None)
@given(_valid())
def test_the_typed_decoder_takes_every_valid_common_observation(resource: dict[str, Any]) -> None:
    found = _typed(resource)
    assert found is not None
    assert found.readings == _model(json.loads(json.dumps(resource)))


@settings(max_examples=500, deadline=None)
@given(
    st.datetimes(
        timezones=st.sampled_from(
            [
                dt.UTC,
                dt.timezone(dt.timedelta(hours=14)),
                dt.timezone(-dt.timedelta(hours=13, minutes=59)),
            ]
        )
    ),
    _timespecs,
)
def test_the_typed_decoder_reads_instants_as_the_standard_library(
    moment: dt.datetime, timespec: str
) -> None:
    text = moment.isoformat(timespec=timespec).replace("+00:00", "Z")
    assert typed.Reader(TABLE, WINDOW).ts(text) == reading.millis(dt.datetime.fromisoformat(text))


def test_the_typed_decoder_leaves_other_lines_to_the_generic_path() -> None:
    reader = typed.Reader(TABLE, WINDOW)
    weight = _weight("2026-01-14T23:30:00Z")
    assert reader.parsed(json.dumps(weight).encode(), 1) is not None
    for line in (
        b"",
        b"[]",
        b"{not json",
        json.dumps({**weight, "effectiveDateTime": "2026-01-14"}).encode(),  # a day: model path
        json.dumps({**weight, "valueQuantity": {"value": "80.5", "code": "kg"}}).encode(),
        json.dumps({**weight, "note": [{"text": "x"}]}).encode(),
        json.dumps({**weight, "subject": None}).encode(),
        json.dumps({**weight, "status": "entered-in-error"}).encode(),
        json.dumps({**weight, "effectiveInstant": "2026-01-14T23:30:00Z"}).encode(),  # two
    ):
        assert reader.parsed(line, 1) is None


def test_the_typed_decoder_keeps_the_provenance_elements() -> None:
    weight = {
        **_weight("2026-01-14T23:30:00Z"),
        "identifier": [{"system": "urn:device:1", "value": "abc"}],
        "device": {"reference": "Device/9"},
    }
    found = typed.DECODER.decode(json.dumps(weight))
    assert found.identifier == (typed.Identifier("urn:device:1", "abc"),)
    assert found.device == typed.Reference("Device/9")


@settings(max_examples=300, deadline=None)
@given(_valid())
def test_the_fast_path_takes_every_valid_common_observation(resource: dict[str, Any]) -> None:
    resource = json.loads(json.dumps(resource))
    assume("effectiveDateTime" in resource)  # its one form of effective[x]
    found = fast.readings(resource, TABLE, WINDOW)
    assert found is not None
    assert found == _model(resource)


def test_the_fast_path_takes_the_common_shape() -> None:
    resource = {
        "resourceType": "Observation",
        "identifier": [{"system": "urn:device:1", "value": "abc"}],
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "vital-signs",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": LOINC, "code": "29463-7", "display": "Body weight"}]},
        "subject": {"reference": "Patient/7"},
        "effectiveDateTime": "2026-01-14T23:30:00+01:00",
        "valueQuantity": {"value": 80.5, "unit": "kg", "system": UCUM, "code": "kg"},
    }
    found = fast.readings(resource, TABLE, WINDOW)
    assert found is not None
    assert found == _model(resource)


def _weight(at: str) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "29463-7"}]},
        "subject": {"reference": "Patient/7"},
        "effectiveDateTime": at,
        "valueQuantity": {"value": 80.5, "system": UCUM, "code": "kg"},
    }


def test_both_paths_take_an_instant_at_the_bounds_of_the_window() -> None:
    for at in ("2030-01-01T00:05:00Z", "2023-07-01T00:00:00+02:00"):
        found = fast.readings(_weight(at), TABLE, WINDOW)
        assert found is not None
        assert found == _model(_weight(at))


def test_both_paths_refuse_an_instant_just_outside_the_window() -> None:
    for at in (
        "2030-01-01T00:05:00.001Z",
        "2023-06-30T23:59:59+02:00",
        "9999-12-31T23:59:59-12:00",
    ):
        assert fast.readings(_weight(at), TABLE, WINDOW) is None
        assert _model(_weight(at)) == "refused"
