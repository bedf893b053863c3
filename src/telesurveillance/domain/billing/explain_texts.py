"""The sentences of the explanations, per rule id (and variant), in French and English.

A template names the facts a rule records (`verdict.Reason.facts`) between braces; derived
values (`observance`, `*_text`, `*_last`) are prepared by `explain`. The legal wording of each
rule stays in the regulation data (`regles.*`); these are the care team's sentences about one
period, with its days and amounts. Every template exists in both languages (a test checks it).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from telesurveillance.domain.billing import verdict

#: rule id or "rule:variant" → (French, English)
SENTENCES: Final[dict[str, tuple[str, str]]] = {
    # --- blocking rules --------------------------------------------------------------------
    "indication.not_listed": (
        "l'activité « {indication} » n'est pas inscrite sur la liste des activités de "
        "télésurveillance (LATM) au {day}",
        "the activity “{indication}” is not on the list of telemonitoring activities (LATM) "
        "on {day}",
    ),
    "regulation.not_in_force": (
        "aucune règle du droit commun de la télésurveillance n'est en vigueur au {day}",
        "no common-law telemonitoring rule is in force on {day}",
    ),
    "pecan.no_decision": (
        "aucune décision de prise en charge anticipée (PECAN) ne couvre l'activité "
        "« {indication} » au {day}",
        "no early-coverage (PECAN) decision covers the activity “{indication}” on {day}",
    ),
    "pecan.expired:year": (
        "l'année de prise en charge anticipée (PECAN) ouverte le {decided} s'est achevée "
        "le {ended_last}",
        "the early-coverage (PECAN) year opened on {decided} ended on {ended_last}",
    ),
    "pecan.expired:periods": (
        "la prise en charge anticipée (PECAN) couvre au plus {months_text}, sans renouvellement",
        "early coverage (PECAN) covers {months_text} at most, without renewal",
    ),
    "eligibility.age:min": (
        "patient âgé de {age_text} au {day}, alors que la liste exige au moins {minimum_text}",
        "the patient is {age_text} on {day}, while the listing requires at least {minimum_text}",
    ),
    "eligibility.age:max": (
        "patient âgé de {age_text} au {day}, alors que la liste exige au plus {maximum_text}",
        "the patient is {age_text} on {day}, while the listing allows at most {maximum_text}",
    ),
    "eligibility.sex": (
        "la population inscrite est {sexe} et le sexe enregistré du patient ne l'est pas",
        "the listed population is {sexe} only and the patient's recorded sex is not",
    ),
    "eligibility.criteria:unmet": (
        "les critères attestés pour « {libelle} » ne remplissent pas ceux de la liste ; "
        "il manque : {missing_fr}",
        "the criteria attested for “{libelle}” do not meet the listing's; missing: {missing_en}",
    ),
    "eligibility.criteria:unknown_group": (
        "le groupe de patients attesté à l'inclusion ne figure pas dans la liste en vigueur "
        "pour cette activité",
        "the patient group attested at inclusion is not in the listing in force for this activity",
    ),
    "prerequisite.ars_declaration:none": (
        "aucun récépissé de déclaration de l'activité à l'ARS",
        "no receipt of the activity's declaration to the ARS",
    ),
    "prerequisite.ars_declaration:late": (
        "récépissé de déclaration à l'ARS daté du {declared}, après le début de la période ({day})",
        "ARS declaration receipt dated {declared}, after the period began ({day})",
    ),
    "prerequisite.convention:none": (
        "aucune convention signée entre l'opérateur et l'exploitant",
        "no convention signed between the opérateur and the exploitant",
    ),
    "prerequisite.convention:late": (
        "convention entre l'opérateur et l'exploitant signée le {signed}, après le début de la "
        "période ({day})",
        "convention between the opérateur and the exploitant signed on {signed}, after the "
        "period began ({day})",
    ),
    "prerequisite.convention:ended": (
        "la convention entre l'opérateur et l'exploitant ne couvre plus les jours à partir du "
        "{ends}",
        "the convention between the opérateur and the exploitant no longer covers days from {ends}",
    ),
    "prerequisite.certificate:none": (
        "le DMN n'a pas de certificat de conformité de l'ANS",
        "the DMN has no ANS conformity certificate",
    ),
    "prerequisite.certificate:not_yet": (
        "le certificat de conformité ANS du DMN n'est valable qu'à partir du {since}",
        "the DMN's ANS conformity certificate is only valid from {since}",
    ),
    "prerequisite.certificate:expired": (
        "le certificat de conformité ANS du DMN n'était valable que jusqu'au {until}",
        "the DMN's ANS conformity certificate was only valid until {until}",
    ),
    "prescription.not_covered": (
        "aucune prescription ne couvre cette période (durée prescrite, renouvellements, durée "
        "maximale de l'indication, un an au plus)",
        "no prescription covers this period (prescribed duration, renewals, the indication's "
        "maximum, one year at most)",
    ),
    "patient.deceased": (
        "la période commence après le décès du patient ({died})",
        "the period starts after the patient's death ({died})",
    ),
    "monitoring.stopped": (
        "la télésurveillance a été arrêtée le {stopped}, au plus tard le premier jour de la "
        "période",
        "monitoring was stopped on {stopped}, no later than the period's first day",
    ),
    "esms.included_in_tariff:physician": (
        "EHPAD au tarif global, télésurveillance assurée par un {medecin} : comprise dans le "
        "tarif de l'établissement",
        "nursing home (EHPAD) on global tariff, monitored by a {medecin}: included in the "
        "home's tariff",
    ),
    "esms.included_in_tariff:unknown": (
        "EHPAD au tarif global et spécialité du médecin de télésurveillance non renseignée : "
        "réputée comprise dans le tarif de l'établissement",
        "nursing home (EHPAD) on global tariff and the monitoring physician's specialty is not "
        "given: deemed included in the home's tariff",
    ),
    "observance.zero_data": (
        "aucune donnée transmise pendant la période",
        "no data transmitted during the period",
    ),
    "observance.insufficient_previous": (
        "la période précédente n'a compté que {observance} : données insuffisantes",
        "the previous period had only {observance}: insufficient data",
    ),
    # --- notes -----------------------------------------------------------------------------
    "observance.insufficient_review": (
        "{observance} : données insuffisantes, la période suivante ne sera pas facturable ; "
        "période à revoir (l'art. R. 162-97 III peut être lu comme refusant la période "
        "elle-même)",
        "{observance}: insufficient data, the following period will not be billable; to review "
        "(art. R. 162-97 III may be read as refusing this period itself)",
    ),
    "observance.checkpoint": (
        "point d'adhésion à {period_text} : {observance} ; l'adhésion du patient est à réévaluer",
        "adherence checkpoint at {period_text}: {observance}; the patient's adherence is to be "
        "reassessed",
    ),
    "prerequisite.certificate_expires_in_period": (
        "le certificat de conformité ANS du DMN expire pendant la période (valable jusqu'au "
        "{until}) : à renouveler",
        "the DMN's ANS conformity certificate expires during the period (valid until {until}): "
        "to renew",
    ),
    "prescription.over_indication_maximum": (
        "prescription du {prescribed} rédigée pour {months_text} : au-delà de la durée maximale "
        "de l'indication, seuls {maximum_text} sont couverts",
        "prescription of {prescribed} written for {months_text}: beyond the indication's "
        "maximum, only {maximum_text} are covered",
    ),
    "prescription.over_one_year": (
        "prescription du {prescribed} rédigée pour {months_text} : plus d'un an n'est pas "
        "conforme, la couverture s'arrête à un an",
        "prescription of {prescribed} written for {months_text}: more than a year is not "
        "compliant, coverage stops at one year",
    ),
    "patient.deceased_in_period": (
        "décès du patient le {died}, pendant la période : le forfait de la période est dû en "
        "entier",
        "the patient died on {died}, during the period: the period's forfait is due in full",
    ),
    "monitoring.stopped_in_period": (
        "télésurveillance arrêtée le {stopped}, pendant la période : période due si "
        "l'utilisation effective est établie, à revoir",
        "monitoring stopped on {stopped}, during the period: due if effective use is shown, to "
        "review",
    ),
    "majoration.not_eligible:level": (
        "forfait majoré de niveau {level} attesté, mais les majorations ne s'appliquent qu'au "
        "forfait opérateur de niveau 2 : coefficient 1",
        "level-{level} majorated forfait attested, but majorations apply to the level-2 "
        "opérateur forfait only: coefficient 1",
    ),
    "majoration.not_eligible:indication": (
        "forfait majoré de niveau {level} attesté, mais l'activité « {indication} » n'ouvre pas "
        "droit aux forfaits majorés : coefficient 1",
        "level-{level} majorated forfait attested, but the activity “{indication}” has no "
        "majorated forfaits: coefficient 1",
    ),
    "majoration.not_in_force": (
        "forfait majoré de niveau {level} attesté, pas encore en vigueur à cette date : "
        "coefficient 1",
        "level-{level} majorated forfait attested, not yet in force on that day: coefficient 1",
    ),
    "majoration.cap_reached": (
        "durée maximale des forfaits majorés atteinte ({count_text} majorées sans "
        "interruption) : coefficient 1",
        "maximum duration of majorated forfaits reached ({count_text} majorated without "
        "interruption): coefficient 1",
    ),
    "technique.base_amount": (
        "aucun montant publié n'est encodé pour ce code à cette date : montant de base pour un "
        "{benefit} (tranche de file active la plus basse), à confirmer",
        "no published amount is encoded for this code on that day: base amount of the "
        "{benefit} level (lowest file-active tier), to be confirmed",
    ),
    "technique.amount_unknown:derogatoire": (
        "forfait technique des prothèses cardiaques implantables : tarif semestriel par "
        "dérogation, dont le montant et la facturation par période de 30 jours n'ont pas pu "
        "être lus — montant à confirmer{decote_fr}",
        "forfait technique of implantable cardiac prostheses: a derogatory semester tariff whose "
        "amount and billing per 30-day period could not be read — amount to be confirmed"
        "{decote_en}",
    ),
    "technique.amount_unknown:pecan": (
        "compensation financière de l'exploitant sous prise en charge anticipée (PECAN) : "
        "valeurs non lues — montant à confirmer",
        "the exploitant's financial compensation under early coverage (PECAN): values not "
        "read — amount to be confirmed",
    ),
    "technique.amount_unknown:file_active": (
        "file active de {file_active} patients, au-delà de la première tranche (jusqu'à "
        "{tier_top}) : montant de cette tranche non connu — à confirmer",
        "file active of {file_active} patients, beyond the first tier (up to {tier_top}): that "
        "tier's amount is not known — to be confirmed",
    ),
}

LABELS: Final[dict[str, tuple[str, str]]] = {
    # indications (catalogue.Indication values)
    "insuffisance_cardiaque": ("insuffisance cardiaque chronique", "chronic heart failure"),
    "insuffisance_renale": ("insuffisance rénale chronique", "chronic renal failure"),
    "insuffisance_respiratoire": (
        "insuffisance respiratoire chronique",
        "chronic respiratory failure",
    ),
    "diabete": ("diabète traité par insuline", "insulin-treated diabetes"),
    "diabete_gestationnel": ("diabète gestationnel", "gestational diabetes"),
    "protheses_cardiaques_implantables": (
        "prothèses cardiaques implantables",
        "implantable cardiac prostheses",
    ),
    "oncologie": ("oncologie", "oncology"),
    # expected benefits (records.Benefit values)
    "organisationnel": ("intérêt organisationnel", "organisational benefit"),
    "qualite_de_vie": (
        "intérêt clinique relatif à la qualité de vie",
        "clinical benefit on quality of life",
    ),
    "morbidite": ("intérêt clinique relatif à la morbidité", "clinical benefit on morbidity"),
    "mortalite": ("intérêt clinique relatif à la mortalité", "clinical benefit on mortality"),
    # sexes (records.Sexe values)
    "female": ("féminine", "female"),
    "male": ("masculine", "male"),
    # physicians of an EHPAD (esms.tarif_global_medecins_inclus and usual specialties)
    "generaliste": ("médecin généraliste", "general practitioner"),
    "geriatre": ("gériatre", "geriatrician"),
    "cardiologue": ("cardiologue", "cardiologist"),
    "pneumologue": ("pneumologue", "pulmonologist"),
    "nephrologue": ("néphrologue", "nephrologist"),
    "diabetologue": ("diabétologue", "diabetologist"),
    "endocrinologue": ("endocrinologue", "endocrinologist"),
    "oncologue": ("oncologue", "oncologist"),
}

#: facts whose value is a key of `LABELS` (other text facts are shown as they are).
LABELLED_FACTS: Final = frozenset({"indication", "benefit", "sexe", "medecin"})


def key(reason: verdict.Reason) -> str:
    """The template of a reason: its rule id, with the variant its facts call for."""
    rule = reason.rule
    f = reason.fact
    if rule == "pecan.expired":
        return f"{rule}:year" if f("ended") is not None else f"{rule}:periods"
    if rule == "eligibility.age":
        minimum, age = f("minimum"), f("age")
        below = isinstance(minimum, int) and isinstance(age, int) and age < minimum
        return f"{rule}:min" if below else f"{rule}:max"
    if rule == "eligibility.criteria":
        unknown = f("sous_population") is not None
        return f"{rule}:unknown_group" if unknown else f"{rule}:unmet"
    if rule == "prerequisite.ars_declaration":
        return f"{rule}:none" if f("declared") is None else f"{rule}:late"
    if rule == "prerequisite.convention":
        signed, day = _date(f("signed")), _date(f("day"))
        if signed is None:
            return f"{rule}:none"
        late = day is not None and signed > day
        return f"{rule}:late" if late else f"{rule}:ended"
    if rule == "prerequisite.certificate":
        since, day = _date(f("since")), _date(f("day"))
        if since is None:
            return f"{rule}:none"
        not_yet = day is not None and since > day
        return f"{rule}:not_yet" if not_yet else f"{rule}:expired"
    if rule == "esms.included_in_tariff":
        return f"{rule}:unknown" if f("medecin") is None else f"{rule}:physician"
    if rule in ("majoration.not_eligible", "technique.amount_unknown"):
        return f"{rule}:{f('cause')}"
    return rule


def _date(value: verdict.Fact) -> dt.date | None:
    return value if isinstance(value, dt.date) else None
