"""The SYNTHETIC demo population: who is monitored, for what, since when (never real people).

`plan(seed, count, today)` and `papers(regulation, today)` decide everything about the demo's
people and organisations — an opérateur declared to its ARS, two exploitants with a certified DMN
each and their conventions, `count` patients spread over the seven LATM indications with
prescriptions, renewals (some missing, so renewals come due), majorations and one death — and
each patient's transmission *habit*, from which `demo_series` generates the measurements.
Deterministic: the same seed and day give the same plan.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from enum import StrEnum

from telesurveillance.domain.regulation import catalogue, store

Indication = catalogue.Indication

#: The opérateur's name is the demo marker: a store whose patients are all synthetic and which
#: holds this opérateur may be wiped and rebuilt by `telesurveillance demo` without `--force`.
OPERATEUR_NAME = "Centre de télésurveillance de démonstration (SYNTHÉTIQUE)"
#: A synthetic FINESS: department 99 does not exist, the ninth digit is the Luhn key.
OPERATEUR_FINESS = "990000010"


@dataclass(frozen=True, slots=True)
class Physician:
    family: str
    given: str
    speciality: str
    #: synthetic: ten digits in the unissued 19999… range (issued RPPS start 10…) + Luhn key
    rpps: str


#: The demo team's physicians: one per speciality the listings qualify to prescribe (the
#: prescripteurs of `indications/*/prescription.yaml`); the first is the `medecin` log-in.
PHYSICIANS = (
    Physician("Démo", "Claire", "cardiologue", "19999000011"),
    Physician("Exemple", "Paul", "diabetologue", "19999000029"),
    Physician("Rein", "Sophie", "nephrologue", "19999000037"),
    Physician("Souffle", "Marc", "pneumologue", "19999000045"),
    Physician("Rythme", "Hugo", "cardiologue_rythmologue", "19999000052"),
    Physician("Onco", "Léa", "oncologue", "19999000060"),
)
#: The nurse of the team (the `soignant` log-in), under a protocole de coopération.
NURSE = ("Test", "Inès")
#: What the protocole de coopération delegates to the nurse (domain.pathway.delegation.Task).
NURSE_TASKS = ("cloture_medicale_alerte", "accompagnement_therapeutique", "prefiltrage_alertes")


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_FAMILIES = _words(
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon "
    "Michel Lefebvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont "
    "Lambert Fontaine Rousseau Vincent Muller Lefèvre Faure André Mercier Blanc "
    "Guérin Boyer Garnier"
)
_GIVEN_F = _words(
    "Marie Jeanne Françoise Monique Catherine Nathalie Isabelle Sylvie Anne Christine "
    "Martine Chantal Camille Léa Chloé"
)
_GIVEN_M = _words(
    "Jean Pierre Michel André Philippe Alain Bernard Jacques Daniel Patrick Nicolas "
    "Christophe Lucas Hugo Karim"
)


class Habit(StrEnum):
    """How regularly a patient transmits (drives observance and the worklist)."""

    REGULAR = "regular"
    """Almost every expected day."""
    GAPPY = "gappy"
    """Regular, with one long gap (holiday, hospital stay)."""
    SPARSE = "sparse"
    """About one expected day in three: periods not due."""
    STOPPING = "stopping"
    """Regular, then silent for the last ten days: at risk of insufficient data this period."""


@dataclass(frozen=True, slots=True)
class Dmn:
    key: int
    name: str
    indications: tuple[Indication, ...]
    exploitant: str
    exploitant_siret: str


@dataclass(frozen=True, slots=True)
class Prescription:
    prescribed_on: dt.date
    months: int
    renewal: bool


@dataclass(frozen=True, slots=True)
class Person:
    """One synthetic patient and its prise en charge."""

    index: int
    family: str
    given: str
    sex: str
    birth_date: dt.date
    ald: bool
    indication: Indication
    dmn: int
    starts_on: dt.date
    prescriptions: tuple[Prescription, ...]
    majoration: int | None
    died_on: dt.date | None
    habit: Habit
    cgm: bool
    episode: bool
    """An alert-worthy episode is generated (weight gain, desaturation, hypoglycaemia...)."""


#: Two exploitants, each with one certified DMN covering a share of the indications.
DMNS = (
    Dmn(
        1,
        "CardioSuivi Connect (synthétique)",
        (
            Indication.INSUFFISANCE_CARDIAQUE,
            Indication.INSUFFISANCE_RENALE,
            Indication.PROTHESES_CARDIAQUES_IMPLANTABLES,
            Indication.ONCOLOGIE,
        ),
        "Télémédecine Exemple SAS (synthétique)",
        "73282932000074",
    ),
    Dmn(
        2,
        "GlycoLien (synthétique)",
        (Indication.DIABETE, Indication.DIABETE_GESTATIONNEL, Indication.INSUFFISANCE_RESPIRATOIRE),
        "Santé Connectée Démo SA (synthétique)",
        "55208131766522",
    ),
)

#: Longest prescription written per indication (diabetes: 3 months, others: 6 here).
_MONTHS = {Indication.DIABETE: 3, Indication.DIABETE_GESTATIONNEL: 3}


#: The DMNs' certificates run this long after the demo's day.
CERTIFIED_FOR = dt.timedelta(days=700)


@dataclass(frozen=True, slots=True)
class Papers:
    """The dates on the demo organisations' papers."""

    ars_declared_on: dt.date
    certified_from: dt.date
    certified_until: dt.date
    convention_signed_on: dt.date


def papers(regulation: store.Regulation, today: dt.date) -> Papers:
    """The opérateur declared to its ARS, the DMNs certified and the conventions signed on the
    first day of the LATM common law (`Regulation.common_law_start`, read from the regulation
    data, not written here), the certificates valid `CERTIFIED_FOR` beyond the demo's day: the
    papers are in order for every period of a demo built six months or more into the common
    law (patients start at most 182 days before `today`)."""
    start = regulation.common_law_start()
    return Papers(
        ars_declared_on=start,
        certified_from=start,
        certified_until=today + CERTIFIED_FOR,
        convention_signed_on=start,
    )


#: Who prescribes for each indication: a speciality its listing names (checked against the
#: regulation data by tests/services/test_demo_plan.py).
PRESCRIBER_OF = {
    Indication.INSUFFISANCE_CARDIAQUE: "cardiologue",
    Indication.INSUFFISANCE_RENALE: "nephrologue",
    Indication.INSUFFISANCE_RESPIRATOIRE: "pneumologue",
    Indication.DIABETE: "diabetologue",
    Indication.DIABETE_GESTATIONNEL: "diabetologue",
    Indication.PROTHESES_CARDIAQUES_IMPLANTABLES: "cardiologue_rythmologue",
    Indication.ONCOLOGIE: "oncologue",
}


def dmn_for(indication: Indication) -> Dmn:
    return next(d for d in DMNS if indication in d.indications)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _prescriptions(
    rng: random.Random, indication: Indication, starts_on: dt.date, today: dt.date
) -> tuple[Prescription, ...]:
    months = _MONTHS.get(indication, 6)
    first = Prescription(starts_on - dt.timedelta(days=rng.randint(1, 10)), months, False)
    out = [first]
    ends = _add_months(starts_on, months)
    # Renew a few days before the end, except for one patient in six (a renewal comes due).
    while ends <= today + dt.timedelta(days=20) and rng.random() > 1 / 6:
        on = ends - dt.timedelta(days=rng.randint(2, 12))
        if on > today:
            break
        out.append(Prescription(on, months, True))
        ends = _add_months(ends, months)
    return tuple(out)


def plan(seed: int, count: int, today: dt.date) -> list[Person]:
    """`count` synthetic patients; the same list for the same seed and day."""
    rng = random.Random(seed)
    people: list[Person] = []
    indications = tuple(Indication)
    died = max(count // 2, 0)  # one death, mid-list
    for i in range(count):
        indication = indications[i % len(indications)]
        sex = (
            "female"
            if indication is Indication.DIABETE_GESTATIONNEL
            else rng.choice(("female", "male"))
        )
        given = rng.choice(_GIVEN_F if sex == "female" else _GIVEN_M)
        age = (
            rng.randint(25, 38)
            if indication is Indication.DIABETE_GESTATIONNEL
            else rng.randint(35, 88)
        )
        starts_on = today - dt.timedelta(
            days=rng.randint(20, 120)
            if indication is Indication.DIABETE_GESTATIONNEL
            else rng.randint(20, 182)
        )
        habit = rng.choices(list(Habit), weights=(70, 12, 8, 10))[0]
        majorable = indication in (Indication.INSUFFISANCE_CARDIAQUE, Indication.DIABETE)
        people.append(
            Person(
                index=i,
                family=rng.choice(_FAMILIES),
                given=given,
                sex=sex,
                birth_date=today - dt.timedelta(days=age * 365 + rng.randint(0, 364)),
                ald=rng.random() < 0.6,
                indication=indication,
                dmn=dmn_for(indication).key,
                starts_on=starts_on,
                prescriptions=_prescriptions(rng, indication, starts_on, today),
                majoration=rng.choice((1, 2)) if majorable and rng.random() < 0.25 else None,
                died_on=today - dt.timedelta(days=9) if i == died and count > 1 else None,
                habit=habit,
                cgm=indication is Indication.DIABETE and rng.random() < 0.3,
                episode=rng.random() < 0.15,
            )
        )
    return people
