"""A SYNTHETIC billing population written into a store: for tests, the benchmark and demos.

Deterministic for a seed. Every patient is labelled synthetic. Day counters are written straight
into `reading_days` (what billing reads); `raw_readings` gives the matching raw readings when a
test or the benchmark needs to recompute from them.

No date is written in this module: the monitoring starts on the day the caller passes, and the
organisation (ARS receipt, convention, the DMN's certificate) is in place from the first day of
the LATM common law as the regulation data say (`Regulation.common_law_start`).

Prescriptions are valid under the rules: each is written for its indication's maximum length
(diabetes 3 months, others the one-year cap) and renewed a few days before its coverage ends
(`chain`), so every generated period is covered, as a care team renewing on time would have it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.dashboard import counters
from telesurveillance.domain import calendar
from telesurveillance.domain.measures import reading
from telesurveillance.domain.regulation import catalogue, records, store

#: The DMN's LATM codes by indication where one is published (others get the base amount).
LATM = {
    catalogue.Indication.DIABETE: "1654962",
    catalogue.Indication.INSUFFISANCE_RESPIRATOIRE: "1659468",
}
INDICATIONS = (
    catalogue.Indication.INSUFFISANCE_CARDIAQUE,
    catalogue.Indication.DIABETE,
    catalogue.Indication.INSUFFISANCE_RESPIRATOIRE,
    catalogue.Indication.INSUFFISANCE_RENALE,
)
#: A LOINC kind code as stored (any kind counts for billing).
KIND = 1
#: How long the synthetic DMN's certificate stays valid after the population's first start: well
#: beyond any period a test or the benchmark judges (synthetic, not a rule of the scheme).
CERTIFICATE_SPAN = dt.timedelta(days=5 * 365)
#: Patients are born 36 to 75 years before the year monitoring starts.
OLDEST_AGE = 75
#: A renewal is written this many days before the coverage it continues ends: inside the
#: pathway's renewal window (`domain.pathway.prescription.RENEWAL_WINDOW_DAYS`).
RENEWAL_LEAD_DAYS = 10


@dataclass(frozen=True, slots=True)
class Prescribed:
    """One prescription of a synthetic chain: the first, then renewals."""

    prescribed_on: dt.date
    months: int
    renewal: bool


def chain(
    regulation: store.Regulation,
    indication: catalogue.Indication,
    starts_on: dt.date,
    periods: int,
) -> tuple[Prescribed, ...]:
    """Prescriptions covering `periods` periods from `starts_on` (at least one): each for the
    indication's maximum within the legal cap, each renewal written `RENEWAL_LEAD_DAYS` before
    the coverage before it ends, so billing continues it without a gap."""
    rules = regulation.indication(indication, "prescription", records.PrescriptionRules)
    longest = rules.at_or_first(starts_on).value.duree_max_mois
    cap = regulation.get("prescription.duree_maximale_mois", int).at_or_first(starts_on).value
    length = regulation.get("periodes.duree_jours", int).at_or_first(starts_on).value
    months = min(longest, cap)
    out = [Prescribed(starts_on, months, False)]
    covered = months
    while covered < periods:
        ends = starts_on + dt.timedelta(days=length * covered)
        out.append(Prescribed(ends - dt.timedelta(days=RENEWAL_LEAD_DAYS), months, True))
        covered += months
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Population:
    operateur_ids: tuple[int, ...]
    exploitant_id: int
    patient_ids: tuple[int, ...]
    starts_on: dt.date


def habit_days(rng: random.Random, start: dt.date, end: dt.date) -> list[dt.date]:
    """Days with data: mostly daily senders, some with a long gap, a few sparse ones."""
    habit = rng.choices(("daily", "gappy", "sparse"), weights=(7, 2, 1))[0]
    chance = {"daily": 0.95, "sparse": 0.3}.get(habit, 0.9)
    out = []
    for offset in range((end - start).days):
        if habit == "gappy" and 40 <= offset < 80:
            continue
        if rng.random() < chance:
            out.append(start + dt.timedelta(days=offset))
    return out


def populate(
    engine: sa.Engine,
    patients: int,
    *,
    starts_on: dt.date,
    seed: int = 1,
    periods: int = 12,
    operateurs: int = 2,
    spread_days: int = 20,
    regulation: store.Regulation | None = None,
) -> Population:
    """`patients` synthetic patients, each with one prise en charge started within `spread_days`
    of `starts_on`, prescriptions covering `periods` periods (`chain`), and day counters over
    `periods` periods.

    The opérateurs' ARS receipts, their conventions and the DMNs' certificates date from the
    start of the LATM common law in `regulation` (default: the packaged data); `starts_on` may
    not be earlier (ValueError), as nothing could then be billed."""
    regulation = regulation or store.packaged()
    opened_on = regulation.common_law_start()
    if starts_on < opened_on:
        raise ValueError(
            f"starts_on {starts_on.isoformat()} is before the LATM common law "
            f"({opened_on.isoformat()}): nothing could be billed"
        )
    rng = random.Random(seed)
    s = tables
    with database.writing(engine) as conn:
        exploitant = conn.execute(
            sa.insert(s.exploitants)
            .values(name="Exploitant SYNTHÉTIQUE", siret="73282932000074")
            .returning(s.exploitants.c.id)
        ).scalar_one()
        dmn_ids = {}
        for indication in INDICATIONS:
            dmn_ids[indication] = conn.execute(
                sa.insert(s.dmns)
                .values(
                    exploitant_id=exploitant,
                    name=f"DMN SYNTHÉTIQUE {indication.value}",
                    latm_code=LATM.get(indication),
                    indication=indication.value,
                    benefit="organisationnel",
                    certified_from=opened_on,
                    certified_until=starts_on + CERTIFICATE_SPAN,
                )
                .returning(s.dmns.c.id)
            ).scalar_one()
        op_ids = []
        prescriber_ids = []
        for k in range(operateurs):
            op = conn.execute(
                sa.insert(s.operateurs)
                .values(
                    name=f"Opérateur SYNTHÉTIQUE {k + 1}",
                    kind="liberal",
                    ars_declared_on=opened_on,
                )
                .returning(s.operateurs.c.id)
            ).scalar_one()
            op_ids.append(op)
            prescriber_ids.append(
                conn.execute(
                    sa.insert(s.practitioners)
                    .values(
                        rpps=f"1000000{k:04d}"[:11],
                        family=f"Médecin {k + 1}",
                        given="Synthétique",
                        speciality="cardiologue",
                        operateur_id=op,
                    )
                    .returning(s.practitioners.c.id)
                ).scalar_one()
            )
            conn.execute(
                sa.insert(s.conventions).values(
                    operateur_id=op, exploitant_id=exploitant, signed_on=opened_on
                )
            )
        patient_ids = []
        day_rows: list[dict[str, object]] = []
        for i in range(patients):
            k = i % operateurs
            indication = INDICATIONS[i % len(INDICATIONS)]
            start = starts_on + dt.timedelta(days=rng.randrange(spread_days))
            pid = conn.execute(
                sa.insert(s.patients)
                .values(
                    nir=f"{1 + i % 2}{50 + i % 40:02d}{1 + i % 12:02d}75{i:08d}"[:15],
                    nir_type="NIR",
                    family=f"SYNTHÉTIQUE-{i + 1:06d}",
                    given="Patient",
                    birth_date=dt.date(
                        starts_on.year - OLDEST_AGE + i % 40, 1 + i % 12, 1 + i % 28
                    ),
                    coverage="ald" if i % 3 == 0 else "standard",
                    operateur_id=op_ids[k],
                    synthetic=True,
                )
                .returning(s.patients.c.id)
            ).scalar_one()
            patient_ids.append(pid)
            pec = conn.execute(
                sa.insert(s.prises_en_charge)
                .values(
                    patient_id=pid,
                    operateur_id=op_ids[k],
                    indication=indication.value,
                    dmn_id=dmn_ids[indication],
                    prescriber_id=prescriber_ids[k],
                    starts_on=start,
                    consent_on=start,
                )
                .returning(s.prises_en_charge.c.id)
            ).scalar_one()
            conn.execute(
                sa.insert(s.prescriptions),
                [
                    {
                        "prise_en_charge_id": pec,
                        "prescriber_id": prescriber_ids[k],
                        "prescribed_on": rx.prescribed_on,
                        "months": rx.months,
                        "renewal": rx.renewal,
                    }
                    for rx in chain(regulation, indication, start, periods)
                ],
            )
            end = start + dt.timedelta(days=30 * periods)
            day_rows.extend(
                {"patient_id": pid, "day": d, "kind": KIND, "n": 1}
                for d in habit_days(rng, start, end)
            )
        for chunk in range(0, len(day_rows), 5000):
            rows = day_rows[chunk : chunk + 5000]
            conn.execute(sa.insert(s.reading_days), rows)
            # the worklist's day counter (one kind a day here, so a day's readings are its n)
            conn.execute(
                sa.insert(counters.patient_days),
                [{"patient_id": r["patient_id"], "day": r["day"], "n": r["n"]} for r in rows],
            )
    return Population(tuple(op_ids), exploitant, tuple(patient_ids), starts_on)


def raw_readings(engine: sa.Engine) -> Iterator[reading.Reading]:
    """One raw reading at Paris noon for each counted day (the counters' n is 1 here)."""
    d = tables.reading_days.c
    with engine.connect() as conn:
        rows = list(conn.execute(sa.select(d.patient_id, d.day, d.kind)))
    for patient_id, day, kind in rows:
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=calendar.PARIS)
        yield reading.Reading(patient_id, kind, reading.millis(noon), 1.0)
