"""Stable Nightscout `_id`s (24 hex digits, the shape of a MongoDB ObjectId).

Uploaders keep the `_id` the server returns (Loop maps its records by the POST response's
`_id`s; xDrip+ deletes a treatment by `_id`), so the same reading must always get the same id.
A reading's id is built from what identifies it in our store — its instant and kind, for one
patient — and can be read back (`read_entry_id`) to find or delete it without storing anything:

    bytes 0–3  seconds since 1970 (big-endian, as an ObjectId starts with its creation time)
    bytes 4–5  the milliseconds
    byte  6    the measurement kind
    bytes 7–11 a check: SHA-256 of the patient and bytes 0–6, so an id of another patient's
               reading, or a made-up one, is not read as ours

A document we acknowledge without storing (a treatment, a device status) keeps the `_id` it
came with when that is already an ObjectId, else gets a digest of its content.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

_HEX24 = re.compile(r"^[0-9a-fA-F]{24}$")


def _check(patient_id: int, head: bytes) -> bytes:
    return hashlib.sha256(b"nightscout-entry:%d:" % patient_id + head).digest()[:5]


def entry_id(patient_id: int, kind: int, ts: int) -> str:
    """The `_id` of the reading of `kind` at `ts` (UTC milliseconds) for `patient_id`."""
    if not 0 <= ts < 2**32 * 1000 or not 0 <= kind < 256:
        raise ValueError(f"no Nightscout id for kind {kind} at {ts} ms")
    seconds, millis = divmod(ts, 1000)
    head = seconds.to_bytes(4, "big") + millis.to_bytes(2, "big") + bytes([kind])
    return (head + _check(patient_id, head)).hex()


def read_entry_id(text: str, patient_id: int) -> tuple[int, int] | None:
    """The (kind, ts) an `entry_id` stands for, or `None` if it is not one of this patient's."""
    if not _HEX24.match(text):
        return None
    raw = bytes.fromhex(text)
    head = raw[:7]
    millis = int.from_bytes(head[4:6], "big")
    if millis > 999 or raw[7:] != _check(patient_id, head):
        return None
    return head[6], int.from_bytes(head[:4], "big") * 1000 + millis


def document_id(document: Mapping[str, Any]) -> str:
    """The `_id` to return for a document we acknowledge: its own ObjectId, else a digest."""
    given = document.get("_id")
    if isinstance(given, str) and _HEX24.match(given):
        return given.lower()
    content = {k: v for k, v in document.items() if k != "_id"}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
