"""Identifiers of patients, professionals and organisations, checked before anything is stored.

- NIR / INS-NIR: 15 characters, key = 97 − (first 13 digits mod 97), Corsica 2A/2B read as
  19/18 (python-stdnum `fr.nir`).
- RPPS: 11 digits (Répertoire partagé des professionnels de santé); the check-digit algorithm is
  not published as a rule, so only the format is checked.
- FINESS: 9 characters (digits, with 2A/2B for Corsica).
- SIRET: 14 digits with the Luhn key (python-stdnum `fr.siret`, La Poste exception included).
"""

from __future__ import annotations

import re

from stdnum import exceptions as stdnum_exceptions
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
    """An identifier that fails its format or key check."""


def nir(value: str) -> str:
    """The NIR in compact form, or `IdentifierError` naming what is wrong."""
    try:
        return str(stdnum_nir.validate(value))
    except stdnum_exceptions.InvalidChecksum:
        raise IdentifierError(f"NIR {value!r}: the key (last two digits) is wrong") from None
    except stdnum_exceptions.ValidationError as exc:
        raise IdentifierError(f"NIR {value!r}: {exc}") from None


def rpps(value: str) -> str:
    compact = value.replace(" ", "")
    if not _RPPS.fullmatch(compact):
        raise IdentifierError(f"RPPS {value!r}: expected 11 digits")
    return compact


def finess(value: str) -> str:
    compact = value.replace(" ", "").upper()
    if not _FINESS.fullmatch(compact):
        raise IdentifierError(f"FINESS {value!r}: expected 9 characters (digits, 2A/2B)")
    return compact


def siret(value: str) -> str:
    try:
        return str(stdnum_siret.validate(value))
    except stdnum_exceptions.InvalidChecksum:
        raise IdentifierError(f"SIRET {value!r}: the Luhn key is wrong") from None
    except stdnum_exceptions.ValidationError as exc:
        raise IdentifierError(f"SIRET {value!r}: {exc}") from None
