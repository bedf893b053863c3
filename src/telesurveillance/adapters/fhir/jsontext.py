"""JSON text parsed within limits: every JSON body or line we parse goes through `loads`.

A document nested deeper than `MAX_DEPTH` arrays and objects is refused before the parser sees
it (a recursive parser, or a model built from the document, would otherwise exhaust the stack:
5,000 nested arrays made a RecursionError, a 500). The exact count walks the bytes in Python,
so it runs only when the cheap bound (the number of `[` and `{`, counted in C) exceeds the limit:
a usual Observation line (about a dozen brackets) pays two `bytes.count`.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

from telesurveillance.adapters.fhir import outcome

MAX_DEPTH = 32


#: A JSON string (escapes included), or an unterminated one running to the end of the text.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)
#: Every byte but the four brackets (deleted by `bytes.translate`).
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {0x5B: 1, 0x7B: 1, 0x5D: -1, 0x7D: -1}


def depth(text: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON (or NDJSON) text, without parsing
    it; brackets inside strings do not count. The strings are cut out in C (a split on `"`
    when the text has no backslash, else a regular expression that knows escapes), then every
    byte but the brackets, so Python walks the brackets only: a Bundle of 1,000 Observations
    (~500 KB, ~24,000 brackets) costs a few ms instead of ~250 ms byte by byte."""
    # without a backslash, every `"` opens or closes a string
    escaped = b"\\" in text
    outside = _STRING.sub(b"", text) if escaped else b"".join(text.split(b'"')[::2])
    brackets = outside.translate(None, _NOT_BRACKETS)
    return max(itertools.accumulate(map(_STEP.__getitem__, brackets), initial=0))


def too_deep(text: bytes | str, limit: int = MAX_DEPTH) -> bool:
    if isinstance(text, bytes):
        if text.count(0x5B) + text.count(0x7B) <= limit:  # [ and {
            return False
        return depth(text) > limit
    if text.count("[") + text.count("{") <= limit:
        return False
    return depth(text.encode("utf-8", "surrogatepass")) > limit


def loads(text: bytes | str, limit: int = MAX_DEPTH) -> Any:
    """The JSON value of `text`; `outcome.Invalid` (400, `structure`) when it is malformed, not
    UTF-8, or nested deeper than `limit`."""
    # the cheap bound inline: this runs once per NDJSON line
    if isinstance(text, bytes):
        bound = text.count(0x5B) + text.count(0x7B)
    else:
        bound = text.count("[") + text.count("{")
    if bound > limit and too_deep(text, limit):
        raise outcome.Invalid(f"JSON nested deeper than {limit}", status=400, code="structure")
    try:
        return json.loads(text)
    except RecursionError:  # not reached under the limit; never a 500 if it were
        raise outcome.Invalid("JSON nested too deep", status=400, code="structure") from None
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError
        raise outcome.Invalid(f"malformed JSON: {error}", status=400, code="structure") from None
