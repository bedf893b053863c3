"""A refusal names the rule it applies and the text behind it.

`str(refusal)` reads like "no ARS declaration on 2024-03-02: billing impossible — Code de la
sécurité sociale, art. L. 162-51". Rules known to the regulation data (`regles.*` and the
indication parameters) take their citation from the data, dated; the few pathway rules that no
regulatory parameter carries cite their text here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from telesurveillance.domain.regulation import citation, store, timeline

#: Art. R. 6316-2 CSP: telemedicine acts are performed with the patient's free and informed
#: consent (https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000043800393).
CONSENT = "Code de la santé publique, art. R. 6316-2 (consentement libre et éclairé)"
#: Art. L. 4011-1 CSP: health professionals may transfer medical acts only under a protocole de
#: coopération (https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000043501395).
COOPERATION = "Code de la santé publique, art. L. 4011-1 (protocoles de coopération)"
#: The ministry guide (seed 001, § Conventions et délégation): non-medical tasks may be delegated
#: under a convention, medical analysis may not.
DELEGATION_GUIDE = (
    "Ministère de la santé (DGOS), guide « Télésurveillance médicale », § Conventions et délégation"
)
#: Where the sources are silent the project decides, and says so.
PROJECT_CHOICE = "Choix du projet (docs/care-pathway.md)"


class Refused(Exception):
    """A pathway step the rules forbid: `rule` id, what is wrong, and the text that says so."""

    def __init__(self, rule: str, message: str, cite: str) -> None:
        super().__init__(f"{message} — {cite}")
        self.rule = rule
        self.message = message
        self.cite = cite

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "message": self.message, "citation": self.cite}


def cite_of(dated: timeline.Dated[Any]) -> str:
    """The citation shown with a refusal: the first official text, else the first one given."""
    cites = dated.cite
    official = [c for c in cites if c.status is citation.Confirmation.OFFICIEL]
    chosen = (official or list(cites))[0] if cites else None
    return chosen.title if chosen is not None else PROJECT_CHOICE


def rule_cite(regulation: store.Regulation, rule: str, day: dt.date) -> str:
    """The citation of a billing rule (`regles.<rule>`) as in force on `day`."""
    return cite_of(regulation.rule_text(rule, day))
