"""Eligibility: the patient belongs to the population of the indication's listing.

One source of truth, the `eligibilite` parameter of each indication, read by two users:

- the inclusion (`check`): the physician attests the criteria of the chosen sub-population, as
  the listing words them — groups met when all (`all_of`) or at least one (`any_of`) of their
  members are — and that no exclusion applies; the platform checks the attestation meets the
  groups and computes itself what it can (age, sex);
- the billing engine (`out_of_bounds`), on the first day of every period: the same computable
  bounds, so a patient outside the listed population is not billed (rule `eligibility.age`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from telesurveillance.domain.pathway import refusals
from telesurveillance.domain.regulation import catalogue, records, store, timeline

Refused = refusals.Refused


@dataclass(frozen=True, slots=True)
class Attestation:
    """What the including physician states about the patient."""

    sous_population: str
    criteres: frozenset[str]
    #: exclusions of the listing that apply to the patient (normally none)
    exclusions: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class OutOfBounds:
    """A bound of the listed population the patient does not meet on a given day."""

    rule: str
    day: dt.date
    age: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    sexe: records.Sexe | None = None

    def message(self) -> str:
        """Plain English, for logs and refusals (care-team text comes from `billing.explain`)."""
        if self.rule == "eligibility.sex":
            assert self.sexe is not None
            return f"the listed population is {self.sexe.value} only"
        bounds = []
        if self.minimum is not None:
            bounds.append(f"at least {self.minimum}")
        if self.maximum is not None:
            bounds.append(f"at most {self.maximum}")
        return f"patient aged {self.age} on {self.day.isoformat()}, {' and '.join(bounds)} required"


def recorded_sex(value: str | None) -> records.Sexe | None:
    """The patient's recorded sex (FHIR administrative gender) as the listings read it: `male` or
    `female`; `other`, `unknown` or nothing is not checked against a one-sex population (the
    platform does not refuse what it cannot establish)."""
    if value is None:
        return None
    try:
        return records.Sexe(value)
    except ValueError:
        return None


def age_on(born_on: dt.date, day: dt.date) -> int:
    """Age in whole years on `day`."""
    before_birthday = (day.month, day.day) < (born_on.month, born_on.day)
    return day.year - born_on.year - int(before_birthday)


def out_of_bounds(
    population: records.Eligibilite,
    born_on: dt.date,
    day: dt.date,
    sex: records.Sexe | None = None,
) -> tuple[OutOfBounds, ...]:
    """The computable bounds of the listed population the patient misses on `day`: age in whole
    years against inclusive bounds; sex, when the population has one and the patient's is known."""
    found: list[OutOfBounds] = []
    low, high = population.age_minimum, population.age_maximum
    if low is not None or high is not None:
        age = age_on(born_on, day)
        if (low is not None and age < low) or (high is not None and age > high):
            found.append(OutOfBounds("eligibility.age", day, age=age, minimum=low, maximum=high))
    if population.sexe is not None and sex is not None and sex is not population.sexe:
        found.append(OutOfBounds("eligibility.sex", day, sexe=population.sexe))
    return tuple(found)


def unmet(conditions: records.Conditions, attested: Collection[str]) -> records.Conditions | None:
    """`None` when the attested criteria meet the group; otherwise the part still unmet (a
    criterion, or the group with only its unmet members)."""
    if conditions.critere is not None:
        return None if conditions.critere in attested else conditions
    if conditions.any_of:
        if any(unmet(child, attested) is None for child in conditions.any_of):
            return None
        return conditions
    missing = tuple(m for child in conditions.all_of if (m := unmet(child, attested)) is not None)
    if not missing:
        return None
    return missing[0] if len(missing) == 1 else records.Conditions(all_of=missing)


def describe(conditions: records.Conditions, one_of: str = "one of") -> str:
    """The listing's words for a (possibly unmet) group: "A", "one of: A | B", "A + B"."""
    if conditions.critere is not None:
        return conditions.critere
    if conditions.any_of:
        return f"{one_of}: " + " | ".join(_nested(c, one_of) for c in conditions.any_of)
    return " + ".join(_nested(c, one_of) for c in conditions.all_of)


def _nested(conditions: records.Conditions, one_of: str) -> str:
    text = describe(conditions, one_of)
    return text if conditions.critere is not None else f"({text})"


def _in_force(
    regulation: store.Regulation, indication: catalogue.Indication, day: dt.date
) -> timeline.Dated[records.Eligibilite]:
    """The listed population on `day`, or `Refused` when the activity has none yet."""
    dated = regulation.indication(indication, "eligibilite", records.Eligibilite).get(day)
    if dated is None:
        rule = "indication.not_listed"
        raise Refused(
            rule,
            f"no eligibility criteria in force for {indication.value} on {day.isoformat()}",
            refusals.rule_cite(regulation, rule, day),
        )
    return dated


def check(
    regulation: store.Regulation,
    indication: catalogue.Indication,
    attestation: Attestation,
    born_on: dt.date,
    day: dt.date,
    sex: records.Sexe | None = None,
) -> records.SubPopulation:
    """The sub-population the patient is included in, or `Refused` with the listing's text."""
    dated = _in_force(regulation, indication, day)
    found = dated.value
    cite = refusals.cite_of(dated)
    groups = {g.id: g for g in found.sous_populations}
    group = groups.get(attestation.sous_population)
    if group is None:
        raise Refused(
            "eligibility.sub_population",
            f"{attestation.sous_population!r} is not a sub-population of {indication.value} "
            f"(one of: {', '.join(sorted(groups))})",
            cite,
        )
    missing = unmet(group.conditions, attestation.criteres)
    if missing is not None:
        raise Refused(
            "eligibility.criteria",
            f"{group.libelle}: criterion not attested: {describe(missing)}",
            cite,
        )
    excluded = sorted(attestation.exclusions & set(found.exclusions))
    if excluded:
        raise Refused("eligibility.exclusion", f"exclusion applies: {excluded[0]}", cite)
    for bound in out_of_bounds(found, born_on, day, sex):
        raise Refused(bound.rule, f"{group.libelle}: {bound.message()}", cite)
    return group
