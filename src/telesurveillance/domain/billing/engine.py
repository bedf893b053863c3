"""Judge a prise en charge period by period (rules of `regulation.md` §2 and §5).

Pure: it is handed the regulation, the situation and the billing date (`as_of`); it reads no
clock and no store. A period is judged once its last day is before `as_of` (B2, R03).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from telesurveillance.domain import calendar, money
from telesurveillance.domain.billing import (
    amounts,
    context,
    coverage,
    model,
    rules,
    series,
    verdict,
)
from telesurveillance.domain.regulation import records, store, timeline

T = TypeVar("T")


def judge(
    regulation: store.Regulation, situation: model.Situation, as_of: dt.date
) -> verdict.Judgement:
    """Every elapsed period's verdict, and the billable periods grouped into series."""
    pec = situation.prise_en_charge
    length = _structure(regulation, "periodes.duree_jours", pec.starts_on)
    max_months = _structure(regulation, "prescription.duree_maximale_mois", pec.starts_on)
    indication_max = (
        regulation.indication(pec.indication, "prescription", records.PrescriptionRules)
        .at_or_first(pec.starts_on)
        .value.duree_max_mois
    )
    covered = coverage.covered_periods(
        pec.starts_on, pec.prescriptions, length, max_months, indication_max
    )
    # Days with data per period number, counted once (days before the start land on 0 or less).
    per_period = calendar.days_per_period(pec.starts_on, situation.days_with_data, length)
    lookups = context.for_regulation(regulation)
    # issue 17: which data counted (the DMN's), which did not (another device's)
    elsewhere = calendar.days_per_period(pec.starts_on, situation.days_elsewhere, length)
    unknown = calendar.days_per_period(pec.starts_on, situation.days_unknown_source, length)
    verdicts: list[verdict.PeriodVerdict] = []
    previous: tuple[int, int] | None = None
    majorated = 0
    number = 1
    while True:
        period = calendar.period(pec.starts_on, number, length)
        if period.last_day >= as_of:
            break
        judged, coef = _judge_period(
            regulation,
            situation,
            period,
            per_period[number],
            covered,
            previous,
            majorated,
            lookups,
        )
        if elsewhere[number] or unknown[number]:  # issue 17
            judged = dataclasses.replace(
                judged, days_elsewhere=elsewhere[number], days_unknown_source=unknown[number]
            )
        verdicts.append(judged)
        if coef > 1:
            # The cap counts elapsed majorated time, billed or not ("sans interruption").
            majorated += 1
        previous = (judged.days_with_data, judged.expected_days)
        if _is_final(situation, period):
            break
        number += 1
    return verdict.Judgement(as_of, tuple(verdicts), series.group(regulation, verdicts, as_of))


def elapsed(regulation: store.Regulation, situation: model.Situation, as_of: dt.date) -> int:
    """How many periods `judge` lists on `as_of`, at most: every period ended before it (fewer
    when monitoring stopped or the patient died, see `_is_final`)."""
    pec = situation.prise_en_charge
    length = _structure(regulation, "periodes.duree_jours", pec.starts_on)
    return calendar.ended_before(pec.starts_on, as_of, length)


def _structure(regulation: store.Regulation, name: str, starts_on: dt.date) -> int:
    """A rule shaping the periods, as in force when monitoring started — or, for monitoring begun
    before the common law (ETAPES), its first version: only periods under it can be billed, and
    the earlier ones are judged not listed."""
    return regulation.get(name, int).at_or_first(starts_on).value


def _is_final(situation: model.Situation, period: calendar.Period) -> bool:
    """No period is listed after the first one that starts after the death or the stop."""
    died = situation.patient.died_on
    stopped = situation.prise_en_charge.stopped_on
    return (died is not None and died < period.start) or (
        stopped is not None and stopped <= period.start
    )


def _expected_days(ctx: context.PeriodContext) -> int:
    pec = ctx.situation.prise_en_charge
    name = f"indications.{pec.indication.value}.observance"
    dated = ctx.dated(name)
    if dated is None and pec.pecan:
        # Under PECAN before the listing: the activity's first listed data requirement.
        dated = ctx.regulation.any(name).at_or_first(ctx.day)
    if dated is None:  # activity not listed yet: `rules.listing` says so
        return (ctx.period.end - ctx.period.start).days
    found: records.ObservanceRules = ctx.read(dated)
    return found.jours_attendus_par_periode


def _judge_period(
    regulation: store.Regulation,
    situation: model.Situation,
    period: calendar.Period,
    days: int,
    covered: dict[int, coverage.Covered],
    previous: tuple[int, int] | None,
    majorated: int,
    lookups: context.Lookups | None = None,
) -> tuple[verdict.PeriodVerdict, Decimal]:
    ctx = context.PeriodContext(regulation, situation, period, lookups=lookups)
    day = period.start
    pec = situation.prise_en_charge
    indication, pecan = pec.indication, pec.pecan
    # The rules that read only the day, the listing and a few facts are run once per those
    # facts and replayed (each key holds everything its rule reads besides the regulation).
    expected = _replayed(ctx, ("expected", day, period.end, indication, pecan), _expected_days)
    if pecan:
        key: tuple[object, ...] = ("pecan", day, indication, period.number)
        inscription = _guarded(ctx, _replayed, ctx, key, rules.pecan_cover)
    else:
        inscription = _guarded(ctx, _replayed, ctx, ("listing", day, indication), rules.listing)
    _guarded(ctx, rules.eligibility, ctx, pecan)
    _guarded(ctx, rules.ars_declaration, ctx)
    _guarded(ctx, rules.convention, ctx)
    dmn = situation.dmn
    key = ("certificate", day, period.end, dmn.certified_from, dmn.certified_until)
    _guarded(ctx, _replayed, ctx, key, rules.certificate)
    _guarded(ctx, rules.prescription, ctx, covered)
    _guarded(ctx, rules.death, ctx)
    _guarded(ctx, rules.stop, ctx)
    _guarded(ctx, rules.esms, ctx)
    key = ("observance", day, period.number, days, expected, previous)
    minimum = _guarded(ctx, _replayed, ctx, key, rules.observance, days, expected, previous)
    lines: tuple[verdict.Line, ...] = ()
    coef = amounts.ONE
    if inscription is not None:
        niveau = inscription.niveau_forfait_operateur
        coef = _guarded(ctx, amounts.coefficient, ctx, niveau, majorated) or amounts.ONE
        if not ctx.reasons:
            lines = _lines(ctx, inscription, coef)
    judged = verdict.PeriodVerdict(
        number=period.number,
        start=period.start,
        last_day=period.last_day,
        days_with_data=days,
        expected_days=expected,
        billable=not ctx.reasons,
        lines=lines,
        reasons=tuple(ctx.reasons),
        notes=tuple(ctx.notes),
        basis=ctx.basis_list(),
        minimum_days=minimum,
    )
    return judged, coef


def _replayed(
    ctx: context.PeriodContext, key: tuple[object, ...], rule: Callable[..., T], *args: Any
) -> T:
    value, _ = ctx.replayed(key, rule, *args)
    return value


def _guarded(ctx: context.PeriodContext, check: Callable[..., T], *args: Any) -> T | None:
    """Run a rule; a parameter with no value on the execution date makes the period not due
    (e.g. a period before the common law of 1 July 2023) instead of an error."""
    try:
        return check(*args)
    except timeline.NotInForce as missing:
        ctx.fail(
            "regulation.not_in_force",
            f"{missing.name} on {missing.day.isoformat()}",
            day=missing.day,
        )
        return None


def _lines(
    ctx: context.PeriodContext, inscription: records.Inscription, coef: Decimal
) -> tuple[verdict.Line, ...]:
    """B4, B5: exactly one forfait opérateur and one forfait technique, or none. The prices
    depend on the day, the listing, the coefficient, the coverage and the DMN only: they are
    worked out once for each of those and replayed (`PeriodContext.replayed`)."""
    situation = ctx.situation
    # The coefficient's text too: 2 and 2.0 are equal, but a line shows the one it was given.
    key = (
        "lines",
        ctx.day,
        inscription,
        coef,
        str(coef),
        situation.patient.coverage,
        situation.dmn,
    )
    _, priced = ctx.replayed(key, _prices, inscription, coef)
    return ctx.priced_lines(priced, _made)


Price = tuple[Decimal | None, Decimal | None, Decimal | None, str | None]


def _prices(
    ctx: context.PeriodContext, inscription: records.Inscription, coef: Decimal
) -> tuple[Price, Price, dt.date, Decimal]:
    """The forfait opérateur's and the forfait technique's (amount, AMO, rest, code)."""
    level = amounts.operateur_level(ctx, inscription.niveau_forfait_operateur)
    rate = amounts.amo_rate(ctx)
    technique = amounts.technique_amount(ctx, inscription)
    operateur = _price(level.montant * coef, rate, level.code)
    return operateur, _price(technique, rate, ctx.situation.dmn.latm_code), ctx.day, coef


def _price(amount: Decimal | None, rate: Decimal, code: str | None) -> Price:
    if amount is None:
        return (None, None, None, code)
    amo, rest = money.split(amount, rate)
    return (money.cents(amount), amo, rest, code)


def _made(
    prices: tuple[Price, Price, dt.date, Decimal], basis: tuple[verdict.Basis, ...]
) -> tuple[verdict.Line, ...]:
    operateur, technique, day, coef = prices
    return (
        verdict.Line(verdict.Forfait.OPERATEUR, day, *operateur, coef, basis),
        verdict.Line(verdict.Forfait.TECHNIQUE, day, *technique, None, basis),
    )
