"""A patient's alert thresholds (issue 15 point 4): the rules in force with their sources and
their indication defaults, a form per number to override it with a required reason (range
checked, compare-and-set on the value the user saw), "back to the default", and the history of
the overrides. The médecin changes a threshold; the soignant reads the page."""

from __future__ import annotations

import dataclasses
import math
import urllib.parse
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from telesurveillance.domain import calendar
from telesurveillance.domain.access import roles
from telesurveillance.domain.alerts import bounds, rules, ruleset
from telesurveillance.domain.measures import table as measures
from telesurveillance.services.alerts import lifecycle as acting
from telesurveillance.services.alerts import thresholds
from telesurveillance.web import context
from telesurveillance.web.dashboard import render
from telesurveillance.web.i18n import formats
from telesurveillance.web.security import gate

router = APIRouter(prefix="/ui/patients", tags=["dashboard"])

#: The outcomes a redirect may announce (anything else is ignored).
DONE = ("saved", "reset")
REASON_MAX = 2000


@dataclasses.dataclass(frozen=True, slots=True)
class Failure:
    """A refused change: which form (rule and field), the message key and its values, and what
    was typed (kept in the form)."""

    rule: str
    field: str
    key: str
    values: dict[str, object] = dataclasses.field(default_factory=dict)
    typed: dict[str, str] = dataclasses.field(default_factory=dict)


def _page(
    request: Request,
    patient_id: int,
    *,
    done: str | None = None,
    failed: Failure | None = None,
    status: int = 200,
) -> HTMLResponse:
    services = context.of(request)
    names = services.store.dashboard_directory.names({patient_id})
    if patient_id not in names:
        raise HTTPException(status_code=404, detail="no such patient")
    family, given, synthetic = names[patient_id]
    today = calendar.paris_day(services.clock())
    sets = ruleset.packaged()
    found = thresholds.page(
        services.store.alerts, services.store.alert_lifecycle, sets, measures.packaged(),
        patient_id, today,
    )  # fmt: skip
    who = gate.principal(request)
    return render.page(
        request,
        "thresholds.html",
        status,
        active="worklist",
        synthetic=synthetic,
        family=family,
        given=given,
        view=found,
        labels={r.id: r.label for r in sets.by_id.values()},
        may_change=who.role is roles.Role.MEDECIN,
        done=done if done in DONE else None,
        failed=failed,
        reason_max=REASON_MAX,
    )


@router.get("/{patient_id}/thresholds", name="dashboard.thresholds", response_class=HTMLResponse)
def thresholds_page(request: Request, patient_id: int, done: str | None = None) -> HTMLResponse:
    """The patient's rules, their numbers and sources, and the history of the overrides."""
    return _page(request, patient_id, done=done)


def _number(text: str) -> float | None:
    """A number as typed, with a decimal comma or point; None when it is not one."""
    try:
        spaces = str.maketrans("", "", " \u00a0\u202f")
        value = float(text.strip().translate(spaces).replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _expected(text: str) -> acting.Expected | None:
    if text == "":
        return acting.Expected(None)
    value = _number(text)
    return None if value is None else acting.Expected(value)


@router.post(
    "/{patient_id}/thresholds",
    name="dashboard.threshold_set",
    include_in_schema=False,
)
def change_threshold(
    request: Request,
    patient_id: int,
    rule: Annotated[str, Form(max_length=64)],
    field: Annotated[str, Form(max_length=32)],
    action: Annotated[str, Form(max_length=8)] = "set",
    value: Annotated[str, Form(max_length=32)] = "",
    reason: Annotated[str, Form(max_length=2 * REASON_MAX)] = "",
    expected: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Override one number (or reset it: `action=reset`), with a reason, from the value the
    user saw; a refusal comes back next to the field with what was typed."""
    typed = {"value": value, "reason": reason}

    def refuse(
        key: str, values: dict[str, object] | None = None, status: int = 422
    ) -> HTMLResponse:
        lang = render.lang_of(request)
        shown = {
            k: formats.number(v, lang, 3) if isinstance(v, float) else v
            for k, v in (values or {}).items()
        }
        failure = Failure(rule, field, key, shown, typed)
        return _page(request, patient_id, failed=failure, status=status)

    new = None if action == "reset" else _number(value)
    if action != "reset" and new is None:
        return refuse("override.error.number")
    if not reason.strip():
        return refuse("override.error.reason")
    if len(reason.strip()) > REASON_MAX:
        return refuse("override.error.reason_long", {"n": REASON_MAX})
    seen = _expected(expected)
    if seen is None or field not in rules.OVERRIDABLE:
        return refuse("override.error.field", {"field": field})
    services = context.of(request)
    who = gate.principal(request)
    try:
        acting.set_override(
            services.store.alert_lifecycle, ruleset.packaged(), patient_id, rule, field, new,
            who.name, reason, services.clock(), expected=seen,
        )  # fmt: skip
    except bounds.OutOfBounds as error:
        return refuse(error.code, error.values)
    except acting.OverrideConflict:
        return refuse("override.error.conflict", status=409)
    except acting.NotFound:
        return refuse("override.error.rule")
    except ValueError:
        return refuse("override.error.field", {"field": field})
    anchor = urllib.parse.quote(f"r-{rule}")
    outcome = "reset" if new is None else "saved"
    return RedirectResponse(f"/ui/patients/{patient_id}/thresholds?done={outcome}#{anchor}", 303)
