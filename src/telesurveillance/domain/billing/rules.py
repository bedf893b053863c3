"""The per-period billing rules (numbered as in the regulation notes: B1–B14, R01–R33).

Each function reads what it needs through the context and records every failing rule, so an
auditor sees all the reasons a period is not due, not only the first.
"""

from __future__ import annotations

from decimal import Decimal

from telesurveillance.domain.billing import context, coverage, model
from telesurveillance.domain.regulation import records

Ctx = context.PeriodContext


def listing(ctx: Ctx) -> records.Inscription | None:
    """P1 / L. 162-52: the activity is listed on the LATM on the execution date."""
    pec = ctx.situation.prise_en_charge
    dated = ctx.regulation.indication(pec.indication, "inscription", records.Inscription).get(
        ctx.day
    )
    if dated is None:
        ctx.fail("indication.not_listed", f"{pec.indication.value} on {ctx.day.isoformat()}")
        return None
    return ctx.read(dated)


def ars_declaration(ctx: Ctx) -> None:
    """R19 / L. 162-51: the ARS receipt is dated on or before the period's first day."""
    declared = ctx.situation.operateur.ars_declared_on
    if declared is None:
        ctx.fail("prerequisite.ars_declaration", "no ARS declaration receipt")
    elif declared > ctx.day:
        ctx.fail("prerequisite.ars_declaration", f"receipt dated {declared.isoformat()}")


def convention(ctx: Ctx) -> None:
    """R20 / R. 162-99: a convention opérateur–exploitant covers the period's first day."""
    conv = ctx.situation.convention
    if not conv.covers(ctx.day):
        signed = conv.signed_on.isoformat() if conv.signed_on else "never"
        ctx.fail("prerequisite.convention", f"signed on: {signed}")


def certificate(ctx: Ctx) -> None:
    """R21: from 1 January 2024 the DMN holds a valid ANS certificate on the execution date."""
    if not ctx.param("dmn.certificat_ans_obligatoire", bool):
        return
    dmn = ctx.situation.dmn
    if not dmn.certified_on(ctx.day):
        ctx.fail("prerequisite.certificate", _certificate_span(dmn))
    elif dmn.certified_until is not None and dmn.certified_until < ctx.period.last_day:
        ctx.note("prerequisite.certificate_expires_in_period", _certificate_span(dmn))


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
    elif found.over_cap:
        ctx.note(
            "prescription.over_one_year",
            f"prescribed on {found.prescription.prescribed_on.isoformat()} "
            f"for {found.prescription.months} months",
        )


def pecan(ctx: Ctx) -> None:
    """R28 / L. 162-1-23: PECAN lasts one year, not renewable."""
    if not ctx.situation.prise_en_charge.pecan:
        return
    months = ctx.param("pecan.duree_mois", int)
    if ctx.period.number > months:
        ctx.fail("pecan.expired", f"PECAN covers {months} periods")


def death(ctx: Ctx) -> None:
    """R11: a period starting after the death is not due; the period of the death is due in full."""
    died = ctx.situation.patient.died_on
    if died is None:
        return
    if died < ctx.day:
        ctx.fail("patient.deceased", f"died on {died.isoformat()}")
    elif ctx.period.contains(died):
        ctx.note("patient.deceased_in_period", f"died on {died.isoformat()}")


def stop(ctx: Ctx) -> None:
    """B8: no period starting on or after the stop of monitoring is due."""
    stopped = ctx.situation.prise_en_charge.stopped_on
    if stopped is None:
        return
    if stopped <= ctx.day:
        ctx.fail("monitoring.stopped", f"stopped on {stopped.isoformat()}")
    elif ctx.period.contains(stopped):
        ctx.note("monitoring.stopped_in_period", f"stopped on {stopped.isoformat()}")


def esms(ctx: Ctx) -> None:
    """R26 / B12: EHPAD on global tariff with a GP or geriatrician: covered by the tariff."""
    op = ctx.situation.operateur
    if op.kind is not model.OperateurKind.ESMS_TARIF_GLOBAL:
        return
    included = ctx.param("esms.tarif_global_medecins_inclus", tuple[str, ...])
    if op.medecin is None:
        ctx.fail("esms.included_in_tariff", "the monitoring physician's specialty is not given")
    elif op.medecin in included:
        ctx.fail("esms.included_in_tariff", f"monitoring physician: {op.medecin}")


def observance(ctx: Ctx, days: int, expected: int, previous: tuple[int, int] | None) -> None:
    """R08–R10: zero data → not due; < 50 % in the previous period → not due; checkpoints."""
    share = ctx.param("observance.seuil_insuffisance", Decimal)
    ctx.param("observance.insuffisance_methode", str)
    minimum = share * expected
    if days == 0:
        ctx.fail("observance.zero_data")
    elif days < minimum:
        ctx.note("observance.insufficient_review", f"{days} of {expected} expected days")
    if previous is not None and previous[0] < share * previous[1]:
        ctx.fail(
            "observance.insufficient_previous",
            f"previous period: {previous[0]} of {previous[1]} expected days",
        )
    checkpoints = ctx.param("observance.points_de_controle_mois", tuple[int, ...])
    if ctx.period.number in checkpoints and days < minimum:
        ctx.note("observance.checkpoint", f"period {ctx.period.number}: {days} of {expected} days")
