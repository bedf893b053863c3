"""Identifiers of patients, professionals and organisations, checked before anything is stored.

- NIR / INS-NIR: 15 characters, key = 97 − (first 13 digits mod 97), Corsica 2A/2B read as
  19/18 (python-stdnum `fr.nir`).
- RPPS: 11 digits (Répertoire partagé des professionnels de santé). `rpps` checks the format
  (what the FHIR directory sends); `rpps_keyed`, used when a team declares its members, also
  checks the last digit as a Luhn key (ISO/IEC 7812-1, the key of the RPPS numbers published by
  the Annuaire santé, e.g. 10005173140).
- FINESS: 9 characters (digits, with 2A/2B for Corsica). `finess_keyed` also checks the ninth
  digit as the Luhn key of the first eight (e.g. 750803447, 750712184 in the FINESS file); no
  key rule is published for the Corsican 2A/2B numbers, so their format only is checked.
- SIRET: 14 digits with the Luhn key (python-stdnum `fr.siret`, La Poste exception included).
"""

from __future__ import annotations

import re

from stdnum import exceptions as stdnum_exceptions
from stdnum import luhn
from stdnum.fr import nir as stdnum_nir
from stdnum.fr import siret as stdnum_siret

#: FR Core identifier systems (ANS). The billing NIR uses the same OID as the INS-NIR:
#: the identifier's `type` (INS-NIR vs NH) tells them apart, never the OID alone.
INS_NIR_OID = "urn:oid:1.2.250.1.213.1.4.8"
INS_NIA_OID = "urn:oid:1.2.250.1.213.1.4.9"
INS_NIR_TEST_OID = "urn:oid:1.2.250.1.213.1.4.10"
INS_NIR_DEMO_OID = "urn:oid:1.2.250.1.213.1.4.11"
RPPS_SYSTEMS = ("https://rpps.esante.gouv.fr", "http://rpps.fr")
FINESS_SYSTEM = "https://finess.esante.gouv.fr"
SIRET_SYSTEM = "https://sirene.fr"

_RPPS = re.compile(r"\d{11}")
_FINESS = re.compile(r"(\d{2}|2A|2B)\d{7}")


class IdentifierError(ValueError):
    """An identifier that fails its format or key check; `code` says which and how
    (`rpps.format`, `rpps.key`, `finess.key`, ...) for the forms' translated messages."""

    def __init__(self, message: str, code: str = "identifier") -> None:
        super().__init__(message)
        self.code = code


def nir(value: str) -> str:
    """The NIR in compact form, or `IdentifierError` naming what is wrong."""
    try:
        return str(stdnum_nir.validate(value))
    except stdnum_exceptions.InvalidChecksum:
        raise IdentifierError(
            f"NIR {value!r}: the key (last two digits) is wrong", "nir.key"
        ) from None
    except stdnum_exceptions.ValidationError as exc:
        raise IdentifierError(f"NIR {value!r}: {exc}", "nir.format") from None


def rpps(value: str) -> str:
    compact = value.replace(" ", "")
    if not _RPPS.fullmatch(compact):
        raise IdentifierError(f"RPPS {value!r}: expected 11 digits", "rpps.format")
    return compact


def finess(value: str) -> str:
    compact = value.replace(" ", "").upper()
    if not _FINESS.fullmatch(compact):
        raise IdentifierError(
            f"FINESS {value!r}: expected 9 characters (digits, 2A/2B)", "finess.format"
        )
    return compact


def siret(value: str) -> str:
    try:
        return str(stdnum_siret.validate(value))
    except stdnum_exceptions.InvalidChecksum:
        raise IdentifierError(f"SIRET {value!r}: the Luhn key is wrong", "siret.key") from None
    except stdnum_exceptions.ValidationError as exc:
        raise IdentifierError(f"SIRET {value!r}: {exc}", "siret.format") from None


def rpps_keyed(value: str) -> str:
    """The RPPS number with its format and its Luhn key checked (set-up of a team member)."""
    compact = rpps(value)
    if not luhn.is_valid(compact):
        raise IdentifierError(
            f"RPPS {value!r}: the check digit (last digit, Luhn key) is wrong", "rpps.key"
        )
    return compact


def finess_keyed(value: str) -> str:
    """The FINESS number with its format and, outside Corsica, its Luhn key checked."""
    compact = finess(value)
    if compact.isdigit() and not luhn.is_valid(compact):
        raise IdentifierError(
            f"FINESS {value!r}: the check digit (ninth digit, Luhn key) is wrong", "finess.key"
        )
    return compact
