"""Who sent an Observation (issue 17): its `identifier`s and the Device it names.

Called on a resource its parser (the fast path or the model path) accepted, so the elements
have their datatypes already: `identifier` is a list of Identifier (each keeps its `system`
and `value`, as sent; one without a value is not kept: nothing would find it again), and
`device` a Reference. A literal `Device/<id>` reference with a numeric id (absolute URLs
ending so too) names that Device of this server, which the write then requires to exist and to
be the patient's; any other reference (contained `#…`, logical by identifier, another
server's) names no Device we know: the sender stays the route and token it came by.
"""

from __future__ import annotations

from typing import Any

from telesurveillance.adapters.fhir import ids, outcome
from telesurveillance.services import ingest

#: Where an Observation names its device.
DEVICE = "Observation.device"


def identifiers(resource: dict[str, Any]) -> tuple[ingest.Identifier, ...]:
    """The Observation's identifiers (system or None, value), in the order sent."""
    found = resource.get("identifier")
    if not isinstance(found, list):
        return ()
    return tuple(
        (one.get("system") if isinstance(one.get("system"), str) else None, one["value"])
        for one in found
        if isinstance(one, dict) and isinstance(one.get("value"), str)
    )


def device(resource: dict[str, Any]) -> int | None:
    """The key of the Device of this server that `Observation.device` names, else None."""
    named = resource.get("device")
    text = named.get("reference") if isinstance(named, dict) else None
    return device_of(text) if isinstance(text, str) else None


def device_of(text: str) -> int | None:
    """The key of the Device of this server that a reference's text names, else None."""
    parts = text.rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2] == "Device":
        return ids.number(parts[-1])
    return None


def sent(resource: dict[str, Any], source: ingest.Source | None) -> ingest.Sent:
    """The provenance of the resource's readings sent by `source`; 403 when a device token's
    body names another Device than the token's (a body never overrides the token)."""
    return Senders(source).sent(resource)


class Senders:
    """The provenance of the inputs of one request, all sent by `source`: the source with each
    device named is built once (issue 18: a Bundle of 1,000 entries naming a few devices builds
    a few senders, not 1,000)."""

    def __init__(self, source: ingest.Source | None) -> None:
        self.source = source
        self._token = source.device_id if source is not None and source.token_device else None
        self._named: dict[int | None, ingest.Sent] = {}

    def sent(self, resource: dict[str, Any]) -> ingest.Sent:
        """`sent` of one resource (a JSON object)."""
        reference = resource.get("device")
        text = reference.get("reference") if isinstance(reference, dict) else None
        return self.of(
            reference is not None, text if isinstance(text, str) else None, identifiers(resource)
        )

    def of(
        self, names: bool, reference: str | None, found: tuple[ingest.Identifier, ...]
    ) -> ingest.Sent:
        """The provenance of an input that `names` a device (`reference`: its text, None when
        it has none) and gave the identifiers `found`."""
        named = None if reference is None else device_of(reference)
        token = self._token
        if token is not None and names and named != token:
            raise outcome.Invalid(
                f"{DEVICE} names another device than Device/{token}, the device "
                "this token was issued for: a device token sends its own device's data only",
                DEVICE,
                status=403,
                code="forbidden",
            )
        base = self._named.get(named)
        if base is None:
            base = self._named[named] = ingest.Sent(self.source).with_device(named)
        return base if not found else ingest.Sent(base.source, found)
