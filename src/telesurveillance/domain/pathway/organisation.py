"""Prerequisites on the organisation side: ARS declaration, convention, DMN certificate, listing.

Each check raises `refusals.Refused` naming the billing rule it anticipates (the same ids as the
billing engine, `domain.billing.rules`), so a refusal at inclusion time and a refused period in a
billing run read the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from telesurveillance.domain.billing import model
from telesurveillance.domain.pathway import refusals
from telesurveillance.domain.regulation import catalogue, records, store

Refused = refusals.Refused


def require_ars_declaration(
    regulation: store.Regulation, declared_on: dt.date | None, day: dt.date
) -> None:
    """L. 162-51 / R. 162-105 CSS: the ARS receipt opens the right to bill; none yet on `day`."""
    if declared_on is None or declared_on > day:
        rule = "prerequisite.ars_declaration"
        shown = "" if declared_on is None else f" (receipt dated {declared_on.isoformat()})"
        raise Refused(
            rule,
            f"no ARS declaration on {day.isoformat()}{shown}: billing impossible",
            refusals.rule_cite(regulation, rule, day),
        )


def require_convention(
    regulation: store.Regulation, conventions: Iterable[model.Convention], day: dt.date
) -> model.Convention:
    """R. 162-99 CSS: a convention opérateur–exploitant covers `day` (`[signed_on, ends_on)`)."""
    for convention in conventions:
        if convention.covers(day):
            return convention
    rule = "prerequisite.convention"
    raise Refused(
        rule,
        f"no convention between the opérateur and the exploitant covers {day.isoformat()}",
        refusals.rule_cite(regulation, rule, day),
    )


def require_certificate(regulation: store.Regulation, dmn: model.Dmn, day: dt.date) -> None:
    """Décret 2022-1767 art. 3: from 2024-01-01 only DMN with a valid ANS certificate count."""
    required = regulation.get("dmn.certificat_ans_obligatoire", bool).at_or_first(day)
    if not required.value or dmn.certified_on(day):
        return
    since = dmn.certified_from.isoformat() if dmn.certified_from else "none"
    until = dmn.certified_until.isoformat() if dmn.certified_until else "open"
    rule = "prerequisite.certificate"
    raise Refused(
        rule,
        f"DMN {dmn.name}: no valid ANS certificate on {day.isoformat()} "
        f"(certificate {since} to {until})",
        refusals.rule_cite(regulation, rule, day),
    )


def require_listed(
    regulation: store.Regulation, indication: catalogue.Indication, day: dt.date
) -> records.Inscription:
    """L. 162-52 CSS: the activity is on the LATM on `day`."""
    dated = regulation.indication(indication, "inscription", records.Inscription).get(day)
    if dated is None:
        rule = "indication.not_listed"
        raise Refused(
            rule,
            f"{indication.value} is not listed on the LATM on {day.isoformat()}",
            refusals.rule_cite(regulation, rule, day),
        )
    return dated.value


def require_dmn_for(
    regulation: store.Regulation,
    dmn_name: str,
    dmn_indication: str | None,
    indication: catalogue.Indication,
    day: dt.date,
) -> None:
    """The DMN is listed for this activity (its line or brand name names the indication)."""
    if dmn_indication is not None and dmn_indication != indication.value:
        dated = regulation.indication(indication, "inscription", records.Inscription).at_or_first(
            day
        )
        raise Refused(
            "indication.dmn_mismatch",
            f"DMN {dmn_name} is listed for {dmn_indication}, not {indication.value}",
            refusals.cite_of(dated),
        )
