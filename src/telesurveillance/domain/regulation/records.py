"""Typed shapes of the structured regulatory parameters (the YAML `value:` of a record)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Money(Decimal):
    """An amount in euros with exactly two decimals, written as a string in YAML ("28.00")."""


class Benefit(StrEnum):
    """Expected benefit (intérêt attendu) recognised by a DMN's listing: sets the base amount."""

    ORGANISATIONNEL = "organisationnel"
    QUALITE_DE_VIE = "qualite_de_vie"
    MORBIDITE = "morbidite"
    MORTALITE = "mortalite"


class ListingMode(StrEnum):
    """How an activity is listed on the LATM (art. R. 162-73 CSS), or covered under PECAN."""

    GENERIQUE = "generique"
    NOM_DE_MARQUE = "nom_de_marque"
    PECAN = "pecan"


class TechniqueTariff(StrEnum):
    """Where the forfait technique of an activity comes from."""

    #: the common grid of the arrêté du 16 mai 2023 (base amount by expected benefit).
    GRILLE = "grille"
    #: a derogatory arrêté sets the amount (e.g. implantable cardiac prostheses).
    DEROGATOIRE = "derogatoire"
    #: under PECAN the exploitant receives the compensation financière of the PECAN arrêté.
    COMPENSATION_PECAN = "compensation_pecan"


class Sexe(StrEnum):
    """A population restricted to one sex (FHIR administrative-gender codes)."""

    FEMININ = "female"
    MASCULIN = "male"


@dataclass(frozen=True, slots=True)
class ForfaitOperateurLevel:
    """A forfait opérateur level: its billing code (lettre-clé), its amount at coefficient 1."""

    code: str
    montant: Money


@dataclass(frozen=True, slots=True)
class AmountsByBenefit:
    """One amount per expected-benefit level."""

    organisationnel: Money
    qualite_de_vie: Money
    morbidite: Money
    mortalite: Money

    def of(self, benefit: Benefit) -> Money:
        amount: Money = getattr(self, benefit.value)
        return amount


@dataclass(frozen=True, slots=True)
class FileActiveTier:
    """One tier of the file-active grid; unknown amounts are absent (never guessed)."""

    de: int
    a: int | None
    organisationnel: Money | None = None
    qualite_de_vie: Money | None = None
    morbidite: Money | None = None
    mortalite: Money | None = None


@dataclass(frozen=True, slots=True)
class FileActiveGrid:
    """The file-active modulation grid, as far as it is known (revenue simulator only)."""

    lecture: str
    paliers: tuple[FileActiveTier, ...]


@dataclass(frozen=True, slots=True)
class CoverageRates:
    """AMO share by coverage; the rest (ticket modérateur) is `1 - rate`."""

    standard: Decimal
    ald: Decimal


@dataclass(frozen=True, slots=True)
class Conditions:
    """A node of a listing's eligibility criteria, as the listing text words it: one criterion
    (`critere`, attested by the physician), or a group met when all (`all_of`) or at least one
    (`any_of`) of its members are. Exactly one of the three is given."""

    critere: str | None = None
    any_of: tuple[Conditions, ...] = ()
    all_of: tuple[Conditions, ...] = ()

    def __post_init__(self) -> None:
        given = [k for k in ("critere", "any_of", "all_of") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError(
                f"a condition is exactly one of critere, any_of, all_of (got {given or 'none'})"
            )
        if self.critere is not None and not self.critere.strip():
            raise ValueError("a criterion needs its wording")

    def leaves(self) -> tuple[str, ...]:
        """Every criterion's wording, in the listing's order."""
        if self.critere is not None:
            return (self.critere,)
        return tuple(text for child in (*self.any_of, *self.all_of) for text in child.leaves())


@dataclass(frozen=True, slots=True)
class SubPopulation:
    """A group of eligible patients within an indication, with its listing criteria."""

    id: str
    libelle: str
    conditions: Conditions
    donnees_requises: tuple[str, ...]

    @property
    def criteres(self) -> tuple[str, ...]:
        """The wording of every criterion of the group (what a physician may attest)."""
        return self.conditions.leaves()


@dataclass(frozen=True, slots=True)
class Inscription:
    """How an indication is listed: mode, forfait opérateur level, LATM codes, technique tariff."""

    libelle: str
    libelle_en: str
    mode: ListingMode
    niveau_forfait_operateur: int
    codes_latm: tuple[str, ...]
    forfait_technique: TechniqueTariff


@dataclass(frozen=True, slots=True)
class Eligibilite:
    """Who may be included: sub-populations (the patient belongs to one of them), exclusions,
    and the bounds of the listing's population that the platform computes itself, at inclusion
    and again on every billed period: age in whole years (inclusive bounds) and sex."""

    sous_populations: tuple[SubPopulation, ...]
    exclusions: tuple[str, ...]
    age_minimum: int | None = None
    age_maximum: int | None = None
    sexe: Sexe | None = None

    def __post_init__(self) -> None:
        if not self.sous_populations:
            raise ValueError("at least one sub-population")
        low, high = self.age_minimum, self.age_maximum
        if low is not None and high is not None and low > high:
            raise ValueError(f"age_minimum {low} is above age_maximum {high}")


@dataclass(frozen=True, slots=True)
class PecanDecision:
    """A PECAN decision (arrêté, art. L. 162-1-23 CSS): the activity it covers, from which day.
    Its year runs from `debut`; the operator forfait level is the one the opérateur bills."""

    id: str
    indication: str
    libelle: str
    libelle_en: str
    arrete: str
    debut: dt.date
    niveau_forfait_operateur: int

    def inscription(self) -> Inscription:
        """What the engine bills under the decision, in place of a LATM listing."""
        return Inscription(
            libelle=self.libelle,
            libelle_en=self.libelle_en,
            mode=ListingMode.PECAN,
            niveau_forfait_operateur=self.niveau_forfait_operateur,
            codes_latm=(),
            forfait_technique=TechniqueTariff.COMPENSATION_PECAN,
        )


@dataclass(frozen=True, slots=True)
class SemesterTariff:
    """A forfait technique set per patient and per semester (derogatory tariff of implantable
    cardiac prostheses); amounts not read in the official text stay absent."""

    periodicite_mois: int
    montant_semestriel: Money | None = None
    montant_semestriel_minimal: Money | None = None
    tranches_file_active: int | None = None


@dataclass(frozen=True, slots=True)
class PrescriptionRules:
    """Who prescribes, for how long, with which trial month and therapeutic support."""

    prescripteurs: tuple[str, ...]
    duree_min_mois: int
    duree_max_mois: int
    renouvelable: bool
    periode_essai_mois: int
    accompagnement_obligatoire_mois: int
    accompagnement: str


@dataclass(frozen=True, slots=True)
class ObservanceRules:
    """What "effective use" means: the data to transmit and how it is counted per period."""

    donnees_minimales: str
    frequence_transmission: str
    #: denominator of the 50 % rule: days with the required data expected in a 30-day period.
    jours_attendus_par_periode: int
    mesure: str


@dataclass(frozen=True, slots=True)
class MajorationRules:
    """Whether complex patients may be billed a majorated forfait, and the uninterrupted cap."""

    eligible: bool
    periodes_consecutives_max: int
    renouvellements: int
    criteres: tuple[str, ...]

    @property
    def max_periods(self) -> int:
        return self.periodes_consecutives_max * (1 + self.renouvellements)


@dataclass(frozen=True, slots=True)
class RuleText:
    """The wording of a billing rule, in French and English, shown next to a verdict."""

    texte: str
    text_en: str
