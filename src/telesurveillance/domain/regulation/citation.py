"""Citations: the legal or official text behind every regulatory value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

#: Légifrance identifiers: texts (JORFTEXT, LEGITEXT) and articles (JORFARTI, LEGIARTI).
LEGIFRANCE_ID = re.compile(r"^(JORFTEXT|JORFARTI|LEGITEXT|LEGIARTI)\d{12}$")


class Confirmation(StrEnum):
    """How far a value has been checked against its source."""

    #: read in the official text itself (Légifrance, Journal officiel, code article).
    OFFICIEL = "officiel"
    #: stated by official guidance (ministry guide, ameli, HAS, ANS) but not read in the legal text.
    GUIDE_OFFICIEL = "guide_officiel"
    #: stated only by secondary sources (press, vendors, working groups): to confirm.
    SECONDAIRE = "secondaire"
    #: a project design choice where the sources are silent: to confirm, configurable.
    INFERENCE = "inference"

    @property
    def to_confirm(self) -> bool:
        return self in (Confirmation.SECONDAIRE, Confirmation.INFERENCE)


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a value comes from: a title plus a Légifrance id, an official URL or a seed."""

    title: str
    status: Confirmation
    ref: str | None = None
    url: str | None = None
    seed: str | None = None
    quote: str | None = None

    def short(self) -> str:
        """One line, as shown next to a figure: title and identifier."""
        where = self.ref or self.url or (f"seed {self.seed}" if self.seed else "")
        return f"{self.title} ({where})" if where else self.title
