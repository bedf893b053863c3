"""The per-period billing rules (numbered as in the regulation notes: B1–B14, R01–R33).

Each function reads what it needs through the context and records every failing rule, so an
auditor sees all the reasons a period is not due, not only the first.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from telesurveillance.domain import calendar
from telesurveillance.domain.billing import context, coverage, model, verdict
from telesurveillance.domain.pathway import eligibility as pathway_eligibility
from telesurveillance.domain.regulation import records

Ctx = context.PeriodContext


def listing(ctx: Ctx) -> records.Inscription | None:
    """P1 / L. 162-52: the activity is listed on the LATM on the execution date."""
    pec = ctx.situation.prise_en_charge
    name = f"indications.{pec.indication.value}.inscription"
    dated = ctx.dated_of(name, records.Inscription)
    if dated is None:
        ctx.fail(
            "indication.not_listed",
            f"{pec.indication.value} on {ctx.day.isoformat()}",
            indication=pec.indication.value,
            day=ctx.day,
        )
        return None
    return ctx.read(dated)


def pecan_cover(ctx: Ctx) -> records.Inscription | None:
    """P1, R28 / L. 162-1-23, R. 162-113: under PECAN the decision, not the LATM, covers the
    activity, for one non-renewable year counted from the decision: a period whose first day is
    past that year, or beyond the patient's twelfth, is not covered."""
    pec = ctx.situation.prise_en_charge
    months = ctx.param("pecan.duree_mois", int)
    decisions = ctx.dated("pecan.decisions")
    found: list[records.PecanDecision] = []
    if decisions is not None:
        listed: tuple[records.PecanDecision, ...] = ctx.read(decisions)
        found = [d for d in listed if d.indication == pec.indication.value and d.debut <= ctx.day]
    if not found:
        ctx.fail(
            "pecan.no_decision",
            f"no PECAN decision for {pec.indication.value} on {ctx.day.isoformat()}",
            indication=pec.indication.value,
            day=ctx.day,
        )
        return None
    decision = max(found, key=lambda d: d.debut)
    ends = calendar.add_months(decision.debut, months)
    if ctx.day >= ends:
        ctx.fail(
            "pecan.expired",
            f"PECAN decision of {decision.debut.isoformat()} ended on {ends.isoformat()}",
            decided=decision.debut,
            ended=ends,
        )
    elif ctx.period.number > months:
        ctx.fail("pecan.expired", f"PECAN covers {months} periods", months=months)
    return decision.inscription()


def eligibility(ctx: Ctx, under_pecan: bool) -> None:
    """P7 / L. 162-52: the patient belongs to the listed population on the period's first day,
    as far as the platform computes it (age, sex) — the same `eligibilite` data as the inclusion.
    Under PECAN before the listing, the first listed population of the activity is used."""
    pec = ctx.situation.prise_en_charge
    name = f"indications.{pec.indication.value}.eligibilite"
    day = ctx.day
    dated = ctx.dated(name)
    if dated is None and under_pecan:
        dated = ctx.regulation.any(name).at_or_first(day)
    if dated is None:  # activity not listed: `listing` says so
        return
    population: records.Eligibilite = dated.value
    bounded = population.age_minimum is not None or population.age_maximum is not None
    if not bounded and population.sexe is None and pec.attested is None:
        return  # nothing the platform can check for this population
    ctx.read(dated)
    patient = ctx.situation.patient
    bounds = pathway_eligibility.out_of_bounds(population, patient.born_on, day, patient.sex)
    if pec.attested is not None:
        _attested(ctx, population, pec.attested)
    for bound in bounds:
        sexe = None if bound.sexe is None else bound.sexe.value
        ctx.fail(
            bound.rule,
            bound.message(),
            age=bound.age,
            minimum=bound.minimum,
            maximum=bound.maximum,
            sexe=sexe,
            day=bound.day,
        )


def _attested(ctx: Ctx, population: records.Eligibilite, attested: model.Attested) -> None:
    """The attested criteria still meet the listing's groups (any-of / all-of) on this day."""
    group = next((g for g in population.sous_populations if g.id == attested.sous_population), None)
    if group is None:
        ctx.fail(
            "eligibility.criteria",
            f"{attested.sous_population!r} is not a sub-population of the listing",
            sous_population=attested.sous_population,
        )
        return
    missing = pathway_eligibility.unmet(group.conditions, attested.criteres)
    if missing is not None:
        ctx.fail(
            "eligibility.criteria",
            f"{group.libelle}: criterion not attested: {pathway_eligibility.describe(missing)}",
            libelle=group.libelle,
            missing_fr=pathway_eligibility.describe(missing, "un critère parmi"),
            missing_en=pathway_eligibility.describe(missing, "one of"),
        )


def ars_declaration(ctx: Ctx) -> None:
    """R19 / L. 162-51: the ARS receipt is dated on or before the period's first day."""
    declared = ctx.situation.operateur.ars_declared_on
    if declared is None:
        ctx.fail("prerequisite.ars_declaration", "no ARS declaration receipt", declared=None)
    elif declared > ctx.day:
        ctx.fail(
            "prerequisite.ars_declaration",
            f"receipt dated {declared.isoformat()}",
            declared=declared,
            day=ctx.day,
        )


def convention(ctx: Ctx) -> None:
    """R20 / R. 162-99: a convention opérateur–exploitant covers the period's first day."""
    conv = ctx.situation.convention
    if not conv.covers(ctx.day):
        signed = conv.signed_on.isoformat() if conv.signed_on else "never"
        ctx.fail(
            "prerequisite.convention",
            f"signed on: {signed}",
            signed=conv.signed_on,
            ends=conv.ends_on,
            day=ctx.day,
        )


def certificate(ctx: Ctx) -> None:
    """R21: from 1 January 2024 the DMN holds a valid ANS certificate on the execution date."""
    if not ctx.param("dmn.certificat_ans_obligatoire", bool):
        return
    dmn = ctx.situation.dmn
    day = ctx.day
    if not dmn.certified_on(day):
        ctx.fail("prerequisite.certificate", _certificate_span(dmn), **_span(dmn, day))
    elif dmn.certified_until is not None and dmn.certified_until < ctx.period.last_day:
        ctx.note(
            "prerequisite.certificate_expires_in_period",
            _certificate_span(dmn),
            **_span(dmn, day),
        )


def _span(dmn: model.Dmn, day: dt.date) -> dict[str, verdict.Fact]:
    return {"since": dmn.certified_from, "until": dmn.certified_until, "day": day}


def _certificate_span(dmn: model.Dmn) -> str:
    since = dmn.certified_from.isoformat() if dmn.certified_from else "none"
    until = dmn.certified_until.isoformat() if dmn.certified_until else "open"
    return f"certificate {since} to {until}"


def prescription(ctx: Ctx, covered: dict[int, coverage.Covered]) -> None:
    """R12 / R. 162-100: a prescription (≤ one year) covers the period."""
    ctx.param("prescription.duree_maximale_mois", int)
    found = covered.get(ctx.period.number)
    if found is None:
        ctx.fail("prescription.not_covered")
        return
    rx = found.prescription
    if found.over_indication_max is None and not found.over_cap:
        return
    written = f"prescribed on {rx.prescribed_on.isoformat()} for {rx.months} months"
    if found.over_indication_max is not None:
        ctx.note(
            "prescription.over_indication_maximum",
            f"{written}, indication maximum {found.over_indication_max} months",
            prescribed=rx.prescribed_on,
            months=rx.months,
            maximum=found.over_indication_max,
        )
    if found.over_cap:
        ctx.note(
            "prescription.over_one_year", written, prescribed=rx.prescribed_on, months=rx.months
        )


def death(ctx: Ctx) -> None:
    """R11: a period starting after the death is not due; the period of the death is due in full."""
    died = ctx.situation.patient.died_on
    if died is None:
        return
    if died < ctx.day:
        ctx.fail("patient.deceased", f"died on {died.isoformat()}", died=died)
    elif ctx.period.contains(died):
        ctx.note("patient.deceased_in_period", f"died on {died.isoformat()}", died=died)


def stop(ctx: Ctx) -> None:
    """B8: no period starting on or after the stop of monitoring is due."""
    stopped = ctx.situation.prise_en_charge.stopped_on
    if stopped is None:
        return
    if stopped <= ctx.day:
        ctx.fail("monitoring.stopped", f"stopped on {stopped.isoformat()}", stopped=stopped)
    elif ctx.period.contains(stopped):
        ctx.note(
            "monitoring.stopped_in_period", f"stopped on {stopped.isoformat()}", stopped=stopped
        )


def esms(ctx: Ctx) -> None:
    """R26 / B12: EHPAD on global tariff with a GP or geriatrician: covered by the tariff."""
    op = ctx.situation.operateur
    if op.kind is not model.OperateurKind.ESMS_TARIF_GLOBAL:
        return
    included = ctx.param("esms.tarif_global_medecins_inclus", tuple[str, ...])
    if op.medecin is None:
        ctx.fail(
            "esms.included_in_tariff",
            "the monitoring physician's specialty is not given",
            medecin=None,
        )
    elif op.medecin in included:
        ctx.fail(
            "esms.included_in_tariff", f"monitoring physician: {op.medecin}", medecin=op.medecin
        )


def observance(ctx: Ctx, days: int, expected: int, previous: tuple[int, int] | None) -> Decimal:
    """R08–R10, guide § Conditions de facturation: two rules stated apart. Zero data ("0 donnée")
    → this period is not due, and nothing more. Data below 50 % of the expected → the *following*
    period is not due (the deficient one is flagged). 1- and 2-month checkpoints are flagged.
    Returns the minimum: fewer days than that is an insufficient period."""
    share = ctx.param("observance.seuil_insuffisance", Decimal)
    ctx.param("observance.insuffisance_methode", str)
    ctx.param("observance.donnees_comptees", str)  # issue 17: the DMN's data (streams)
    minimum = share * expected
    counts: dict[str, verdict.Fact] = {"days": days, "expected": expected, "minimum": minimum}
    if days == 0:
        ctx.fail("observance.zero_data", None, **counts)
    elif days < minimum:
        ctx.note("observance.insufficient_review", f"{days} of {expected} expected days", **counts)
    # An interruption (zero data) is not an insufficiency: it refuses its own period only (EX08).
    if previous is not None and 0 < previous[0] < share * previous[1]:
        ctx.fail(
            "observance.insufficient_previous",
            f"previous period: {previous[0]} of {previous[1]} expected days",
            days=previous[0],
            expected=previous[1],
            minimum=share * previous[1],
        )
    checkpoints = ctx.param("observance.points_de_controle_mois", tuple[int, ...])
    if ctx.period.number in checkpoints and days < minimum:
        ctx.note(
            "observance.checkpoint",
            f"period {ctx.period.number}: {days} of {expected} days",
            period=ctx.period.number,
            **counts,
        )
    return minimum
