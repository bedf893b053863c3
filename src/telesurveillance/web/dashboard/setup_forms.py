"""What the set-up and administration forms share: reading a date field, the refusal shown
next to the field it concerns (in the user's language, with the rule and its citation when a
rule refused), and the choices the forms offer."""

from __future__ import annotations

import dataclasses
import datetime as dt

from telesurveillance.domain.pathway import refusals
from telesurveillance.domain.regulation import catalogue, records
from telesurveillance.domain.regulation import store as regulation_store
from telesurveillance.services.pathway import setup
from telesurveillance.services.setup import ports
from telesurveillance.web.i18n import messages

#: Sections of the set-up page a success may name (`?done=`).
DONE = frozenset({"operateur", "ars", "members", "exploitants", "dmns", "conventions", "protocols"})
PROFESSIONS = ("medecin", "infirmier")


@dataclasses.dataclass(frozen=True, slots=True)
class Failure:
    """A refused form: which form, what was typed, the field at fault (None: the whole form),
    the message key (or, for a rule with no translation, the rule's own text), and the rule and
    citation when a rule refused."""

    form: str
    values: dict[str, str]
    field: str | None
    key: str
    detail: str
    rule: str | None = None
    cite: str | None = None
    params: dict[str, str] = dataclasses.field(default_factory=dict)


def failure(form: str, values: dict[str, str], exc: Exception) -> Failure:
    if isinstance(exc, refusals.Refused):
        key = f"refusal.{exc.rule}"
        return Failure(
            form,
            values,
            None,
            key if messages.known(key) else "setup.error.refused",
            exc.message,
            exc.rule,
            exc.cite,
        )
    if isinstance(exc, setup.NotFound):
        return Failure(form, values, None, "setup.error.not_found", str(exc))
    code = str(getattr(exc, "code", ""))
    if code:
        name, _, reason = code.partition(".")
        for key in (f"setup.error.{code}", f"setup.error.{reason}"):
            if messages.known(key):
                return Failure(form, values, name, key, str(exc))
        return Failure(form, values, name, "setup.error.invalid", str(exc))
    return Failure(form, values, None, "setup.error.invalid", str(exc))


def day(text: str, name: str, *, optional: bool = False) -> dt.date | None:
    """A date field (`YYYY-MM-DD`, what `<input type=date>` sends); None if empty and
    `optional`."""
    if not text.strip():
        if optional:
            return None
        raise setup.Invalid(f"{name}.required", f"{name}: a date is required")
    return required_day(text, name)


def required_day(text: str, name: str) -> dt.date:
    if not text.strip():
        raise setup.Invalid(f"{name}.required", f"{name}: a date is required")
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise setup.Invalid(f"{name}.date", f"{name}: {text!r} is not a date") from None


def exploitant(store: ports.Store, exploitant_id: int) -> int:
    if not any(e.id == exploitant_id for e in store.exploitants()):
        raise setup.Invalid("exploitant_id.unknown", f"no exploitant {exploitant_id}")
    return exploitant_id


def specialities(regulation: regulation_store.Regulation, day_: dt.date) -> list[str]:
    """Every speciality the listings qualify to prescribe (the choices of the member form)."""
    found: set[str] = set()
    for indication in catalogue.Indication:
        rules = regulation.indication(
            indication, "prescription", records.PrescriptionRules
        ).at_or_first(day_)
        found.update(rules.value.prescripteurs)
    return sorted(found)
