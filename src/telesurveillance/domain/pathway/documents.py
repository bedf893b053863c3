"""What the ordonnance and the end-of-care report say (rendered to PDF by `adapters.pdf`).

Mandatory mentions of the prescription (seed 001; art. R. 162-100 CSS; PECAN: arrêtés du
25 octobre 2023): patient name and age, indication, duration, DMN name, the PECAN mention where
applicable, the prescriber's identity and RPPS, the date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Person:
    family: str
    given: str

    @property
    def full_name(self) -> str:
        return f"{self.given} {self.family.upper()}".strip()


@dataclass(frozen=True, slots=True)
class Ordonnance:
    patient: Person
    patient_age: int
    patient_born_on: dt.date
    indication: str
    sous_population: str | None
    months: int
    renewal: bool
    dmn_name: str
    exploitant_name: str
    pecan_mention: str | None
    prescriber: Person
    prescriber_rpps: str
    prescriber_speciality: str | None
    operateur_name: str
    prescribed_on: dt.date
    starts_on: dt.date
    trial_ends_on: dt.date | None
    support: str | None
    synthetic: bool = False
    #: the établissement's FINESS and the prescriber's professional address and phone (art.
    #: R. 5132-3 CSP: the prescription names its author with the means to reach them)
    operateur_finess: str | None = None
    prescriber_address: str | None = None
    prescriber_phone: str | None = None

    @property
    def indication_line(self) -> str:
        return indication_line(self.indication, self.sous_population)


def indication_line(indication: str, sous_population: str | None) -> str:
    """The indication as the ordonnance writes it: the sub-population's wording alone when it
    already starts with the indication's (never the same words twice)."""
    if not sous_population:
        return indication
    if sous_population.casefold().startswith(indication.casefold()):
        return sous_population
    return f"{indication} — {sous_population}"


@dataclass(frozen=True, slots=True)
class Session:
    held_on: dt.date
    given_by: str
    topic: str


@dataclass(frozen=True, slots=True)
class EndReport:
    patient: Person
    patient_age: int
    indication: str
    dmn_name: str
    operateur_name: str
    prescriber: Person | None
    prescriber_rpps: str | None
    starts_on: dt.date
    stopped_on: dt.date
    reason: str
    prescriptions: tuple[tuple[dt.date, int, bool], ...]
    days_with_data: int
    days_followed: int
    support_sessions: tuple[Session, ...]
    majorations: tuple[tuple[int, dt.date, dt.date | None], ...]
    written_on: dt.date
    synthetic: bool = False
    #: per prescription (same order), the first and last days it covered as billing reads it
    #: (at most the indication's maximum, up to the end of monitoring), or None; empty when
    #: not computed
    covered: tuple[tuple[dt.date, dt.date] | None, ...] = ()
    #: the patient's recorded sex (FHIR administrative gender): "patiente" when female
    patient_sex: str = "unknown"
    patient_died_on: dt.date | None = None
    prescriber_speciality: str | None = None
    medecin_traitant: str | None = None
    #: the 30-day periods followed: number, first day, last day, days with data
    periods: tuple[Period, ...] = ()
    #: the alerts raised during the monitoring, grouped by rule, with the decisions taken
    alerts: tuple[AlertLine, ...] = ()
    #: the care team's notes in the span: how many, and the latest ones (dated, signed, cut)
    notes_count: int = 0
    notes: tuple[NoteLine, ...] = ()
    #: who signs the report (the physician who issues it); the prescriber when not known
    signatory: Person | None = None
    signatory_rpps: str | None = None

    @property
    def patient_word(self) -> str:
        """ "patiente" for a woman, "patient" otherwise."""
        return "patiente" if self.patient_sex == "female" else "patient"

    @property
    def prescriber_line(self) -> str:
        """The prescriber as the report names them: never a missing value printed."""
        if self.prescriber is None:
            return "médecin prescripteur non identifié"
        rpps = f"RPPS {self.prescriber_rpps}" if self.prescriber_rpps else "RPPS non renseigné"
        return f"Dr {self.prescriber.full_name} ({rpps})"

    @property
    def addressees(self) -> tuple[str, ...]:
        """To whom the report goes: the prescriber, the médecin traitant when known, and the
        patient while alive (after a death, not to the deceased)."""
        found = [f"{self.prescriber_line}, médecin prescripteur"]
        if self.medecin_traitant:
            found.append(f"{self.medecin_traitant}, médecin traitant")
        if self.patient_died_on is None:
            found.append(f"{self.patient.full_name}, {self.patient_word}")
        return tuple(found)


@dataclass(frozen=True, slots=True)
class Period:
    number: int
    start: dt.date
    last_day: dt.date
    days_with_data: int


@dataclass(frozen=True, slots=True)
class AlertLine:
    rule_id: str
    message: str
    count: int
    #: decision label (French) → how many alerts closed with it
    decisions: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class NoteLine:
    written_on: dt.date
    author: str
    excerpt: str


#: The alert decisions as the report writes them (domain.alerts.lifecycle.Decision values).
DECISIONS_FR = {
    "no_action": "pas d'action",
    "patient_called": "patient appelé",
    "treatment_adjusted": "traitement ajusté",
    "referred": "adressé",
    "artefact": "artefact",
}


#: How the prescriber qualifications of the listings (`prescripteurs`) read on a document.
SPECIALITES_FR = {
    "cardiologue": "cardiologue",
    "cardiologue_rythmologue": "cardiologue rythmologue",
    "diabetologue": "diabétologue",
    "endocrinologue": "endocrinologue",
    "gynecologue": "gynécologue",
    "medecin_generaliste": "médecin généraliste",
    "nephrologue": "néphrologue",
    "oncologue": "oncologue",
    "pediatre": "pédiatre",
    "pneumologue": "pneumologue",
}


def speciality_label(code: str | None) -> str:
    if code is None:
        return ""
    return SPECIALITES_FR.get(code, code.replace("_", " "))
