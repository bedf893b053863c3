"""The catalogue of regulatory parameters: every name, its declared type and its Python type.

The loader refuses a data file the catalogue does not know and a catalogue entry with no file,
so the code and the data cannot drift apart silently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from telesurveillance.domain.regulation import records


class Indication(StrEnum):
    """The activities listed on the LATM (one billing stream per patient and indication)."""

    INSUFFISANCE_CARDIAQUE = "insuffisance_cardiaque"
    INSUFFISANCE_RENALE = "insuffisance_renale"
    INSUFFISANCE_RESPIRATOIRE = "insuffisance_respiratoire"
    DIABETE = "diabete"
    DIABETE_GESTATIONNEL = "diabete_gestationnel"
    PROTHESES_CARDIAQUES_IMPLANTABLES = "protheses_cardiaques_implantables"
    ONCOLOGIE = "oncologie"


class MajorationStart(StrEnum):
    """Methods for the first majorated period (named in `forfaits/operateur/majoration_debut`)."""

    #: new patient: from period 1; already monitored: from the period after the current one.
    NOUVEAU_PREMIERE_PERIODE_SINON_SUIVANTE = "nouveau_premiere_periode_sinon_suivante"


class TechniqueReferenceDay(StrEnum):
    """Methods for the day whose tariff applies to a period's forfait technique."""

    #: the period's execution date, i.e. its first day.
    DATE_D_EXECUTION = "date_d_execution"


class InsufficientDataMethod(StrEnum):
    """Methods for the consequence of a period with less than the minimum share of data."""

    #: no forfait for the following period (ministry guide); the deficient period is flagged.
    PERIODE_SUIVANTE = "periode_suivante"


class CountedData(StrEnum):
    """Methods for which readings count as the data of a prise en charge (issue 17)."""

    #: the data of the prise en charge's DMN, and the data of unknown sender (counted, flagged
    #: for review: manual entries and older data name no device); another device's: not.
    DMN_DE_LA_PRISE_EN_CHARGE = "dmn_de_la_prise_en_charge"


class RightsReferenceDay(StrEnum):
    """Methods for the day on which the patient's coverage rights are read."""

    DATE_DE_PRESCRIPTION = "date_de_prescription"


@dataclass(frozen=True, slots=True)
class Entry:
    """A catalogue entry: the type name written in the file and the Python type it becomes."""

    type_name: str
    python_type: Any


def _indication_entries() -> dict[str, Entry]:
    entries = {}
    for code in Indication:
        base = f"indications.{code.value}"
        entries[f"{base}.inscription"] = Entry("inscription", records.Inscription)
        entries[f"{base}.eligibilite"] = Entry("eligibilite", records.Eligibilite)
        entries[f"{base}.prescription"] = Entry("prescription", records.PrescriptionRules)
        entries[f"{base}.observance"] = Entry("observance", records.ObservanceRules)
        entries[f"{base}.majoration"] = Entry("majoration", records.MajorationRules)
    return entries


RULE_IDS = (
    "observance.zero_data",
    "observance.insufficient_previous",
    "observance.insufficient_review",
    "observance.checkpoint",
    "prerequisite.ars_declaration",
    "prerequisite.convention",
    "prerequisite.certificate",
    "prerequisite.certificate_expires_in_period",
    "prescription.not_covered",
    "prescription.over_one_year",
    "monitoring.stopped",
    "monitoring.stopped_in_period",
    "patient.deceased",
    "patient.deceased_in_period",
    "esms.included_in_tariff",
    "indication.not_listed",
    "regulation.not_in_force",
    "pecan.expired",
    "majoration.not_eligible",
    "majoration.not_in_force",
    "majoration.cap_reached",
    "technique.base_amount",
    "technique.amount_unknown",
    "eligibility.age",
    "eligibility.sex",
    "eligibility.criteria",
    "pecan.no_decision",
    "prescription.over_indication_maximum",
)

CATALOGUE: dict[str, Entry] = {
    "periodes.duree_jours": Entry("integer", int),
    "series.max_periodes": Entry("integer", int),
    "series.max_lignes_feuille_papier": Entry("integer", int),
    "forfaits.operateur.socle_niveau_1": Entry("forfait_operateur", records.ForfaitOperateurLevel),
    "forfaits.operateur.socle_niveau_2": Entry("forfait_operateur", records.ForfaitOperateurLevel),
    "forfaits.operateur.majoration_niveau_1": Entry("decimal", Decimal),
    "forfaits.operateur.majoration_niveau_2": Entry("decimal", Decimal),
    "forfaits.operateur.majoration_debut": Entry("method", MajorationStart),
    "forfaits.technique.montants_de_base": Entry("amounts_by_benefit", records.AmountsByBenefit),
    "forfaits.technique.planchers": Entry("amounts_by_benefit", records.AmountsByBenefit),
    "forfaits.technique.grille_file_active": Entry("file_active_grid", records.FileActiveGrid),
    "forfaits.technique.jour_de_reference": Entry("method", TechniqueReferenceDay),
    "remboursement.taux_amo": Entry("coverage_rates", records.CoverageRates),
    "remboursement.date_des_droits": Entry("method", RightsReferenceDay),
    "prescription.duree_maximale_mois": Entry("integer", int),
    "pecan.duree_mois": Entry("integer", int),
    "pecan.renouvelable": Entry("boolean", bool),
    "pecan.mention_ordonnance": Entry("text", str),
    "pecan.decisions": Entry("pecan_decisions", tuple[records.PecanDecision, ...]),
    "forfaits.technique.protheses_cardiaques_implantables": Entry(
        "tarif_semestriel", records.SemesterTariff
    ),
    "forfaits.technique.decote_protheses_ex_lpp": Entry("decimal", Decimal),
    "observance.seuil_insuffisance": Entry("decimal", Decimal),
    "observance.insuffisance_methode": Entry("method", InsufficientDataMethod),
    "observance.points_de_controle_mois": Entry("integer_list", tuple[int, ...]),
    "observance.donnees_comptees": Entry("method", CountedData),
    "dmn.certificat_ans_obligatoire": Entry("boolean", bool),
    "esms.tarif_global_medecins_inclus": Entry("text_list", tuple[str, ...]),
    **_indication_entries(),
    **{f"regles.{rule}": Entry("rule_text", records.RuleText) for rule in RULE_IDS},
}

#: LATM technical-forfait codes whose published amounts are kept per semester.
LATM_CODES = ("1612544", "1668102", "1659468", "1654962", "1694358")
for _code in LATM_CODES:
    CATALOGUE[f"forfaits.technique.codes.{_code}"] = Entry("money", records.Money)


def name_of(path: str) -> str:
    """`forfaits/operateur/socle_niveau_2.yaml` → `forfaits.operateur.socle_niveau_2`."""
    return path.removesuffix(".yaml").replace("/", ".")


def path_of(name: str) -> str:
    return name.replace(".", "/") + ".yaml"


def date_key(day: dt.date) -> str:
    return day.isoformat()
