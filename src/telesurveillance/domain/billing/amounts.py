"""Amounts: forfait opérateur level and coefficient, forfait technique, AMO / rest split."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from telesurveillance.domain import calendar
from telesurveillance.domain.billing import context, model
from telesurveillance.domain.regulation import catalogue, records

Ctx = context.PeriodContext
ONE = Decimal(1)
MAJORATION_PARAMS = {
    model.MajorationLevel.NIVEAU_1: "forfaits.operateur.majoration_niveau_1",
    model.MajorationLevel.NIVEAU_2: "forfaits.operateur.majoration_niveau_2",
}


def first_majorated_period(starts_on: dt.date, since: dt.date, period_days: int) -> int:
    """R16: a new patient is majorated from period 1; a patient already monitored when they
    become eligible, from the period after the one in progress (Satelia quoting ameli)."""
    if since <= starts_on:
        return 1
    return calendar.period_number(starts_on, since, period_days) + 1


def attested_level(ctx: Ctx) -> model.Majoration | None:
    """The attested majoration that applies to this period, if any (the latest one wins)."""
    pec = ctx.situation.prise_en_charge
    period_days = (ctx.period.end - ctx.period.start).days
    applying = [
        m
        for m in pec.majorations
        if ctx.period.number >= first_majorated_period(pec.starts_on, m.since, period_days)
        and (m.until is None or ctx.day < m.until)
    ]
    return max(applying, key=lambda m: m.since, default=None)


def coefficient(ctx: Ctx, niveau: int, already_majorated: int) -> Decimal:
    """R14–R16: TVB × 2 or × 2.5 for eligible complex patients, within the uninterrupted cap."""
    attested = attested_level(ctx)
    if attested is None:
        return ONE
    if niveau != 2:
        ctx.note(
            "majoration.not_eligible",
            "majorations apply to the level-2 forfait only",
            cause="level",
            level=attested.level.value,
        )
        return ONE
    indication = ctx.situation.prise_en_charge.indication
    rules = ctx.param(f"indications.{indication.value}.majoration", records.MajorationRules)
    if not rules.eligible:
        ctx.note(
            "majoration.not_eligible",
            indication.value,
            cause="indication",
            indication=indication.value,
            level=attested.level.value,
        )
        return ONE
    coef = ctx.dated(MAJORATION_PARAMS[attested.level])
    if coef is None:
        ctx.note(
            "majoration.not_in_force", f"level {attested.level.value}", level=attested.level.value
        )
        return ONE
    if already_majorated >= rules.max_periods:
        ctx.note(
            "majoration.cap_reached",
            f"{already_majorated} majorated periods",
            count=already_majorated,
        )
        return ONE
    value: Decimal = ctx.read(coef)
    return value


def operateur_level(ctx: Ctx, niveau: int) -> records.ForfaitOperateurLevel:
    name = "socle_niveau_1" if niveau == 1 else "socle_niveau_2"
    return ctx.param(f"forfaits.operateur.{name}", records.ForfaitOperateurLevel)


def amo_rate(ctx: Ctx) -> Decimal:
    """R18: 60 % AMO, 100 % for exempted (ALD) patients, rights as on the prescription date."""
    ctx.param("remboursement.date_des_droits", str)
    rates = ctx.param("remboursement.taux_amo", records.CoverageRates)
    rate: Decimal = getattr(rates, ctx.situation.patient.coverage.value)
    return rate


def technique_amount(ctx: Ctx, inscription: records.Inscription) -> Decimal | None:
    """R23: the amount published for the DMN's LATM code on the reference day (the execution
    date); without one, the base amount of the DMN's expected benefit at the lowest file-active
    tier; `None` when no encoded figure applies (derogatory tariff, PECAN compensation, higher
    file-active tier), said in a note: the grid is never the source of a billed amount."""
    ctx.param("forfaits.technique.jour_de_reference", str)
    dmn = ctx.situation.dmn
    if dmn.latm_code in catalogue.LATM_CODES:
        published = ctx.dated(f"forfaits.technique.codes.{dmn.latm_code}")
        if published is not None:
            amount: Decimal = ctx.read(published)
            return amount
    if inscription.forfait_technique is records.TechniqueTariff.DEROGATOIRE:
        _derogatory(ctx)
        return None
    if inscription.forfait_technique is records.TechniqueTariff.COMPENSATION_PECAN:
        ctx.note("technique.amount_unknown", "PECAN compensation not encoded", cause="pecan")
        return None
    grid = ctx.at("forfaits.technique.grille_file_active", records.FileActiveGrid)
    lowest = grid.value.paliers[0]
    if dmn.file_active is not None and lowest.a is not None and dmn.file_active > lowest.a:
        ctx.note(
            "technique.amount_unknown",
            f"file active {dmn.file_active} above {lowest.a}",
            cause="file_active",
            file_active=dmn.file_active,
            tier_top=lowest.a,
        )
        return None
    base = ctx.param("forfaits.technique.montants_de_base", records.AmountsByBenefit)
    ctx.note("technique.base_amount", f"benefit: {dmn.benefit.value}", benefit=dmn.benefit.value)
    return base.of(dmn.benefit)


def _derogatory(ctx: Ctx) -> None:
    """Implantable cardiac prostheses: a semester tariff by derogation (arrêté du 23 février
    2024) whose amount, and its billing per 30-day period, could not be read: no amount."""
    name = "forfaits.technique.protheses_cardiaques_implantables"
    tariff = ctx.dated(name)
    found: records.SemesterTariff | None = None if tariff is None else ctx.read(tariff)
    decote = ctx.dated("forfaits.technique.decote_protheses_ex_lpp")
    rate: Decimal | None = None if decote is None else ctx.read(decote)
    ctx.note(
        "technique.amount_unknown",
        "derogatory tariff not encoded",
        cause="derogatoire",
        months=None if found is None else found.periodicite_mois,
        minimum=None if found is None else found.montant_semestriel_minimal,
        decote=rate,
    )
