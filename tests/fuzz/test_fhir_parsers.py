"""Property tests of the FHIR parsers: whatever JSON arrives, a parser returns readings or
refuses with an OperationOutcome (`outcome.Invalid`), never another exception (which would be
a 500); and a reading rendered as an Observation parses back to itself."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telesurveillance.adapters.fhir import observations, outcome, questionnaires
from telesurveillance.domain.measures import instants, reading
from telesurveillance.domain.measures import table as measures

TABLE = measures.packaged()
#: Instants from 2000 to 2100 are plausible here: these tests are about parsing, not dating.
WINDOW = instants.window(
    dt.datetime(2100, 1, 1, tzinfo=dt.UTC), dt.timedelta(0), dt.date(2000, 1, 1)
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)

# Observations that are almost right: the fields a parser reads, each possibly wrong.
observation_like = st.fixed_dictionaries(
    {"resourceType": st.just("Observation")},
    optional={
        "status": st.sampled_from(["final", "amended", "preliminary", "bogus"]) | json_values,
        "code": st.fixed_dictionaries(
            {
                "coding": st.lists(
                    st.fixed_dictionaries(
                        {
                            "system": st.sampled_from(["http://loinc.org", "urn:x"]),
                            "code": st.sampled_from(["29463-7", "8867-4", "85354-9", "x"]),
                        }
                    ),
                    max_size=2,
                )
            }
        )
        | json_values,
        "subject": st.fixed_dictionaries(
            {"reference": st.sampled_from(["Patient/1", "Patient/x", "Device/1", ""])}
        )
        | json_values,
        "effectiveDateTime": st.sampled_from(
            ["2026-01-01T08:00:00Z", "2026-01-01", "2026-13-01T00:00:00Z", "now"]
        )
        | json_values,
        "valueQuantity": st.fixed_dictionaries(
            {
                "value": st.floats(allow_nan=True, allow_infinity=True) | st.integers(),
                "unit": st.sampled_from(["kg", "g", "/min", "%", "zz"]),
                "system": st.just("http://unitsofmeasure.org"),
                "code": st.sampled_from(["kg", "g", "/min", "%", "zz"]),
            }
        )
        | json_values,
        "component": json_values,
    },
)

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def _parse_or_refuse(parser: Any, resource: Any) -> None:
    with contextlib.suppress(outcome.Invalid):
        parser(resource, TABLE, WINDOW)


@PROPERTY
@given(observation_like)
def test_an_observation_parser_returns_readings_or_refuses_cleanly(
    resource: dict[str, Any],
) -> None:
    _parse_or_refuse(observations.parse, resource)


@PROPERTY
@given(st.dictionaries(st.text(max_size=12), json_values, max_size=6))
def test_arbitrary_json_is_refused_cleanly_by_every_parser(resource: dict[str, Any]) -> None:
    _parse_or_refuse(observations.parse, {"resourceType": "Observation", **resource})
    _parse_or_refuse(questionnaires.parse, {"resourceType": "QuestionnaireResponse", **resource})


@PROPERTY
@given(
    st.integers(min_value=1, max_value=10**9),
    st.datetimes(
        min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001 (hypothesis bounds are naive)
        max_value=dt.datetime(2099, 1, 1),  # noqa: DTZ001
        timezones=st.just(dt.UTC),
    ),
    st.floats(min_value=20.0, max_value=250.0),
)
def test_a_rendered_weight_parses_back_to_the_same_reading(
    patient: int, at: dt.datetime, kg: float
) -> None:
    kind = TABLE.by_loinc("29463-7")
    assert kind is not None
    stored = reading.Reading(patient, kind.id, reading.millis(at), kg)
    resource = observations.render([stored], TABLE)
    (parsed,) = observations.parse(resource, TABLE, WINDOW)
    assert (parsed.patient_id, parsed.kind, parsed.ts) == (
        stored.patient_id,
        stored.kind,
        stored.ts,
    )
    assert abs(parsed.value - stored.value) < 1e-6
