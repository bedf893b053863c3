"""Rendering: the Jinja2 environment, the language of the request, the page context."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from telesurveillance.domain.access import matrix
from telesurveillance.domain.billing import explain, verdict
from telesurveillance.web.dashboard import menu
from telesurveillance.web.i18n import alert_texts, formats, messages
from telesurveillance.web.security import gate

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LANG_COOKIE = "tsv_lang"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def lang_of(request: Request) -> str:
    """The user's language: the cookie set by the language switch, else French."""
    chosen = request.cookies.get(LANG_COOKIE, "fr")
    return chosen if chosen in messages.LANGUAGES else "fr"


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = lang_of(request)
    context.setdefault("synthetic", False)
    context.setdefault("active", template.removesuffix(".html"))
    who = getattr(request.state, "principal", None)
    query = request.url.query
    html = _env.get_template(template).render(
        lang=lang,
        t=functools.partial(_t, lang),
        money=functools.partial(_money, lang),
        cents=lambda value: formats.cents(value, lang),
        day=lambda value: formats.day(value, lang),
        when=lambda value: formats.millis(value, lang),
        alert_text=lambda rule_id, message: alert_texts.text(rule_id, message, lang),
        number=lambda value, digits=1: formats.number(value, lang, digits),
        explained=functools.partial(_explained, lang),
        principal=who,
        menu=menu.visible(who, matrix.packaged()),
        csrf_token=gate.csrf_token(request),
        here=request.url.path + (f"?{query}" if query else ""),
        **context,
    )
    return HTMLResponse(html, status_code=status)


def _t(lang: str, key: str, **values: object) -> str:
    return messages.translate(key, lang, **values)


def _explained(lang: str, period: verdict.PeriodVerdict) -> explain.Explanation:
    """The period's explanation in words (the sentence that decided it, its notes, what is
    still to confirm): the same text as `billing case --explain` and the exports."""
    return explain.period(period, explain.Lang.EN if lang == "en" else explain.Lang.FR)


def _money(lang: str, value: Any) -> str:
    return formats.money(value, lang)
