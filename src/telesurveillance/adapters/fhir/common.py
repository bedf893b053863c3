"""Small helpers shared by the resource mappings: model validation, names, extensions."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

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
        return model.model_validate(resource)
    except ValidationError as error:
        raise outcome.from_validation(error, resource_type) from None


def name(model: Any, resource_type: str) -> tuple[str, str]:
    """(family, given) of the first HumanName; the family name is required."""
    names = model.name or []
    if not names or not names[0].family:
        raise outcome.Invalid(
            "a family name is required", f"{resource_type}.name[0].family", code="required"
        )
    return str(names[0].family)[:100], " ".join(str(g) for g in names[0].given or [])[:100]


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
