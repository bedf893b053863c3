"""Small helpers shared by the resource mappings: model validation, names, extensions, and the
checks of what the R4B models let through:

- JSON types: the models coerce (`"value": "71.5"` becomes the number 71.5, `"7"` the integer
  7, `"true"` the boolean true); FHIR JSON requires numbers and booleans as JSON numbers and
  booleans (http://hl7.org/fhir/R4/json.html#primitive), and a client that sends a string has
  a bug we must not hide: `json_types` refuses it, naming the element;
- ids: at most 64 characters (http://hl7.org/fhir/R4/datatypes.html#id; the model checks only
  the characters);
- text that is stored: never cut to the column size (`fit` refuses it, the limit read from the
  column of the table, the one place it is defined), and names neither blank nor holding
  control characters (`text`).
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import unicodedata
from typing import Any, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel, ValidationError

from telesurveillance.adapters.fhir import outcome

#: Our extensions and code systems (no public profile carries these facts).
EXTENSION = "urn:telesurveillance:fhir:"
TAG_SYSTEM = "urn:telesurveillance:tag"

M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], resource: dict[str, Any], resource_type: str) -> M:
    if resource.get("resourceType") != resource_type:
        raise outcome.Invalid(
            f"expected a {resource_type}, got {resource.get('resourceType')!r}",
            "resourceType",
            code="not-supported",
        )
    try:
        found = model.model_validate(resource)
    except ValidationError as error:
        raise outcome.from_validation(error, resource_type) from None
    checked(resource, found, resource_type)
    return found


#: FHIR ids: `[A-Za-z0-9\-\.]{1,64}` (the R4B model checks the characters, not the length).
MAX_ID = 64


def checked(resource: dict[str, Any], model: BaseModel, resource_type: str) -> None:
    """What the model let through: the id's length, and JSON types (`json_types`)."""
    rid = resource.get("id")
    if isinstance(rid, str) and len(rid) > MAX_ID:
        raise outcome.Invalid(
            f"the id has {len(rid)} characters: a FHIR id has at most {MAX_ID}",
            f"{resource_type}.id",
        )
    json_types(resource, model, resource_type)


@functools.cache
def _aliases(model: type[BaseModel]) -> dict[str, str]:
    return {(f.alias or name): name for name, f in model.model_fields.items()}


def json_types(raw: dict[str, Any], model: BaseModel, path: str) -> None:
    """Refuse a number or a boolean the model read from a JSON string (or a number read from a
    JSON boolean): walk the JSON beside the model built from it."""
    aliases = _aliases(type(model))
    for key, value in raw.items():
        name = aliases.get(key)
        if name is not None:
            _typed(value, getattr(model, name, None), f"{path}.{key}")


def _typed(raw: Any, parsed: Any, path: str) -> None:
    if isinstance(parsed, BaseModel):
        if isinstance(raw, dict):
            json_types(raw, parsed, path)
    elif isinstance(parsed, list):
        if isinstance(raw, list) and len(raw) == len(parsed):
            for i, (one, found) in enumerate(zip(raw, parsed, strict=True)):
                _typed(one, found, f"{path}[{i}]")
    elif isinstance(parsed, bool):
        if type(raw) is not bool:
            raise outcome.Invalid(
                f"{path}: a boolean must be the JSON literal true or false, not {_json(raw)}",
                path,
            )
    elif isinstance(parsed, int | float | decimal.Decimal) and type(raw) not in (int, float):
        raise outcome.Invalid(
            f"{path}: a number must be a JSON number, not {_json(raw)} (FHIR JSON)", path
        )


def _json(raw: Any) -> str:
    kinds = {str: "a string", bool: "a boolean", type(None): "null"}
    return kinds.get(type(raw), "a " + type(raw).__name__)


#: Characters a name never holds: controls (C0, C1, DEL), line and paragraph separators, and
#: the bidirectional overrides and isolates that reorder what is displayed ("Trojan Source",
#: CVE-2021-42574) so a name could show other than it is stored.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def text(value: str, where: str, what: str = "the name") -> str:
    """`value` unchanged, refused when blank or holding a control character."""
    if not value.strip():
        raise outcome.Invalid(f"{what} is blank", where, code="required")
    for char in value:
        if unicodedata.category(char) in ("Cc", "Zl", "Zp") or char in _BIDI:
            raise outcome.Invalid(
                f"{what} holds the control character U+{ord(char):04X}", where, code="value"
            )
    return value


def fit(value: str, column: sa.Column[Any], where: str) -> str:
    """`value` unchanged, refused (never cut) when longer than `column` stores."""
    limit = column.type.length if isinstance(column.type, sa.String) else None
    if limit is not None and len(value) > limit:
        raise outcome.Invalid(
            f"{len(value)} characters: at most {limit} are stored here (nothing is cut)",
            where,
            code="too-long",
        )
    return value


def name(model: Any, resource_type: str, table: sa.Table) -> tuple[str, str]:
    """(family, given) of the first HumanName, checked and fitted to `table`'s `family` and
    `given` columns (given names joined by spaces); the family name is required."""
    names = model.name or []
    where = f"{resource_type}.name[0]"
    if not names or names[0].family is None:
        raise outcome.Invalid("a family name is required", f"{where}.family", code="required")
    family = text(str(names[0].family), f"{where}.family", "the family name")
    givens = [str(g) for g in names[0].given or []]
    for i, given in enumerate(givens):
        text(given, f"{where}.given[{i}]", "a given name")
    return (
        fit(family, table.c.family, f"{where}.family"),
        fit(" ".join(givens), table.c.given, f"{where}.given"),
    )


def human_name(family: str, given: str) -> list[dict[str, Any]]:
    found: dict[str, Any] = {"family": family}
    if given:
        found["given"] = given.split(" ")
    return [found]


def extension(model: Any, key: str) -> Any:
    """The extension `urn:telesurveillance:fhir:<key>`, or None."""
    for ext in model.extension or []:
        if ext.url == EXTENSION + key:
            return ext
    return None


def day(value: object, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise outcome.Invalid(f"{value!s} is not a full date (YYYY-MM-DD)", where)


def meta(version: int | None) -> dict[str, Any]:
    return {} if version is None else {"meta": {"versionId": str(version)}}
