"""The nesting depth measured before parsing (regular expressions, issue 18) equals the
byte-by-byte count it replaced, on any text: strings, escapes, unterminated strings."""

from __future__ import annotations

import json
import time

from hypothesis import given
from hypothesis import strategies as st

from telesurveillance.adapters.fhir import jsontext


def walked(text: bytes) -> int:
    """The byte-by-byte count (the previous implementation)."""
    level = deepest = 0
    in_string = escaped = False
    for byte in text:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            level += 1
            deepest = max(deepest, level)
        elif byte in (0x5D, 0x7D):
            level -= 1
    return deepest


JSONISH = st.lists(
    st.sampled_from([b"[", b"]", b"{", b"}", b'"', b"\\", b"a", b",", b"\n", b"\xc3\xa9"])
)


@given(JSONISH.map(b"".join))
def test_the_depth_equals_the_byte_by_byte_count_on_any_text(text: bytes) -> None:
    assert jsontext.depth(text) == walked(text)


@given(
    st.recursive(
        st.none() | st.text(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)
    )
)
def test_the_depth_of_a_json_document_is_its_nesting(value: object) -> None:
    text = json.dumps(value).encode()
    assert jsontext.depth(text) == walked(text)


def test_brackets_in_strings_and_escaped_quotes_do_not_count() -> None:
    assert jsontext.depth(b'{"a": [1, {"b": "[[[{{{"}]}') == 3
    assert jsontext.depth(b'{"a": "\\"[["}') == 1
    assert jsontext.depth(b'"[[[') == 0
    assert jsontext.depth(b"]][") == 0  # as the byte count: never below zero


def test_a_bundle_of_a_thousand_entries_is_measured_without_walking_its_bytes() -> None:
    entry = {"resource": {"resourceType": "Observation", "code": {"coding": [{"code": "x"}]}}}
    text = json.dumps({"entry": [entry] * 1000}).encode()
    started = time.perf_counter()
    assert jsontext.depth(text) == 7
    assert time.perf_counter() - started < 0.1  # byte by byte: ~0.1 s on a quiet core
