"""Bulk ingestion: parsed lines in, chunks committed, a report of what was accepted or refused.

A refused line never blocks the good ones: each line is parsed and checked on its own; then,
per chunk, with the patients looked up once (`Store.patients`: their birth dates), lines whose
patient does not exist, whose instant is before the patient's birth, or whose readings break a
panel's order with another line at the same instant (a diastolic above the systolic given on
another line) are refused with their number; the good readings are committed in chunks (one
durable transaction each) through the `Store` port. A line is a duplicate when every reading it
carries was already stored (same patient, kind and instant).

A line may also correct a stored reading (issue 17: an NDJSON Observation whose status is
`amended`/`corrected` replaces the value at its key, `entered-in-error` withdraws it; its
`Parsed.action`): judged as any line, checked as any line, then applied through the caller's
`correct` in line order, between the new readings of the lines before and after it, so that a
file gives what its lines would give one by one (a line withdrawing nothing is refused,
`not-found`). Without `correct`, such lines are refused (the source takes no corrections).

Every stored reading records who sent it (issue 17, `Source`: the route, the API token, the
device and hence its DMN, the file) and the identifiers the sender gave it (`Parsed.identifiers`:
FHIR `Observation.identifier`, a Nightscout `_id`, a file line). A line naming a device
(`Parsed.device`, FHIR `Observation.device`) is refused when the store does not know that device,
when the device belongs to another patient, or when the source is a device token bound to
another device: a body never overrides the token's device.

Each line is judged before anything else is looked up (`authorise`: the role × route table and
the patient scope, `domain/access/writes.py`), on the readings parsed from that line, which are
the readings written: a line refused there is reported as `forbidden` with its number, and the
store only takes authorised readings.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Protocol

from telesurveillance.domain.access import roles, writes
from telesurveillance.domain.measures import instants, reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.services.imports import collector

#: Lines per committed chunk.
CHUNK = 20_000


class Action(StrEnum):
    """What a write does with its readings (an Observation's status decides it)."""

    STORE = "store"  # preliminary, final: a new reading (a retry changes nothing)
    REPLACE = "replace"  # amended, corrected: the new value of the reading at the same key
    WITHDRAW = "withdraw"  # entered-in-error: the reading at that key is removed


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    diagnostics: str
    expression: str | None = None
    #: the FHIR IssueType of the refusal
    code: str = "invalid"
    forbidden: bool = False
    """Refused by the authorisation (role or patient scope), not for its content."""


@dataclass(frozen=True, slots=True)
class Where:
    """Where an input names its patient, its instant and its value (FHIRPath, or the CSV
    column): refusals decided after parsing (unknown patient, instant before the birth, panel
    order across lines) name that element."""

    subject: str = "Observation.subject"
    instant: str = "Observation.effectiveDateTime"
    value: str = "Observation.valueQuantity.value"


OBSERVATION = Where()
CSV = Where("patient", "effective", "value")


@dataclass(frozen=True, slots=True)
class Parsed:
    """One input line: its readings, or why it is refused."""

    line: int
    readings: Sequence[reading.Reading] = ()
    rejected: Rejected | None = None
    where: Where = OBSERVATION
    resource_type: str = "Observation"
    """The type of the resource the line carried (the route it stands for)."""
    action: Action = Action.STORE
    """What the line does with its readings: store them, or correct the stored ones."""
    identifiers: tuple[Identifier, ...] = ()
    """The sender's own identifiers of the line (issue 17), kept with its readings."""
    device: int | None = None
    """The Device the line names (FHIR `Observation.device`), None when it names none."""


Grant = writes.Authorised[Sequence[reading.Reading]]

#: One identifier a sender gave its data: (system or None, value).
Identifier = tuple[str | None, str]


class SourceKind(StrEnum):
    """The route readings came in by (`reading_sources.kind`)."""

    FHIR = "fhir"  # POST/PUT /fhir/Observation, transaction and batch Bundles
    IMPORT = "import"  # bulk NDJSON or CSV: POST /fhir/$import, `telesurveillance import`
    NIGHTSCOUT = "nightscout"  # a Nightscout uploader (POST /api/v1/entries)
    CGM_FILE = "cgm-file"  # a LibreView or Clarity export (upload or `telesurveillance import`)
    PATIENT = "patient"  # the patient's own page


@dataclass(frozen=True, slots=True)
class Source:
    """Who sent a write's readings: the route, the API token (`token_id`), the device
    (`device_id`, hence its DMN; from a device token, or the body's `Observation.device`) and a
    `label` naming the rest (a file name, a Nightscout site)."""

    kind: SourceKind
    token_id: int | None = None
    device_id: int | None = None
    label: str | None = None
    token_device: bool = False
    """The device comes from the authenticated token: no body may name another one."""


@dataclass(frozen=True, slots=True)
class Sent:
    """The provenance of one input's readings: its source (None: unknown) and identifiers."""

    source: Source | None = None
    identifiers: tuple[Identifier, ...] = ()

    def with_device(self, device_id: int | None) -> Sent:
        """The same, sent by `device_id` when the source names no device yet."""
        if device_id is None or self.source is None or self.source.device_id is not None:
            return self
        return Sent(replace(self.source, device_id=device_id), self.identifiers)


UNKNOWN = Sent()


def source(kind: SourceKind, who: roles.Principal, label: str | None = None) -> Source:
    """The source of what `who` sends by `kind`: its API token (a token principal), the device
    its token was issued for (then no body may name another one), and `label`."""
    token = who.id if who.kind is roles.Kind.TOKEN else None
    return Source(kind, token, who.device_id, label, token_device=who.device_id is not None)


@dataclass(frozen=True, slots=True)
class Stored:
    """What a write did: the readings that were new, and how many were already there."""

    new: tuple[reading.Reading, ...]
    duplicates: int


#: Judges one parsed line: its readings authorised, or why they are refused.
Authorise = Callable[[Parsed], Grant | writes.Refusal]

#: Applies corrections durably (one transaction), in order: for each (grant, REPLACE or
#: WITHDRAW, who sent it), the readings whose value was written (they record that sender), or
#: the readings removed.
Correct = Callable[[Sequence[tuple[Grant, Action, "Sent"]]], Sequence[Sequence[reading.Reading]]]


@dataclass(slots=True)
class Report:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    readings: int = 0
    corrected: int = 0
    """Lines that replaced or withdrew a stored reading."""
    seconds: float = 0.0
    patients: set[int] = field(default_factory=set)
    """The patients of the lines stored (new or already there)."""

    @property
    def lines(self) -> int:
        return self.accepted + self.duplicates + self.corrected + len(self.rejected)

    @property
    def forbidden(self) -> int:
        """Lines refused by the authorisation."""
        return sum(1 for r in self.rejected if r.forbidden)

    @property
    def rate(self) -> float:
        """Lines per second."""
        return self.lines / self.seconds if self.seconds > 0 else 0.0


class Store(Protocol):
    def patients(self, patient_ids: set[int]) -> Mapping[int, dt.date]:
        """The birth date of each of `patient_ids` that exists (the others are missing)."""
        ...

    def devices(self, device_ids: set[int]) -> Mapping[int, int | None]:
        """The patient of each of `device_ids` that exists (None: a device of no patient)."""
        ...

    def write(self, batch: Sequence[Grant], sent: Sequence[Sent] = ()) -> Sequence[reading.Reading]:
        """Commit the readings of `batch` durably, each grant's with its provenance (`sent`,
        parallel to `batch`; empty: unknown); returns the readings that were new."""
        ...


class CorrectingStore(Store, Protocol):
    """A store that also takes corrections (the FHIR readings store)."""

    def correct(
        self, batch: Sequence[tuple[Grant, Action, Sent]]
    ) -> Sequence[Sequence[reading.Reading]]:
        """Apply the corrections durably, in order (`Correct`)."""
        ...


def judged_by(judge: writes.Judge) -> Authorise:
    """Each line judged as the create route of its resource type (an Observation line as
    `fhir.observation.create`), on the patients of the readings parsed from it."""

    routes: dict[str, str] = {}

    def authorise(parsed: Parsed) -> Grant | writes.Refusal:
        kind = parsed.resource_type
        route = routes.get(kind) or routes.setdefault(kind, writes.create_route(kind))
        found = parsed.readings
        # one reading per line is the common case: no generator on the bulk path
        if len(found) == 1:
            patients = frozenset((found[0].patient_id,))
        else:
            patients = frozenset([r.patient_id for r in found])
        return judge.grant(route, patients, found)

    return authorise


def bulk(
    lines: Iterable[Parsed],
    store: Store,
    authorise: Authorise,
    *,
    table: measures.Table,
    chunk: int = CHUNK,
    after_write: Callable[[Sequence[reading.Reading]], None] | None = None,
    progress: Callable[[int], None] | None = None,
    correct: Correct | None = None,
    source: Source | None = None,
) -> Report:
    """Ingest `lines` chunk by chunk, each line judged by `authorise`; `after_write` gets each
    chunk's new readings (and the values written by corrections); the readings stored record
    `source` (None: unknown) and each line's identifiers and device."""
    report = Report()
    started = time.perf_counter()
    births: dict[int, dt.date] = {}
    pending: list[tuple[Parsed, Grant]] = []
    store_action, refused = Action.STORE, report.rejected
    with collector.paused():  # a chunk's objects hold no cycle (services/imports/collector.py)
        for parsed in lines:
            if parsed.rejected is not None:
                refused.append(parsed.rejected)
            elif parsed.action is not store_action and correct is None:
                refused.append(_uncorrectable(parsed))
            else:
                granted = authorise(parsed)
                if isinstance(granted, writes.Refusal):
                    refused.append(_forbidden(parsed, granted))
                else:
                    pending.append((parsed, granted))
            if len(pending) >= chunk:
                _flush(pending, store, table, births, report, after_write, correct, source)
                pending = []
            if progress is not None:
                progress(parsed.line)
        _flush(pending, store, table, births, report, after_write, correct, source)
    report.rejected.sort(key=lambda r: r.line)
    report.seconds = time.perf_counter() - started
    return report


def _uncorrectable(parsed: Parsed) -> Rejected:
    return Rejected(
        parsed.line,
        "this source takes no corrections (status amended, corrected or entered-in-error): "
        "send them to POST /fhir/Observation or POST /fhir/$import",
        f"{parsed.resource_type}.status",
        "business-rule",
    )


def _forbidden(parsed: Parsed, refusal: writes.Refusal) -> Rejected:
    where = f"{parsed.resource_type}.subject" if refusal.why is writes.Why.SCOPE else None
    return Rejected(parsed.line, refusal.message, where, forbidden=True)


def refusal(
    readings: Sequence[reading.Reading], births: Mapping[int, dt.date], where: Where
) -> Rejected | None:
    """Why one input's readings cannot be written given the patients found (`births`): an
    unknown patient, or an instant before the patient's birth. `line` is 0: the caller's."""
    # `not in births` per reading: a set minus `births.keys()` walks every patient looked up
    unknown = sorted({r.patient_id for r in readings if r.patient_id not in births})
    if unknown:
        return Rejected(
            0,
            f"unknown patient Patient/{unknown[0]}: create the Patient first",
            where.subject,
            "not-found",
        )
    for r in readings:
        why = instants.birth_refusal(r.ts, births[r.patient_id])
        if why is not None:
            return Rejected(0, why, where.instant, "value")
    return None


def device_refusal(
    device: int | None,
    readings: Sequence[reading.Reading],
    owners: Mapping[int, int | None],
    source: Source | None,
    resource_type: str = "Observation",
) -> Rejected | None:
    """Why the device an input names (`owners`: the patient of each device the store knows)
    cannot be its sender: unknown to the store, another patient's, or not the device of the
    token that sent it. `line` is 0: the caller's."""
    if device is None:
        return None
    where = f"{resource_type}.device"
    if source is not None and source.token_device and source.device_id != device:
        return Rejected(
            0,
            f"Device/{device} is not the device this token was issued for "
            f"(Device/{source.device_id}): a device token sends its own device's data only",
            where,
            "forbidden",
        )
    if device not in owners:
        return Rejected(
            0, f"unknown device Device/{device}: create the Device first", where, "not-found"
        )
    owner = owners[device]
    if owner is not None and any(r.patient_id != owner for r in readings):
        return Rejected(0, f"Device/{device} is another patient's device", where, "business-rule")
    return None


def _out_of_order(good: list[tuple[Parsed, Grant]], table: measures.Table) -> dict[int, Rejected]:
    """Lines refused because a panel's components given on several lines are out of order
    (a diastolic above the systolic of the same patient and instant): every line of the pair
    is refused, as nothing says which one is wrong."""
    ordered = {k.id for pair in table.ordered for k in pair}
    if not ordered:
        return {}
    at: dict[tuple[int, int], dict[int, tuple[float, Parsed]]] = defaultdict(dict)
    for parsed, _grant in good:
        for r in parsed.readings:
            if r.kind in ordered:
                at[(r.patient_id, r.ts)].setdefault(r.kind, (r.value, parsed))
    refused: dict[int, Rejected] = {}
    for found in at.values():
        if len(found) < 2:
            continue
        values = {kind: value for kind, (value, _p) in found.items()}
        pair = table.disorder(values)
        if pair is None:
            continue
        text = measures.disorder_text(*pair, values)
        lines = sorted({found[k.id][1].line for k in pair})
        for kind in pair:
            parsed = found[kind.id][1]
            others = [n for n in lines if n != parsed.line]
            shown = f"{text} (line {others[0]})" if others else text
            refused.setdefault(
                parsed.line, Rejected(parsed.line, shown, parsed.where.value, "value")
            )
    return refused


def _flush(
    pending: list[tuple[Parsed, Grant]],
    store: Store,
    table: measures.Table,
    births: dict[int, dt.date],
    report: Report,
    after_write: Callable[[Sequence[reading.Reading]], None] | None,
    correct: Correct | None = None,
    source: Source | None = None,
) -> None:
    """Judge and write one chunk at once (issue 18): the patients and devices looked up once,
    a line of one reading without a device checked with two dict look-ups, one write of the
    chunk's readings, the report counted on plain tuples; any other line is checked as
    `refusal` and `device_refusal` say, with the same results."""
    if not pending:
        return
    wanted: set[int] = set()
    for _parsed, grant in pending:
        wanted |= grant.patients
    missing = wanted - births.keys()
    if missing:
        births.update(store.patients(missing))
    # the first instant each patient may have: the Paris midnight starting the birth day
    floors = {p: instants.paris_midnight_ms(births[p]) for p in wanted if p in births}
    named = {parsed.device for parsed, _grant in pending if parsed.device is not None}
    owners = store.devices(named) if named else {}
    good: list[tuple[Parsed, Grant]] = []
    for parsed, grant in pending:
        found = grant.value
        if parsed.device is None and len(found) == 1:
            one = found[0]
            floor = floors.get(one.patient_id)
            if floor is not None and one.ts >= floor:  # as `refusal`: known, born before
                good.append((parsed, grant))
                continue
        why = refusal(found, births, parsed.where) or device_refusal(
            parsed.device, found, owners, source, parsed.resource_type
        )
        if why is not None:
            report.rejected.append(Rejected(parsed.line, why.diagnostics, why.expression, why.code))
        else:
            good.append((parsed, grant))
    disordered = _out_of_order(good, table)
    if disordered:
        report.rejected += disordered.values()
        good = [(p, g) for p, g in good if p.line not in disordered]
    written: list[reading.Reading] = []
    # the lines in their order: a run of new readings is one write, a run of corrections one
    # `correct`, so a file gives what its lines would give one by one, wherever a chunk ends
    for stores, run in itertools.groupby(good, lambda line: line[0].action is Action.STORE):
        lines = list(run)
        if stores:
            written += _write(lines, store, report, source)
        elif correct is not None:
            written += _correct(lines, correct, report, source)
    if after_write is not None and written:
        after_write(written)


def _write(
    good: list[tuple[Parsed, Grant]], store: Store, report: Report, source: Source | None
) -> list[reading.Reading]:
    """Store the new readings of `good` (lines that store) in one write; count them."""
    base = Sent(source)
    sent = [
        base
        if not p.identifiers and p.device is None
        else Sent(source, p.identifiers).with_device(p.device)
        for p, _g in good
    ]
    if source is None and not any(p.identifiers for p, _g in good):
        sent = []  # nothing to record: the store writes the readings alone
    written = list(store.write([grant for _parsed, grant in good], sent))
    # a reading is new when the store returned it (equal fields: a tuple, hashed in C)
    new = {(r.patient_id, r.kind, r.ts, r.value) for r in written}
    report.readings += len(new)
    patients = report.patients
    for _parsed, grant in good:
        patients |= grant.patients
        keys = [(r.patient_id, r.kind, r.ts, r.value) for r in grant.value]
        if any(k in new for k in keys):
            report.accepted += 1
            new.difference_update(keys)
        else:
            report.duplicates += 1
    return written


def _correct(
    fixes: list[tuple[Parsed, Grant]], correct: Correct, report: Report, source: Source | None
) -> list[reading.Reading]:
    """Apply the corrections of `fixes` in order (one `correct`); the values written."""
    done = correct(
        [
            (grant, parsed.action, Sent(source, parsed.identifiers).with_device(parsed.device))
            for parsed, grant in fixes
        ]
    )
    written: list[reading.Reading] = []
    for (parsed, grant), changed in zip(fixes, done, strict=True):
        if parsed.action is Action.WITHDRAW and not changed:
            report.rejected.append(_nothing_to_withdraw(parsed, grant))
            continue
        report.corrected += 1
        report.patients |= grant.patients
        if parsed.action is Action.REPLACE:
            written += changed
    return written


def _nothing_to_withdraw(parsed: Parsed, grant: Grant) -> Rejected:
    first = grant.value[0]
    return Rejected(
        parsed.line,
        f"no reading of Patient/{first.patient_id} is stored at {instants.shown(first.ts)} for "
        "this code: nothing to withdraw",
        parsed.where.instant,
        "not-found",
    )
