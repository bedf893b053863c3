"""Rendering the patient's page, and handing new readings to the ingest listeners."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from telesurveillance.domain.measures import reading
from telesurveillance.services.patient_space import entries, page
from telesurveillance.web import context
from telesurveillance.web.dashboard import charts, render
from telesurveillance.web.i18n import formats, messages

log = logging.getLogger(__name__)


def notify(services: context.Services, new: Sequence[reading.Reading]) -> None:
    """The ingest listeners (alert evaluation, dashboard cache): an entry is stored once its
    transaction commits; a failing listener is logged, the evaluation outbox catches up."""
    for listener in services.after_ingest:
        try:
            listener(new)
        except Exception:
            log.exception("ingest listener %r failed", listener)


def _entry_rows(request: Request, found: page.Page) -> list[dict[str, Any]]:
    table = context.of(request).measures
    lang = render.lang_of(request)
    rows = []
    for e in found.entries:
        kind = table.by_id(e.kind)
        rows.append(
            {
                "ts": e.ts,
                "label": charts.label(kind, lang),
                "value": e.value,
                "unit": charts.unit(kind, lang),
                "questionnaire": e.questionnaire,
            }
        )
    return rows


def _problem(problem: entries.Problem, lang: str) -> str:
    """A refusal in words: numbers in the reader's notation, units as people write them."""
    values: dict[str, object] = {}
    for key, value in problem.values.items():
        values[key] = formats.number(value, lang, 1) if isinstance(value, float) else value
    if "kind" in problem.values:
        values["unit"] = messages.translate(f"unit.{problem.values['kind']}", lang)
    return messages.translate(problem.key, lang, **values)


def show(
    request: Request,
    found: page.Page,
    *,
    done: str | None = None,
    failed: str | None = None,
    problems: Mapping[str, entries.Problem] | None = None,
    typed: Mapping[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    table = context.of(request).measures
    lang = render.lang_of(request)
    return render.page(
        request,
        "patient_space.html",
        status,
        active="myself",
        person=found.person,
        questionnaires=found.questionnaires,
        entries=_entry_rows(request, found),
        instructions=found.instructions,
        done=done,
        failed=failed,
        problems={k: _problem(v, lang) for k, v in (problems or {}).items()},
        typed=typed or {},
        ranges={
            name: table.by_name(name)
            for name in ("poids", "pression_systolique", "pression_diastolique",
                         "frequence_cardiaque")
        },
    )  # fmt: skip
