"""Majorated forfaits (complex patients): eligibility, attestation, uninterrupted caps.

Arrêté du 21 décembre 2023 (art. 2 of the arrêté du 16 mai 2023 modified): heart failure 6 months
renewable once, diabetes 3 months renewable once, then back to the base forfait. Until the
clinical criteria are encoded the level is attested by a physician, with the criterion recorded.
One attestation covers at most the cap (in 30-day periods); an attestation starting the day the
previous one ends continues the same uninterrupted run and counts as its renewal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from telesurveillance.domain.billing import model
from telesurveillance.domain.pathway import refusals
from telesurveillance.domain.regulation import catalogue, records, store

Refused = refusals.Refused


def check(
    regulation: store.Regulation,
    indication: catalogue.Indication,
    level: int,
    since: dt.date,
    until: dt.date | None,
    *,
    attested_by_profession: str,
    criterion: str,
    previous: Sequence[model.Majoration],
) -> dt.date:
    """The attestation's end (given, or the cap), or `Refused` naming the rule and its text."""
    dated = regulation.indication(indication, "majoration", records.MajorationRules).get(since)
    if dated is None:
        rule = "majoration.not_in_force"
        raise Refused(
            rule,
            f"no majoration rule in force for {indication.value} on {since.isoformat()}",
            refusals.rule_cite(regulation, rule, since),
        )
    found, cite = dated.value, refusals.cite_of(dated)
    if not found.eligible:
        raise Refused(
            "majoration.not_eligible",
            f"{indication.value}: no majorated forfait on {since.isoformat()}",
            refusals.rule_cite(regulation, "majoration.not_eligible", since),
        )
    if level not in (model.MajorationLevel.NIVEAU_1, model.MajorationLevel.NIVEAU_2):
        raise Refused("majoration.level", f"level {level}: only 1 or 2 exist", cite)
    if attested_by_profession != "medecin":
        raise Refused(
            "majoration.attestation",
            f"a {attested_by_profession} cannot attest a majoration: the physician does",
            cite,
        )
    if not criterion.strip():
        raise Refused("majoration.criterion", "the eligibility criterion must be recorded", cite)
    days = regulation.get("periodes.duree_jours", int).at_or_first(since).value
    longest = since + dt.timedelta(days=days * found.periodes_consecutives_max)
    end = until if until is not None else longest
    if end <= since:
        raise Refused("majoration.dates", "the majoration must end after it starts", cite)
    if end > longest:
        raise Refused(
            "majoration.cap_reached",
            f"one attestation covers at most {found.periodes_consecutives_max} periods "
            f"(until {longest.isoformat()})",
            refusals.rule_cite(regulation, "majoration.cap_reached", since),
        )
    for m in previous:
        if m.since < end and (m.until is None or since < m.until):
            raise Refused(
                "majoration.overlap",
                f"overlaps the majoration from {m.since.isoformat()}",
                cite,
            )
    run = _run_before(previous, since)
    if run >= 1 + found.renouvellements:
        raise Refused(
            "majoration.cap_reached",
            f"the uninterrupted majoration was already renewed {found.renouvellements} time(s)",
            refusals.rule_cite(regulation, "majoration.cap_reached", since),
        )
    return end


def _run_before(previous: Sequence[model.Majoration], since: dt.date) -> int:
    """How many attestations chain without interruption up to `since`."""
    by_end = {m.until: m for m in previous if m.until is not None}
    count, cursor = 0, since
    while cursor in by_end:
        count += 1
        cursor = by_end[cursor].since
    return count
