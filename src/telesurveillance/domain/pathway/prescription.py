"""Prescription rules: who prescribes, for how long, renewal window, trial month, PECAN.

One month of prescription is one 30-day billing period, as in the billing engine
(`domain.billing.coverage`): the end of coverage computed here is the day the billing engine
stops covering periods, so a renewal task and a refused period agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from telesurveillance.domain.billing import coverage, model
from telesurveillance.domain.pathway import refusals
from telesurveillance.domain.regulation import catalogue, records, store

Refused = refusals.Refused

#: The renewal opens this many days before the end of the current coverage. No text fixes it:
#: project choice (issue 4 "e.g. from 15 days before the end"), documented in docs/care-pathway.md.
RENEWAL_WINDOW_DAYS = 15


def rules(
    regulation: store.Regulation, indication: catalogue.Indication, day: dt.date
) -> tuple[records.PrescriptionRules, str]:
    dated = regulation.indication(
        indication, "prescription", records.PrescriptionRules
    ).at_or_first(day)
    return dated.value, refusals.cite_of(dated)


def require_prescriber(
    regulation: store.Regulation,
    indication: catalogue.Indication,
    day: dt.date,
    profession: str,
    speciality: str | None,
) -> None:
    """Any physician within the qualifications the listing sets (art. R. 162-100 CSS)."""
    found, cite = rules(regulation, indication, day)
    if profession != "medecin":
        raise Refused(
            "prescription.prescriber_not_physician",
            f"a {profession} cannot prescribe telemonitoring: physicians only",
            cite,
        )
    if speciality not in found.prescripteurs:
        raise Refused(
            "prescription.prescriber_qualification",
            f"{indication.value}: a {speciality or 'physician without speciality'} cannot "
            f"prescribe (qualified: {', '.join(found.prescripteurs)})",
            cite,
        )


def require_duration(
    regulation: store.Regulation, indication: catalogue.Indication, day: dt.date, months: int
) -> None:
    """Within the indication's limits, and never more than one year (art. R. 162-100 CSS)."""
    cap = regulation.get("prescription.duree_maximale_mois", int).at_or_first(day).value
    if months > cap:
        rule = "prescription.over_one_year"
        raise Refused(
            rule,
            f"a prescription of {months} months exceeds one year ({cap} months)",
            refusals.rule_cite(regulation, rule, day),
        )
    found, cite = rules(regulation, indication, day)
    if not found.duree_min_mois <= months <= found.duree_max_mois:
        raise Refused(
            "prescription.duration",
            f"{indication.value}: {months} months is outside "
            f"{found.duree_min_mois} to {found.duree_max_mois} months",
            cite,
        )


def _indication_max(
    regulation: store.Regulation, indication: catalogue.Indication | None, starts_on: dt.date
) -> int | None:
    if indication is None:
        return None
    return rules(regulation, indication, starts_on)[0].duree_max_mois


def coverage_end(
    regulation: store.Regulation,
    starts_on: dt.date,
    prescriptions: Sequence[model.Prescription],
    indication: catalogue.Indication | None = None,
) -> dt.date | None:
    """The first day no prescription covers any more (None: no prescription). With the
    `indication`, a prescription covers at most its indication's maximum, as billing reads it."""
    if not prescriptions:
        return None
    days = regulation.get("periodes.duree_jours", int).at_or_first(starts_on).value
    cap = regulation.get("prescription.duree_maximale_mois", int).at_or_first(starts_on).value
    ordered = tuple(sorted(prescriptions, key=lambda p: p.prescribed_on))
    limit = _indication_max(regulation, indication, starts_on)
    covered = coverage.covered_periods(starts_on, ordered, days, cap, limit)
    if not covered:
        return None
    return starts_on + dt.timedelta(days=days * max(covered))


def covered_from(
    regulation: store.Regulation,
    starts_on: dt.date,
    prescriptions: Sequence[model.Prescription],
    target: model.Prescription,
    indication: catalogue.Indication | None = None,
) -> dt.date | None:
    """The first day `target` (one of `prescriptions`, by identity) covers, as billing reads it:
    a renewal continues right after the coverage before it."""
    days = regulation.get("periodes.duree_jours", int).at_or_first(starts_on).value
    cap = regulation.get("prescription.duree_maximale_mois", int).at_or_first(starts_on).value
    ordered = tuple(sorted(prescriptions, key=lambda p: p.prescribed_on))
    limit = _indication_max(regulation, indication, starts_on)
    covered = coverage.covered_periods(starts_on, ordered, days, cap, limit)
    numbers = [n for n, c in covered.items() if c.prescription is target]
    if not numbers:
        return None
    return starts_on + dt.timedelta(days=days * (min(numbers) - 1))


def covered_spans(
    regulation: store.Regulation,
    starts_on: dt.date,
    prescriptions: Sequence[model.Prescription],
    indication: catalogue.Indication | None = None,
) -> tuple[tuple[dt.date, dt.date] | None, ...]:
    """For each of `prescriptions` (in the order given), the days `[first, end)` it covers as
    billing reads it — after the coverage before it, at most its indication's maximum — or
    None when it covers no period (e.g. written after a later one already covered them)."""
    days = regulation.get("periodes.duree_jours", int).at_or_first(starts_on).value
    cap = regulation.get("prescription.duree_maximale_mois", int).at_or_first(starts_on).value
    ordered = tuple(sorted(prescriptions, key=lambda p: p.prescribed_on))
    limit = _indication_max(regulation, indication, starts_on)
    covered = coverage.covered_periods(starts_on, ordered, days, cap, limit)
    out: list[tuple[dt.date, dt.date] | None] = []
    for target in prescriptions:
        numbers = [n for n, c in covered.items() if c.prescription is target]
        if not numbers:
            out.append(None)
            continue
        first = starts_on + dt.timedelta(days=days * (min(numbers) - 1))
        out.append((first, starts_on + dt.timedelta(days=days * max(numbers))))
    return tuple(out)


def renewal_opens_on(end: dt.date) -> dt.date:
    return end - dt.timedelta(days=RENEWAL_WINDOW_DAYS)


def require_renewal(
    regulation: store.Regulation,
    indication: catalogue.Indication,
    end: dt.date | None,
    day: dt.date,
    *,
    pecan: bool,
    months_so_far: int,
    months: int,
) -> None:
    """A renewal: the listing allows it, the window is open, PECAN is not renewable."""
    found, cite = rules(regulation, indication, day)
    if end is None:
        raise Refused(
            "prescription.renewal_without_initial",
            "nothing to renew: no initial prescription",
            refusals.PROJECT_CHOICE,
        )
    if not found.renouvelable:
        raise Refused("prescription.not_renewable", f"{indication.value}: not renewable", cite)
    if pecan:
        limit = regulation.get("pecan.duree_mois", int).at_or_first(day)
        renewable = regulation.get("pecan.renouvelable", bool).at_or_first(day)
        if not renewable.value and months_so_far + months > limit.value:
            raise Refused(
                "pecan.expired",
                f"PECAN lasts {limit.value} months and is not renewable",
                refusals.cite_of(renewable),
            )
    opens = renewal_opens_on(end)
    if day < opens:
        raise Refused(
            "prescription.renewal_window",
            f"renewal opens on {opens.isoformat()} ({RENEWAL_WINDOW_DAYS} days before the end "
            f"of coverage on {end.isoformat()})",
            refusals.PROJECT_CHOICE,
        )


def trial_ends_on(
    regulation: store.Regulation, indication: catalogue.Indication, starts_on: dt.date
) -> dt.date | None:
    """End of the first prescription's trial month, where the listing has one (diabetes)."""
    found, _ = rules(regulation, indication, starts_on)
    if found.periode_essai_mois <= 0:
        return None
    days = regulation.get("periodes.duree_jours", int).at_or_first(starts_on).value
    return starts_on + dt.timedelta(days=days * found.periode_essai_mois)


def pecan_mention(regulation: store.Regulation, day: dt.date) -> str:
    """The mention the ordonnance carries under PECAN (arrêtés du 25 octobre 2023)."""
    return regulation.get("pecan.mention_ordonnance", str).at_or_first(day).value
