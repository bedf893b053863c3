"""The senders of readings (issue 17): `reading_sources` rows, found or made by their key.

A reading stores only a small integer, `readings.source_id`; the row it points at names the
route (`kind`), the device and its DMN (as the catalogue had it when the reading came), the API
token and a label (a file name, a Nightscout site). The same sender always maps to the same row
(`key` is unique), so the table grows with the number of senders, never with the readings.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from telesurveillance.adapters.sql.core import tables
from telesurveillance.services import ingest

s = tables.reading_sources.c


@dataclass(frozen=True, slots=True)
class Known:
    """A stored sender, as the read side and billing see it."""

    id: int
    kind: str
    device_id: int | None
    dmn_id: int | None
    token_id: int | None
    label: str | None


def _key(source: ingest.Source, dmn_id: int | None) -> str:
    parts = (source.kind.value, source.device_id, dmn_id, source.token_id)
    shown = "|".join("" if p is None else str(p) for p in parts)
    return f"{shown}|{source.label or ''}"[:400]


def resolve(conn: sa.Connection, source: ingest.Source) -> int:
    """The id of `source`'s row, made on first use (concurrent writers find the same row)."""
    return resolved(conn, source)[0]


def resolved(conn: sa.Connection, source: ingest.Source) -> tuple[int, int | None]:
    """`resolve`, with the DMN of the source's device (None: no device, or no DMN)."""
    dmn_id = None
    if source.device_id is not None:
        d = tables.devices.c
        dmn_id = conn.execute(
            sa.select(d.dmn_id).where(d.id == source.device_id)
        ).scalar_one_or_none()
    key = _key(source, dmn_id)
    found = conn.execute(sa.select(s.id).where(s.key == key)).scalar_one_or_none()
    if found is not None:
        return int(found), dmn_id
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(
        tables.reading_sources
    )
    conn.execute(
        insert.values(
            key=key,
            kind=source.kind.value,
            device_id=source.device_id,
            dmn_id=dmn_id,
            token_id=source.token_id,
            label=source.label[:300] if source.label else None,
        ).on_conflict_do_nothing(index_elements=["key"])
    )
    return int(conn.execute(sa.select(s.id).where(s.key == key)).scalar_one()), dmn_id


def resolved_all(
    conn: sa.Connection, senders: Collection[ingest.Source]
) -> dict[ingest.Source, tuple[int, int | None]]:
    """`resolved` for several sources in a fixed number of queries whatever their number (the
    devices' DMNs, the rows already there, the missing ones inserted, then read): a Bundle whose
    entries name a hundred devices costs four statements, not three a device."""
    if not senders:
        return {}
    d = tables.devices.c
    devices = sorted({one.device_id for one in senders if one.device_id is not None})
    dmns: dict[int, int | None] = {}
    for start in range(0, len(devices), 1000):
        part = devices[start : start + 1000]
        dmns.update(
            (int(key), None if dmn is None else int(dmn))
            for key, dmn in conn.execute(sa.select(d.id, d.dmn_id).where(d.id.in_(part)))
        )
    keyed = {
        one: (_key(one, None if one.device_id is None else dmns.get(one.device_id)))
        for one in senders
    }
    ids = _ids(conn, set(keyed.values()))
    missing = {key: one for one, key in keyed.items() if key not in ids}
    if missing:
        insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(
            tables.reading_sources
        )
        rows = [
            {
                "key": key,
                "kind": one.kind.value,
                "device_id": one.device_id,
                "dmn_id": None if one.device_id is None else dmns.get(one.device_id),
                "token_id": one.token_id,
                "label": one.label[:300] if one.label else None,
            }
            for key, one in sorted(missing.items())  # one order: concurrent writers lock alike
        ]
        conn.execute(insert.on_conflict_do_nothing(index_elements=["key"]), rows)
        ids.update(_ids(conn, set(missing)))
    return {
        one: (ids[key], None if one.device_id is None else dmns.get(one.device_id))
        for one, key in keyed.items()
    }


def _ids(conn: sa.Connection, keys: set[str]) -> dict[str, int]:
    """The ids of the stored senders of `keys` (those there)."""
    found: dict[str, int] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), 1000):
        part = ordered[start : start + 1000]
        found.update(
            (key, int(key_id))
            for key_id, key in conn.execute(sa.select(s.id, s.key).where(s.key.in_(part)))
        )
    return found


def dmn_of(conn: sa.Connection, source_id: int | None) -> int | None:
    """The DMN recorded for a stored sender, None when unknown."""
    if source_id is None:
        return None
    return conn.execute(sa.select(s.dmn_id).where(s.id == source_id)).scalar_one_or_none()


def known(conn: sa.Connection, ids: set[int]) -> dict[int, Known]:
    """The stored senders of `ids`."""
    if not ids:
        return {}
    rows = conn.execute(
        sa.select(s.id, s.kind, s.device_id, s.dmn_id, s.token_id, s.label).where(
            s.id.in_(sorted(ids))
        )
    )
    return {int(row.id): Known(*row) for row in rows}


def device_patients(conn: sa.Connection, device_ids: set[int]) -> dict[int, int | None]:
    """The patient of each of `device_ids` that exists (None: the device has no patient)."""
    if not device_ids:
        return {}
    d = tables.devices.c
    rows = conn.execute(sa.select(d.id, d.patient_id).where(d.id.in_(sorted(device_ids))))
    return {int(key): (None if owner is None else int(owner)) for key, owner in rows}
