"""The typed decode of a batch Bundle (issue 18) takes only what the generic path takes (the
JSON tree, `entries.parse`, the model path), with the same readings, the same provenance and
the same places named in refusals; everything else goes to the generic path."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from telesurveillance.adapters.fhir import observations, provenance, typed_bundle
from telesurveillance.web.fhir import entries
from tests.adapters.fhir import test_fast_path as common

TABLE, WINDOW = common.TABLE, common.WINDOW


def _bundle(*resources: dict[str, Any], kind: str = "batch", **request: str) -> bytes:
    entry = [
        {"resource": r, "request": {"method": "POST", "url": "Observation", **request}}
        for r in resources
    ]
    return json.dumps({"resourceType": "Bundle", "type": kind, "entry": entry}).encode()


def _decode(raw: bytes, limit: int = 32) -> list[typed_bundle.Read] | None:
    return typed_bundle.decode(raw, TABLE, WINDOW, limit)


@settings(max_examples=1000, deadline=None)
@given(st.lists(common.observations_(), min_size=1, max_size=3))
def test_the_typed_bundle_agrees_with_the_generic_path(resources: list[dict[str, Any]]) -> None:
    raw = _bundle(*resources)
    found = _decode(raw)
    if found is None:
        return
    kind, generic = entries.parse(json.loads(raw))
    assert kind == "batch"
    assert len(found) == len(generic)
    for read, entry in zip(found, generic, strict=True):
        assert entry.method == "POST"
        assert entry.condition is None
        assert entry.is_reading
        assert read.readings == common._model(entry.resource)
        assert read.where == observations.where(entry.resource)
        assert read.identifiers == provenance.identifiers(entry.resource)
        assert read.names_device == ("device" in entry.resource)
        expected = provenance.Senders(None).sent(entry.resource)
        assert provenance.Senders(None).of(read.names_device, read.device, read.identifiers) == (
            expected
        )


def test_a_common_batch_of_device_observations_is_decoded_typed() -> None:
    weight = {**common._weight("2026-01-14T23:30:00Z"), "device": {"reference": "Device/7"}}
    [read] = _decode(_bundle(weight)) or []
    assert read.device == "Device/7"
    assert read.names_device
    assert [r.patient_id for r in read.readings] == [7]


def test_anything_else_goes_to_the_generic_path() -> None:
    weight = common._weight("2026-01-14T23:30:00Z")
    assert _decode(_bundle(weight, kind="transaction")) is None
    assert _decode(_bundle(weight, ifNoneExist="identifier=x")) is None
    assert _decode(_bundle(weight, url="Patient")) is None
    assert _decode(_bundle({**weight, "status": "amended"})) is None
    assert _decode(_bundle({**weight, "note": [{"text": "x"}]})) is None  # element not taken
    assert _decode(_bundle({**weight, "subject": {"reference": "Patient/x"}})) is None
    assert _decode(_bundle()) is None
    assert _decode(b'{"resourceType": "Bundle", "type": "batch", "entry": [') is None
    assert _decode(_bundle(weight), limit=typed_bundle.DEPTH - 1) is None
    assert _decode(_bundle(weight), limit=typed_bundle.DEPTH) is not None
