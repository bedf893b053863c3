"""A deterministic SYNTHETIC population for the demo: never real patients.

Patients spread over the six indications (seven billing lines), with realistic transmission
habits: mostly daily senders, some with gaps, some who stop, one death, some majorations.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from telesurveillance.domain.billing import model
from telesurveillance.domain.regulation import catalogue, records

INDICATIONS = tuple(catalogue.Indication)


def _days(rng: random.Random, start: dt.date, end: dt.date, habit: str) -> frozenset[dt.date]:
    days = set()
    day = start
    while day < end:
        offset = (day - start).days
        chance = {"daily": 0.96, "gappy": 0.0 if 40 <= offset < 75 else 0.9, "sparse": 0.35}
        if rng.random() < chance[habit]:
            days.add(day)
        day += dt.timedelta(days=1)
    return frozenset(days)


def population(seed: int, count: int, as_of: dt.date) -> Iterator[tuple[str, model.Situation]]:
    """`count` labelled synthetic situations, the same for the same seed and date."""
    rng = random.Random(seed)
    for i in range(count):
        indication = INDICATIONS[i % len(INDICATIONS)]
        starts_on = as_of - dt.timedelta(days=rng.randint(40, 200))
        habit = rng.choices(["daily", "gappy", "sparse"], weights=[7, 2, 1])[0]
        majorations: tuple[model.Majoration, ...] = ()
        if (
            indication
            in (
                catalogue.Indication.INSUFFISANCE_CARDIAQUE,
                catalogue.Indication.DIABETE,
            )
            and rng.random() < 0.4
        ):
            majorations = (model.Majoration(model.MajorationLevel(rng.choice([1, 2])), starts_on),)
        died_on = starts_on + dt.timedelta(days=75) if i == 5 else None
        situation = model.Situation(
            operateur=model.Operateur(
                model.OperateurKind.LIBERAL, dt.date(2023, 7, 1), "cardiologue"
            ),
            convention=model.Convention(dt.date(2023, 7, 1)),
            dmn=model.Dmn(
                name=f"DMN-SYNTHETIQUE-{indication.value.upper()}",
                benefit=records.Benefit.ORGANISATIONNEL,
                certified_from=dt.date(2023, 12, 1),
                certified_until=as_of + dt.timedelta(days=365),
            ),
            patient=model.Patient(
                born_on=dt.date(1940 + rng.randint(0, 50), rng.randint(1, 12), rng.randint(1, 28)),
                coverage=rng.choice(list(model.Coverage)),
                died_on=died_on,
            ),
            prise_en_charge=model.PriseEnCharge(
                indication=indication,
                starts_on=starts_on,
                prescription=model.Prescription(starts_on, 12),
                majorations=majorations,
            ),
            days_with_data=_days(rng, starts_on, min(as_of, died_on or as_of), habit),
        )
        yield f"SYNTH-{seed:03d}-{i + 1:04d}", situation
