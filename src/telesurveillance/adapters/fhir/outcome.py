"""Refusals as FHIR `OperationOutcome`s: severity, code, diagnostics and the FHIRPath location.

Every refusal of the API is an `Invalid` raised by the mapping or the store and rendered once,
at the edge, by `outcome`. The issue codes are those of the FHIR IssueType value set
(http://hl7.org/fhir/R4/valueset-issue-type.html).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError


class Invalid(Exception):
    """An input we refuse: HTTP `status`, FHIR issue `code`, what is wrong and where."""

    def __init__(
        self,
        diagnostics: str,
        expression: str | None = None,
        *,
        status: int = 422,
        code: str = "invalid",
    ) -> None:
        super().__init__(diagnostics)
        self.diagnostics = diagnostics
        self.expression = expression
        self.status = status
        self.code = code

    def issue(self) -> dict[str, Any]:
        return issue(self.diagnostics, self.expression, code=self.code)


def issue(
    diagnostics: str,
    expression: str | None = None,
    *,
    code: str = "invalid",
    severity: str = "error",
) -> dict[str, Any]:
    found: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if expression:
        found["expression"] = [expression]
    return found


def outcome(issues: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": list(issues)}


def of(error: Invalid) -> dict[str, Any]:
    return outcome([error.issue()])


def information(text: str) -> dict[str, Any]:
    return outcome([issue(text, code="informational", severity="information")])


def from_validation(error: ValidationError, resource_type: str) -> Invalid:
    """The first pydantic error of a FHIR model, located as FHIRPath (`Patient.name[0].family`)."""
    first = error.errors()[0]
    path = resource_type
    for part in first["loc"]:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part != "__root__":
            path += f".{part}"
    kind = first["type"]
    code = (
        "required" if kind == "missing" else "structure" if kind == "extra_forbidden" else "value"
    )
    message = str(first["msg"])
    if kind == "extra_forbidden":
        message = "unknown element"
    return Invalid(f"{path}: {message}", path, code=code)
