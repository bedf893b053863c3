"""Typed shapes of the structured regulatory parameters (the YAML `value:` of a record)."""

from __future__ import annotations

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
class SubPopulation:
    """A group of eligible patients within an indication, with its listing criteria."""

    id: str
    libelle: str
    criteres: tuple[str, ...]
    donnees_requises: tuple[str, ...]


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
    """Who may be included: sub-populations and exclusions."""

    sous_populations: tuple[SubPopulation, ...]
    exclusions: tuple[str, ...]


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
