"""Judge a prise en charge period by period (rules of `regulation.md` §2 and §5).

Pure: it is handed the regulation, the situation and the billing date (`as_of`); it reads no
clock and no store. A period is judged once its last day is before `as_of` (B2, R03).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from telesurveillance.domain import calendar
from telesurveillance.domain.billing import (
    amounts,
    context,
    coverage,
    model,
    rules,
    series,
    verdict,
)
from telesurveillance.domain.regulation import records, store


def judge(
    regulation: store.Regulation, situation: model.Situation, as_of: dt.date
) -> verdict.Judgement:
    """Every elapsed period's verdict, and the billable periods grouped into series."""
    pec = situation.prise_en_charge
    length = regulation.get("periodes.duree_jours", int).at(pec.starts_on).value
    max_months = regulation.get("prescription.duree_maximale_mois", int).at(pec.starts_on).value
    covered = coverage.covered_periods(pec.starts_on, pec.prescriptions, length, max_months)
    verdicts: list[verdict.PeriodVerdict] = []
    previous: tuple[int, int] | None = None
    majorated = 0
    number = 1
    while True:
        period = calendar.period(pec.starts_on, number, length)
        if period.last_day >= as_of:
            break
        judged, coef = _judge_period(regulation, situation, period, covered, previous, majorated)
        verdicts.append(judged)
        if coef > 1:
            # The cap counts elapsed majorated time, billed or not ("sans interruption").
            majorated += 1
        previous = (judged.days_with_data, judged.expected_days)
        if _is_final(situation, period):
            break
        number += 1
    return verdict.Judgement(as_of, tuple(verdicts), series.group(regulation, verdicts, as_of))


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
    if dated is None:  # activity not listed yet: `rules.listing` says so
        return (ctx.period.end - ctx.period.start).days
    found: records.ObservanceRules = ctx.read(dated)
    return found.jours_attendus_par_periode


def _judge_period(
    regulation: store.Regulation,
    situation: model.Situation,
    period: calendar.Period,
    covered: dict[int, coverage.Covered],
    previous: tuple[int, int] | None,
    majorated: int,
) -> tuple[verdict.PeriodVerdict, Decimal]:
    ctx = context.PeriodContext(regulation, situation, period)
    days = sum(1 for d in situation.days_with_data if period.contains(d))
    expected = _expected_days(ctx)
    inscription = rules.listing(ctx)
    rules.ars_declaration(ctx)
    rules.convention(ctx)
    rules.certificate(ctx)
    rules.prescription(ctx, covered)
    rules.pecan(ctx)
    rules.death(ctx)
    rules.stop(ctx)
    rules.esms(ctx)
    rules.observance(ctx, days, expected, previous)
    lines: tuple[verdict.Line, ...] = ()
    coef = amounts.ONE
    if inscription is not None:
        niveau = inscription.niveau_forfait_operateur
        coef = amounts.coefficient(ctx, niveau, majorated)
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
    )
    return judged, coef


def _lines(
    ctx: context.PeriodContext, inscription: records.Inscription, coef: Decimal
) -> tuple[verdict.Line, ...]:
    """B4, B5: exactly one forfait opérateur and one forfait technique, or none."""
    level = amounts.operateur_level(ctx, inscription.niveau_forfait_operateur)
    rate = amounts.amo_rate(ctx)
    technique = amounts.technique_amount(ctx, inscription)
    operateur = amounts.line(
        ctx, verdict.Forfait.OPERATEUR, level.montant * coef, rate, level.code, coef
    )
    code = ctx.situation.dmn.latm_code
    return (operateur, amounts.line(ctx, verdict.Forfait.TECHNIQUE, technique, rate, code))
