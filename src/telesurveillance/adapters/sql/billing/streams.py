"""Streams to judge, read from the core tables, and their days with data in ONE aggregation.

Which data counts: a day counts for a prise en charge when the patient has at least one stored
reading of any kind on that Paris day (`reading_days`), on or after the start of monitoring —
the data of the prise en charge's DMN (issue 17, `observance.donnees_comptees`): readings record
their sender, and `reading_dmn_days` counts per day the readings of each DMN's devices. A day
whose every reading came from devices of other DMNs does not count (`days_elsewhere`); a day
with readings of unknown sender (manual entries, data stored before provenance, a device of no
DMN) counts and is flagged for review (`days_unknown_source`). A prise en charge with no DMN on
file counts every day.

The aggregation (`DAYS_SQL`) is plain SQL that runs unchanged on SQLite, PostgreSQL and Spark SQL
(named parameter `:until`): it returns distinct (patient, day) pairs and does no date arithmetic,
so no engine's integer division can shift a day into the wrong period; periods are computed in
Python by `domain.calendar`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.pathway import eligibility as attestations
from telesurveillance.domain.billing import model
from telesurveillance.domain.pathway import eligibility
from telesurveillance.domain.regulation import catalogue, records
from telesurveillance.services.billing import ledger

#: The one aggregation of a run: days with data per patient before `until`.
DAYS_SQL = (
    "SELECT patient_id, day FROM reading_days WHERE day < :until "
    "GROUP BY patient_id, day ORDER BY patient_id, day"
)

Days = Mapping[int, frozenset[dt.date]]

#: Per patient and day, the readings of each DMN's devices and of the day in all.
Origins = Mapping[int, Mapping[dt.date, tuple[Mapping[int, int], int]]]


def origins(
    conn: sa.Connection, until: dt.date
) -> dict[int, dict[dt.date, tuple[dict[int, int], int]]]:
    """Per patient and day before `until` with data from a device of a DMN: the readings of each
    DMN, and of the day in all (its `reading_days`, so the readings of unknown DMN follow)."""
    m = tables.reading_dmn_days.c
    d = tables.reading_days.c
    total = (
        sa.select(sa.func.sum(d.n))
        .where(d.patient_id == m.patient_id, d.day == m.day)
        .scalar_subquery()
    )
    found: dict[int, dict[dt.date, tuple[dict[int, int], int]]] = defaultdict(dict)
    rows = conn.execute(sa.select(m.patient_id, m.day, m.dmn_id, m.n, total).where(m.day < until))
    for patient_id, day, dmn_id, n, in_all in rows:
        by_dmn, _ = found[patient_id].get(day, ({}, 0))
        by_dmn[int(dmn_id)] = int(n)
        found[patient_id][day] = (by_dmn, int(in_all or 0))
    return found


def counted(
    days: frozenset[dt.date],
    found: Mapping[dt.date, tuple[Mapping[int, int], int]],
    dmn_id: int | None,
) -> tuple[frozenset[dt.date], frozenset[dt.date], frozenset[dt.date]]:
    """(days counted, days of another DMN's data only, days counted of unknown sender) of a
    prise en charge of `dmn_id` whose patient has data on `days`."""
    if dmn_id is None:
        return days, frozenset(), frozenset()
    kept: set[dt.date] = set()
    elsewhere: set[dt.date] = set()
    unknown: set[dt.date] = set()
    for day in days:
        by_dmn, in_all = found.get(day, ({}, 0))
        if dmn_id in by_dmn:
            kept.add(day)
        elif sum(by_dmn.values()) < in_all or not by_dmn:
            kept.add(day)
            unknown.add(day)
        else:
            elsewhere.add(day)
    return frozenset(kept), frozenset(elsewhere), frozenset(unknown)


def days_with_data(conn: sa.Connection, until: dt.date) -> dict[int, frozenset[dt.date]]:
    """Patient → Paris days with at least one reading, before `until` (one query)."""
    query = sa.text(DAYS_SQL).bindparams(sa.bindparam("until", type_=sa.Date))
    compiled = query.compile(dialect=conn.dialect)
    value = sa.Date().bind_processor(conn.dialect)
    given = value(until) if value is not None else until
    params: Any = (given,) if compiled.positional else {"until": given}
    # The DBAPI cursor directly, rows raw (SQLite gives ISO text, PostgreSQL dates): at tens of
    # millions of rows the result layer, not the database, was the cost; `group_days` parses
    # each distinct day once.
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), params)
        return group_days(_fetch(cursor))
    finally:
        cursor.close()


def _fetch(cursor: Any) -> Iterable[Sequence[Any]]:
    return itertools.chain.from_iterable(iter(lambda: cursor.fetchmany(100_000), []))


def group_days(rows: Iterable[Sequence[Any]]) -> dict[int, frozenset[dt.date]]:
    """(patient, day) rows → patient → days; a day may be a `date` or ISO text. Rows come
    grouped by patient (`DAYS_SQL` orders them); a patient met again is merged all the same."""
    parsed = _Parsed()
    found: dict[int, frozenset[dt.date]] = {}
    for patient_id, group in itertools.groupby(rows, _PATIENT):
        # Each run of rows of one patient is read in C: each distinct day is parsed once.
        days = frozenset(map(parsed.__getitem__, map(_DAY, group)))
        before = found.get(patient_id)
        found[patient_id] = days if before is None else before | days
    return found


_PATIENT = operator.itemgetter(0)
_DAY = operator.itemgetter(1)


class _Parsed(dict[Any, dt.date]):
    """Day as given (text or date) → `date`, parsed on first sight."""

    def __missing__(self, value: Any) -> dt.date:
        day = self[value] = _as_date(value)
        return day


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    raise TypeError(f"not a day: {value!r}")


def load(
    conn: sa.Connection,
    until: dt.date,
    operateur_id: int | None = None,
    days: Days | None = None,
) -> list[ledger.Stream]:
    """Every prise en charge started before `until` (of `operateur_id` if given), as streams.

    `days` may be given (e.g. aggregated by Spark); otherwise it is read with `DAYS_SQL`."""
    pec = tables.prises_en_charge.c
    query = sa.select(tables.prises_en_charge).where(pec.starts_on < until).order_by(pec.id)
    if operateur_id is not None:
        query = query.where(pec.operateur_id == operateur_id)
    pecs = list(conn.execute(query).mappings())
    if not pecs:
        return []
    ref = _References(conn)
    if days is None:
        days = days_with_data(conn, until)
    sent = origins(conn, until)
    return [_stream(row, ref, days, sent) for row in pecs]


class _References:
    """The small core tables, read whole once per run."""

    def __init__(self, conn: sa.Connection) -> None:
        def by_id(table: sa.Table) -> dict[int, sa.RowMapping]:
            return {r["id"]: r for r in conn.execute(sa.select(table)).mappings()}

        self.operateurs = by_id(tables.operateurs)
        self.dmns = by_id(tables.dmns)
        self.exploitants = by_id(tables.exploitants)
        self.patients = by_id(tables.patients)
        self.practitioners = by_id(tables.practitioners)
        self.conventions: dict[tuple[int, int], list[sa.RowMapping]] = defaultdict(list)
        for c in conn.execute(sa.select(tables.conventions)).mappings():
            self.conventions[(c["operateur_id"], c["exploitant_id"])].append(c)
        self.prescriptions: dict[int, list[sa.RowMapping]] = defaultdict(list)
        rx = tables.prescriptions.c
        for r in conn.execute(sa.select(tables.prescriptions).order_by(rx.prescribed_on, rx.id)):
            self.prescriptions[r.prise_en_charge_id].append(r._mapping)
        self.majorations: dict[int, list[sa.RowMapping]] = defaultdict(list)
        for m in conn.execute(sa.select(tables.majorations)).mappings():
            self.majorations[m["prise_en_charge_id"]].append(m)
        # The eligibility attested at inclusion, checked again on every period (one query).
        self.attested = attestations.attested(conn)

        # The opérateur's physician printed on the files: its first active médecin (by id).
        self.physicians: dict[int, sa.RowMapping] = {}
        for p in sorted(self.practitioners.values(), key=lambda p: -p["id"]):
            if p["operateur_id"] is not None and p["active"] and p["profession"] == "medecin":
                self.physicians[p["operateur_id"]] = p

    def physician(self, operateur_id: int) -> sa.RowMapping | None:
        return self.physicians.get(operateur_id)


def _stream(
    row: sa.RowMapping, ref: _References, days: Days, sent: Origins | None = None
) -> ledger.Stream:
    op = ref.operateurs[row["operateur_id"]]
    dmn = ref.dmns.get(row["dmn_id"]) if row["dmn_id"] is not None else None
    exploitant_id = dmn["exploitant_id"] if dmn is not None else None
    patient = ref.patients[row["patient_id"]]
    physician = ref.physician(op["id"])
    rxs = ref.prescriptions.get(row["id"], [])
    firsts = [r for r in rxs if not r["renewal"]] or rxs
    first = firsts[0] if firsts else None
    renewals = [r for r in rxs if r is not first]
    starts_on: dt.date = row["starts_on"]
    own = _on_or_after(days.get(row["patient_id"], _NO_DAYS), starts_on)
    found = (sent or {}).get(row["patient_id"])
    if found:
        kept, elsewhere, unknown = counted(own, found, row["dmn_id"])
    else:  # no device of a DMN ever sent this patient's data: nothing to tell apart
        kept, elsewhere, unknown = own, _NO_DAYS, _NO_DAYS
    situation = model.Situation(
        operateur=model.Operateur(
            model.OperateurKind(op["kind"]),
            op["ars_declared_on"],
            physician["speciality"] if physician is not None else None,
        ),
        convention=_convention(ref, op["id"], exploitant_id),
        dmn=_dmn(dmn),
        patient=model.Patient(
            born_on=patient["birth_date"],
            # ALD exempts from the ticket modérateur; special regimes are billed at the standard
            # rate here (their own rates are not in the regulation data).
            coverage=model.Coverage.ALD
            if patient["coverage"] == "ald"
            else model.Coverage.STANDARD,
            died_on=patient["died_on"],
            sex=eligibility.recorded_sex(patient["sex"]),
        ),
        prise_en_charge=model.PriseEnCharge(
            indication=catalogue.Indication(row["indication"]),
            starts_on=starts_on,
            # No prescription on file: a zero-month one, so every period says "not covered".
            prescription=_rx(first) if first is not None else model.Prescription(starts_on, 0),
            renewals=tuple(_rx(r) for r in renewals),
            pecan=bool(row["pecan"]),
            majorations=tuple(
                model.Majoration(model.MajorationLevel(m["level"]), m["since"], m["until"])
                for m in ref.majorations.get(row["id"], [])
            ),
            stopped_on=row["stopped_on"],
            attested=ref.attested.get(row["id"]),
        ),
        days_with_data=kept,
        days_elsewhere=elsewhere,
        days_unknown_source=unknown,
    )
    prescriber = row["prescriber_id"] or (first["prescriber_id"] if first is not None else None)
    exploitant = ref.exploitants.get(exploitant_id) if exploitant_id is not None else None
    facts = ledger.Facts(
        patient_family=patient["family"],
        patient_given=patient["given"],
        nir=patient["nir"],
        nir_type=patient["nir_type"],
        operateur_name=op["name"],
        operateur_finess=op["finess"],
        operateur_rpps=physician["rpps"] if physician is not None else None,
        prescriber_rpps=ref.practitioners[prescriber]["rpps"] if prescriber else None,
        prescribed_on=first["prescribed_on"] if first is not None else None,
        renewals=tuple(r["prescribed_on"] for r in renewals),
        consent_on=row["consent_on"],
        dmn_name=dmn["name"] if dmn is not None else None,
        exploitant_name=exploitant["name"] if exploitant is not None else None,
        exploitant_siret=exploitant["siret"] if exploitant is not None else None,
    )
    return ledger.Stream(
        prise_en_charge_id=row["id"],
        patient_id=row["patient_id"],
        operateur_id=op["id"],
        exploitant_id=exploitant_id,
        dmn_id=row["dmn_id"],
        situation=situation,
        facts=facts,
    )


_NO_DAYS: frozenset[dt.date] = frozenset()


def _on_or_after(days: frozenset[dt.date], first: dt.date) -> frozenset[dt.date]:
    """The days from `first` on (the set itself, not a copy, when none is earlier)."""
    if not days or min(days) >= first:
        return days
    return frozenset(d for d in days if d >= first)


def _rx(row: sa.RowMapping) -> model.Prescription:
    return model.Prescription(row["prescribed_on"], row["months"])


def _convention(ref: _References, operateur_id: int, exploitant_id: int | None) -> model.Convention:
    """The latest convention signed between the opérateur and the DMN's exploitant (a later
    convention replaces an earlier one; a gap between two is not represented)."""
    if exploitant_id is None:
        return model.Convention(None)
    found = ref.conventions.get((operateur_id, exploitant_id), [])
    if not found:
        return model.Convention(None)
    latest = max(found, key=lambda c: (c["signed_on"], c["id"]))
    return model.Convention(latest["signed_on"], latest["ends_on"])


def _dmn(row: sa.RowMapping | None) -> model.Dmn:
    if row is None:
        return model.Dmn("(no DMN on file)", records.Benefit.ORGANISATIONNEL, None, None)
    return model.Dmn(
        name=row["name"],
        benefit=records.Benefit(row["benefit"]),
        certified_from=row["certified_from"],
        certified_until=row["certified_until"],
        latm_code=row["latm_code"],
    )
