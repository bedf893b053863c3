"""Typed decode of the common batch Bundle (issue 18): device Observations POSTed, straight into
typed structs, no generic JSON tree.

A device or a gateway sends the same Bundle again and again: `type` batch, every entry a
`request` POSTing to `Observation` and an Observation of the common shape
(`adapters/fhir/typed.Observation`). `decode` takes such a body with msgspec in one pass; the
structs' types do the structural checks that `web/fhir/entries.parse` does on the generic tree
(a request with a method and a url, a resource object with its type), and their fixed nesting
bounds the depth (`DEPTH`), so no separate depth walk is needed.

Anything else returns None and the caller takes the generic path (`jsontext.loads`, the depth
bound, `entries.parse`, `fast`, the model), which also says why it refuses: a transaction, an
entry of another type or method, an `ifNoneExist`, an unknown element, an Observation the typed
reader does not take (`Reader.readings` None). So this path only ever accepts what the generic
path accepts, with the same readings (`tests/web/fhir/test_typed_bundle.py` compares both).
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from telesurveillance.adapters.fhir import typed
from telesurveillance.domain.measures import instants, reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.services import ingest

#: The nesting of the deepest value this decoder takes: Bundle → entry → entry object →
#: Observation → category → Concept → coding → Coding. A lower JSON depth limit sends every
#: body to the generic path, which applies it.
DEPTH = typed.DEPTH + 3

#: The statuses a POSTed Observation stores with (`typed._ACTIONS` STORE; the others replace
#: or withdraw and are judged on the generic path).
_STORES = frozenset(("final", "preliminary"))


class Request(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    method: str
    url: str


class Entry(msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel", gc=False):
    request: Request
    resource: typed.Observation
    full_url: str | msgspec.UnsetType = msgspec.UNSET


class Bundle(msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel", gc=False):
    resource_type: str
    type: str
    entry: list[Entry]
    id: str | msgspec.UnsetType = msgspec.UNSET


_DECODER = msgspec.json.Decoder(Bundle)


@dataclass(frozen=True, slots=True)
class Read:
    """One entry's reading, with what its provenance and refusals need."""

    readings: list[reading.Reading]
    where: ingest.Where
    names_device: bool
    device: str | None
    """The text of `Observation.device.reference`, None when the entry names no device."""
    identifiers: tuple[ingest.Identifier, ...]


def decode(
    raw: bytes, table: measures.Table, window: instants.Window, depth_limit: int
) -> list[Read] | None:
    """The readings of each entry of a common batch Bundle, in entry order, or None to take
    the generic path."""
    if depth_limit < DEPTH:
        return None
    try:
        found = _DECODER.decode(raw)
    except msgspec.DecodeError:  # ValidationError is a DecodeError
        return None
    if found.resource_type != "Bundle" or found.type != "batch" or not found.entry:
        return None
    reader = typed.Reader(table, window)
    read: list[Read] = []
    for entry in found.entry:
        if entry.request.method != "POST" or not _names_observation(entry.request.url):
            return None
        resource = entry.resource
        if resource.resource_type != "Observation" or resource.status not in _STORES:
            return None
        readings = reader.readings(resource)
        if readings is None:
            return None
        device = None if resource.device is msgspec.UNSET else resource.device.reference
        read.append(
            Read(
                readings,
                typed.where(resource),
                device is not None,
                device,
                _identifiers(resource),
            )
        )
    return read


def _names_observation(url: str) -> bool:
    """`request.url` names the Observation type (as `entries` reads a POST's url)."""
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] == "Observation"


def _identifiers(found: typed.Observation) -> tuple[ingest.Identifier, ...]:
    """The identifiers as `provenance.identifiers` keeps them (one without a value is not)."""
    if found.identifier is msgspec.UNSET:
        return ()
    return tuple(
        (one.system if isinstance(one.system, str) else None, one.value)
        for one in found.identifier
        if isinstance(one.value, str)
    )
