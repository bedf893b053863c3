"""Inclusion: the patient belongs to a sub-population of the indication's listing.

The listing's criteria are clinical statements (`eligibilite` parameter): the physician attests
each criterion of the chosen sub-population and that no exclusion applies; the platform checks
the attestation is complete and the ages it can check itself (an "18 ans" criterion).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass

from telesurveillance.domain.pathway import refusals
from telesurveillance.domain.regulation import catalogue, records, store

Refused = refusals.Refused

_ADULT = re.compile(r"(?:plus de|ou plus|≥)\s*(\d+)\s*ans|(\d+)\s*ans ou plus", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Attestation:
    """What the including physician states about the patient."""

    sous_population: str
    criteres: frozenset[str]
    #: exclusions of the listing that apply to the patient (normally none)
    exclusions: frozenset[str] = frozenset()


def age_on(born_on: dt.date, day: dt.date) -> int:
    """Age in whole years on `day`."""
    before_birthday = (day.month, day.day) < (born_on.month, born_on.day)
    return day.year - born_on.year - int(before_birthday)


def minimum_age(criteres: Collection[str]) -> int | None:
    """The minimum age stated by a criterion ("18 ans ou plus", "Plus de 18 ans"), if any."""
    for text in criteres:
        match = _ADULT.search(text)
        if match:
            return int(match.group(1) or match.group(2))
    return None


def check(
    regulation: store.Regulation,
    indication: catalogue.Indication,
    attestation: Attestation,
    born_on: dt.date,
    day: dt.date,
) -> records.SubPopulation:
    """The sub-population the patient is included in, or `Refused` with the listing's text."""
    dated = regulation.indication(indication, "eligibilite", records.Eligibilite).get(day)
    if dated is None:
        rule = "indication.not_listed"
        raise Refused(
            rule,
            f"no eligibility criteria in force for {indication.value} on {day.isoformat()}",
            refusals.rule_cite(regulation, rule, day),
        )
    cite = refusals.cite_of(dated)
    groups = {g.id: g for g in dated.value.sous_populations}
    group = groups.get(attestation.sous_population)
    if group is None:
        raise Refused(
            "eligibility.sub_population",
            f"{attestation.sous_population!r} is not a sub-population of {indication.value} "
            f"(one of: {', '.join(sorted(groups))})",
            cite,
        )
    missing = [c for c in group.criteres if c not in attestation.criteres]
    if missing:
        raise Refused(
            "eligibility.criteria",
            f"{group.libelle}: criterion not attested: {missing[0]}",
            cite,
        )
    excluded = sorted(attestation.exclusions & set(dated.value.exclusions))
    if excluded:
        raise Refused("eligibility.exclusion", f"exclusion applies: {excluded[0]}", cite)
    minimum = minimum_age(group.criteres)
    if minimum is not None and age_on(born_on, day) < minimum:
        raise Refused(
            "eligibility.age",
            f"{group.libelle}: patient aged {age_on(born_on, day)}, at least {minimum} required",
            cite,
        )
    return group
