"""Forecast of the current period: can each patient still reach the observance threshold?

The threshold is the one the engine applies to the next period (B7: fewer than 50 % of the
expected days makes the next period not due). For the period holding `today`, the forecast
counts the days with data so far and the days left (today included unless it already has data),
and says whether the threshold is reached, on track at the current pace, at risk (reachable only
by sending more regularly) or out of reach. The worklist shows the last two.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from telesurveillance.domain import calendar
from telesurveillance.domain.regulation import records, store
from telesurveillance.services.billing import ledger


class Outlook(StrEnum):
    REACHED = "reached"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True, slots=True)
class Forecast:
    prise_en_charge_id: int
    patient_id: int
    operateur_id: int
    indication: str
    period_number: int
    period_start: dt.date
    period_last_day: dt.date
    days_with_data: int
    expected_days: int
    #: the fewest days with data that keep the next period due
    needed_days: int
    days_left: int
    outlook: Outlook

    @property
    def missing_days(self) -> int:
        return max(self.needed_days - self.days_with_data, 0)


def forecast(
    regulation: store.Regulation, streams: Iterable[ledger.Stream], today: dt.date
) -> list[Forecast]:
    """The current period of every stream in monitoring on `today`. Read the streams with
    `until = today + 1 day` so that today's data counts."""
    out = []
    for stream in streams:
        found = _one(regulation, stream, today)
        if found is not None:
            out.append(found)
    return out


def at_risk(
    regulation: store.Regulation, streams: Iterable[ledger.Stream], today: dt.date
) -> list[Forecast]:
    """The worklist: patients whose current period may miss the threshold, most urgent first
    (out of reach, then fewest days left, then most days missing)."""
    risky = [
        f
        for f in forecast(regulation, streams, today)
        if f.outlook in (Outlook.AT_RISK, Outlook.UNREACHABLE)
    ]
    return sorted(
        risky,
        key=lambda f: (f.outlook is not Outlook.UNREACHABLE, f.days_left, -f.missing_days),
    )


def _one(regulation: store.Regulation, stream: ledger.Stream, today: dt.date) -> Forecast | None:
    sit = stream.situation
    pec = sit.prise_en_charge
    died, stopped = sit.patient.died_on, pec.stopped_on
    if pec.starts_on > today or (died is not None and died < today):
        return None
    if stopped is not None and stopped <= today:
        return None
    length = regulation.get("periodes.duree_jours", int).at_or_first(pec.starts_on).value
    number = calendar.period_number(pec.starts_on, today, length)
    period = calendar.period(pec.starts_on, number, length)
    rules = regulation.indication(pec.indication, "observance", records.ObservanceRules).get(
        period.start
    )
    share = regulation.get("observance.seuil_insuffisance", Decimal).get(period.start)
    if rules is None or share is None:
        return None  # not listed or before the common law: nothing to forecast
    expected = rules.value.jours_attendus_par_periode
    needed = math.ceil(share.value * expected)
    days = sum(1 for d in sit.days_with_data if period.start <= d <= today)
    left = (period.end - today).days - (1 if today in sit.days_with_data else 0)
    return Forecast(
        prise_en_charge_id=stream.prise_en_charge_id,
        patient_id=stream.patient_id,
        operateur_id=stream.operateur_id,
        indication=pec.indication.value,
        period_number=number,
        period_start=period.start,
        period_last_day=period.last_day,
        days_with_data=days,
        expected_days=expected,
        needed_days=needed,
        days_left=left,
        outlook=outlook(days, needed, left, (today - period.start).days + 1),
    )


def outlook(days: int, needed: int, left: int, elapsed: int) -> Outlook:
    """Reached, unreachable, else on track or at risk at the pace so far (also the worklist's)."""
    if days >= needed:
        return Outlook.REACHED
    if days + left < needed:
        return Outlook.UNREACHABLE
    # At the pace so far (days with data per elapsed day), would the period end above it?
    projected = days + left * days / elapsed if elapsed else days + left
    return Outlook.ON_TRACK if projected >= needed else Outlook.AT_RISK


def worklist(
    store_: ledger.Ledger,
    regulation: store.Regulation,
    today: dt.date,
    operateur_id: int | None = None,
) -> list[Forecast]:
    """The patients at risk of missing the threshold in their current period, most urgent first
    (the dashboard's worklist calls this)."""
    streams = store_.streams(today + dt.timedelta(days=1), operateur_id)
    return at_risk(regulation, streams, today)
