"""Render the pathway documents to PDF: a Jinja2 template (French, dates and numbers formatted by
Babel) laid out by WeasyPrint. The templates load no remote resource: the PDF is self-contained.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import jinja2
import weasyprint
from babel import dates as babel_dates

from telesurveillance.domain.pathway import documents

LOCALE = "fr_FR"


def long_date(day: dt.date | None) -> str:
    """ "2 mars 2024" (Babel, French)."""
    if day is None:
        return ""
    return str(babel_dates.format_date(day, format="long", locale=LOCALE))


def short_date(day: dt.date | None) -> str:
    """ "02/03/2024"."""
    if day is None:
        return ""
    return str(babel_dates.format_date(day, format="short", locale=LOCALE))


def months(count: int) -> str:
    return f"{count} mois"


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("telesurveillance.adapters.pdf", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["long_date"] = long_date
    env.filters["short_date"] = short_date
    env.filters["months"] = months
    env.filters["speciality"] = documents.speciality_label
    return env


def html(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)


def pdf(markup: str) -> bytes:
    data = weasyprint.HTML(string=markup).write_pdf()
    if not isinstance(data, bytes):
        raise RuntimeError("WeasyPrint returned no PDF")
    return data


def ordonnance(doc: documents.Ordonnance) -> bytes:
    """The ordonnance de télésurveillance médicale, with every mandatory mention."""
    return pdf(html("ordonnance.html", doc=doc))


def end_report(doc: documents.EndReport) -> bytes:
    """The end-of-care report (compte rendu de fin de télésurveillance)."""
    return pdf(html("fin_de_prise_en_charge.html", doc=doc))
