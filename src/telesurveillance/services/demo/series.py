"""The SYNTHETIC demo measurements: realistic rhythms, gaps and a few alert-worthy episodes.

Per indication, what the patient's device transmits and when (Paris local time):

- heart failure: weight every morning, blood pressure and heart rate morning and evening;
- renal failure: weight and blood pressure on dialysis days (Monday, Wednesday, Friday);
- respiratory failure: SpO2 and heart rate twice a day, respiratory rate once;
- diabetes: a sensor (CGM) every 5 minutes (288 points a day, 8,640 per 30 days) or, without a
  sensor, 3 to 4 capillary glucose readings a day; gestational diabetes: 4 capillary readings;
- implanted cardiac prostheses: one automatic nightly transmission (heart rate);
- oncology: a weekly symptom questionnaire (pain and symptom scores).

The habit (`demo_plan.Habit`) removes days; an episode bends the values of the last days
(weight gain of ~2.5 kg in three days, desaturation, night hypoglycaemia, hypertension, pain).
Values are in each kind's canonical unit (`domain/measures/measurements.yaml`).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Iterator

from telesurveillance.domain import calendar
from telesurveillance.domain.measures import reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.services.demo import plan

Indication = plan.Indication
Habit = plan.Habit

_DAY_MS = 86_400_000


class _Midnights:
    """UTC milliseconds of Paris midnight, per day (DST-aware), cached across patients."""

    def __init__(self) -> None:
        self._cache: dict[dt.date, int] = {}

    def __call__(self, day: dt.date) -> int:
        found = self._cache.get(day)
        if found is None:
            found = reading.millis(dt.datetime.combine(day, dt.time(0), tzinfo=calendar.PARIS))
            self._cache[day] = found
        return found


def _transmits(person: plan.Person, day: dt.date, today: dt.date, rng: random.Random) -> bool:
    if person.indication is Indication.INSUFFISANCE_RENALE and day.weekday() not in (0, 2, 4):
        return False
    if person.indication is Indication.ONCOLOGIE and day.weekday() != (person.index % 7):
        return False
    offset = (day - person.starts_on).days
    if person.habit is Habit.GAPPY and 35 <= offset < 57:
        return False
    if person.habit is Habit.STOPPING and (today - day).days < 10:
        return False
    chance = {Habit.SPARSE: 0.3}.get(person.habit, 0.95)
    return rng.random() < chance


Emit = Callable[[int, int, float], None]


def _heart(p: plan.Person, rng: random.Random, at: int, bend: float, emit: Emit) -> None:
    base_weight = 62 + (p.index * 7) % 35
    weight = base_weight + rng.gauss(0, 0.35) + bend * 0.9
    emit(1, at + 7 * 3_600_000 + rng.randint(0, 1800) * 1000, weight)
    for hour in (8, 20):
        t = at + hour * 3_600_000 + rng.randint(0, 1800) * 1000
        emit(2, t, rng.gauss(128, 9) + bend * 12)
        emit(3, t, rng.gauss(76, 6) + bend * 5)
        emit(4, t, rng.gauss(72, 6) + bend * 6)


def _renal(p: plan.Person, rng: random.Random, at: int, bend: float, emit: Emit) -> None:
    t = at + 13 * 3_600_000 + rng.randint(0, 3600) * 1000
    emit(1, t, 58 + (p.index * 5) % 40 + rng.gauss(0, 0.4) + bend)
    emit(2, t, rng.gauss(138, 12) + bend * 18)
    emit(3, t, rng.gauss(80, 7) + bend * 6)


def _respiratory(p: plan.Person, rng: random.Random, at: int, bend: float, emit: Emit) -> None:
    for hour in (9, 21):
        t = at + hour * 3_600_000 + rng.randint(0, 1800) * 1000
        emit(5, t, min(100.0, rng.gauss(94, 0.8) - bend * 3.5))
        emit(4, t, rng.gauss(80, 7) + bend * 8)
    emit(6, at + 9 * 3_600_000 + 60_000, rng.gauss(18, 2) + bend * 5)


def _capillary(p: plan.Person, rng: random.Random, at: int, bend: float, emit: Emit) -> None:
    gestational = p.indication is Indication.DIABETE_GESTATIONNEL
    hours = (7, 10, 14, 20) if gestational else (7, 12, 19)
    # Gestational diabetes is kept tight (fasting < 92, after meals < 120 mg/dL) unless in an
    # episode; other diabetes runs higher.
    fasting_mean, meal_mean, spread = (84, 100, 6) if gestational else (110, 150, 18)
    drop = min(bend, 1.0) * 45  # a fasting hypoglycaemia on episode days
    rise = min(bend, 1.0) * 35  # and high readings after meals
    for hour in hours:
        if hour == 7:
            value = rng.gauss(fasting_mean, spread) - drop
        else:
            value = rng.gauss(meal_mean, spread) + rise
        emit(8, at + hour * 3_600_000 + rng.randint(0, 1800) * 1000, value)


def _cgm(p: plan.Person, rng: random.Random, at: int, bend: float, emit: Emit) -> None:
    level = 140.0
    phase = (p.index % 5) * 0.2
    for step in range(288):
        hour = step / 12
        meals = sum(55 * math.exp(-((hour - m - 1) ** 2) / 1.2) for m in (7.5 + phase, 12.5, 19.5))
        level += (150 + meals - level) * 0.15 + rng.gauss(0, 4)
        value = level
        if bend and 2 <= hour < 4:
            value = 48 + rng.gauss(0, 3)  # night hypoglycaemia below 54 mg/dL
        emit(9, at + step * 300_000 + 30_000, value)


def _prosthesis(p: plan.Person, rng: random.Random, at: int, bend: float, emit: Emit) -> None:
    emit(
        4, at + 2 * 3_600_000 + rng.randint(0, 3600) * 1000, rng.gauss(64, 4) + min(bend, 1.0) * 75
    )


def _oncology(p: plan.Person, rng: random.Random, at: int, bend: float, emit: Emit) -> None:
    t = at + 18 * 3_600_000 + rng.randint(0, 7200) * 1000
    emit(12, t, min(10.0, max(0.0, round(rng.gauss(2.5, 1.2) + bend * 4))))
    # Symptom grade (0-4, CTCAE-like): grade 3 or more only in an episode.
    grade = rng.choices((0, 1, 2), weights=(5, 4, 1))[0]
    emit(13, t, float(min(4, grade + (2 if bend else 0))))


_BY_INDICATION = {
    Indication.INSUFFISANCE_CARDIAQUE: _heart,
    Indication.INSUFFISANCE_RENALE: _renal,
    Indication.INSUFFISANCE_RESPIRATOIRE: _respiratory,
    Indication.DIABETE: _capillary,
    Indication.DIABETE_GESTATIONNEL: _capillary,
    Indication.PROTHESES_CARDIAQUES_IMPLANTABLES: _prosthesis,
    Indication.ONCOLOGIE: _oncology,
}

#: kind name -> stored id, checked against the measurement table at import of `readings_of`.
KINDS = {
    "poids": 1,
    "pression_systolique": 2,
    "pression_diastolique": 3,
    "frequence_cardiaque": 4,
    "spo2": 5,
    "frequence_respiratoire": 6,
    "glycemie": 8,
    "glucose_capteur": 9,
    "douleur": 12,
    "score_symptomes": 13,
}


def check_kinds(table: measures.Table) -> None:
    """Fail loudly if the measurement table renumbered a kind the demo writes."""
    for name, kind_id in KINDS.items():
        if table.by_name(name).id != kind_id:
            raise ValueError(f"measurement kind {name} is not id {kind_id}")


def readings_of(
    person: plan.Person,
    patient_id: int,
    seed: int,
    today: dt.date,
    now_ms: int,
    midnight: _Midnights,
) -> Iterator[reading.Reading]:
    """Every reading of `person` from the start of monitoring to `now_ms` (exclusive)."""
    rng = random.Random(seed * 1_000_003 + person.index)
    generate = _cgm if person.cgm else _BY_INDICATION[person.indication]
    end = person.died_on or today
    episode_from = today - dt.timedelta(days=3 + person.index % 4)
    out: list[reading.Reading] = []

    def emit(kind: int, ts: int, value: float) -> None:
        if ts < now_ms:
            plausible = max(value, 20.0) if kind in (8, 9) else max(value, 0.0)
            out.append(reading.Reading(patient_id, kind, ts, round(plausible, 1)))

    day = max(person.starts_on, today - dt.timedelta(days=183))
    while day <= end:
        if person.died_on is not None and day >= person.died_on:
            break
        if _transmits(person, day, today, rng):
            bend = 0.0
            if person.episode and day >= episode_from:
                bend = 1.0 + (day - episode_from).days * 0.9 if not person.cgm else 1.0
            generate(person, rng, midnight(day), bend, emit)
        day += dt.timedelta(days=1)
    yield from out


def midnights() -> _Midnights:
    return _Midnights()
