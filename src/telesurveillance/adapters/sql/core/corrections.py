"""Corrections of stored readings (FHIR Observation.status, http://hl7.org/fhir/R4/valueset-observation-status.html):

- `amended` / `corrected` ("subsequent to being final, the observation has been modified"):
  `replace` writes the new value of a reading at the same key (patient, kind, instant) — the
  reading's identity, `readings.store` — and stores the keys not yet there as new readings;
- `entered-in-error` ("the observation has been withdrawn following previous final release"):
  `withdraw` removes the readings at those keys (`readings.delete`).

A replaced value stays on its Paris day: the day counters do not move; a withdrawn reading leaves
its day's counter (and the day with it when it was the last one) and the patient's last-reading
marker. Billing reads those counters, so a billed period whose data changed is found by the
billing audit (`services/billing/audit.py`: it re-judges every standing charge against today's
data). A replaced value is marked for alert evaluation as a new one is (`alert_pending`). No
commit here: the caller's transaction holds the correction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from telesurveillance.adapters.sql.alerts import pending
from telesurveillance.adapters.sql.core import readings, tables
from telesurveillance.domain.measures import reading
from telesurveillance.services import ingest


@dataclass(frozen=True, slots=True)
class Replaced:
    """What a replacement did: values changed, readings new, readings already holding the value."""

    changed: tuple[reading.Reading, ...]
    new: tuple[reading.Reading, ...]
    unchanged: int

    @property
    def written(self) -> tuple[reading.Reading, ...]:
        """The readings whose value is now different from before (for the alert listeners)."""
        return self.changed + self.new


def replace(conn: sa.Connection, batch: Iterable[reading.Reading]) -> Replaced:
    """Write each reading's value at its key; the last reading of a key in `batch` wins."""
    latest = {(r.patient_id, r.kind, r.ts): r for r in batch}
    r = tables.readings.c
    changed: list[reading.Reading] = []
    missing: list[reading.Reading] = []
    for (patient_id, kind, ts), one in sorted(latest.items()):
        key = sa.and_(r.patient_id == patient_id, r.kind == kind, r.ts == ts)
        updated = conn.execute(
            sa.update(tables.readings).where(key, r.value != one.value).values(value=one.value)
        ).rowcount
        if updated:
            changed.append(one)
        elif conn.execute(sa.select(r.value).where(key)).first() is None:
            missing.append(one)
    stored = readings.store(conn, missing)
    pending.mark(conn, changed)
    unchanged = len(latest) - len(changed) - len(stored.new)
    return Replaced(tuple(changed), stored.new, unchanged)


def withdraw(conn: sa.Connection, batch: Iterable[reading.Reading]) -> tuple[reading.Reading, ...]:
    """Remove the readings at the keys of `batch` (their values are not compared); the ones that
    were stored, with the value they had."""
    keys = sorted({(one.patient_id, one.kind, one.ts) for one in batch})
    r = tables.readings.c
    removed: list[reading.Reading] = []
    for patient_id, kind, ts in keys:
        value = conn.execute(
            sa.select(r.value).where(r.patient_id == patient_id, r.kind == kind, r.ts == ts)
        ).scalar_one_or_none()
        if value is not None and readings.delete(conn, patient_id, kind, ts):
            removed.append(reading.Reading(patient_id, kind, ts, float(value)))
    return tuple(removed)


def apply(
    conn: sa.Connection, batch: Iterable[reading.Reading], action: ingest.Action
) -> readings.Stored:
    """A correction: REPLACE gives the readings whose value was written (changed or new),
    WITHDRAW the readings removed (with the value they had); `duplicates` the others."""
    batch = list(batch)
    if action is ingest.Action.REPLACE:
        replaced = replace(conn, batch)
        return readings.Stored(replaced.written, replaced.unchanged)
    removed = withdraw(conn, batch)
    return readings.Stored(removed, len(set(batch)) - len(removed))
