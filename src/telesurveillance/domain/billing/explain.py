"""Explanations a biller can read: per period, the sentence that decided it, the amounts, the
points to review, then the texts behind it, grouped (official texts first).

French by default, English complete. Built from a verdict alone (its reasons' and notes' facts,
its lines and its basis), so the dashboard, the exports and `billing case --explain` give the
same sentences. The JSON `reasons` / `notes` stay the machine format; nothing here is parsed
back.

    explanations = explain.judgement(judged, explain.Lang.FR)
    print(explain.render(explanations))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from telesurveillance.domain.billing import explain_format as fmt
from telesurveillance.domain.billing import explain_texts as texts
from telesurveillance.domain.billing import verdict
from telesurveillance.domain.regulation import citation

Lang = fmt.Lang
C = citation.Confirmation

_HEADINGS = {
    C.OFFICIEL: ("Textes officiels", "Official texts"),
    C.GUIDE_OFFICIEL: ("Guides officiels", "Official guidance"),
    C.SECONDAIRE: ("Sources secondaires — à confirmer", "Secondary sources — to be confirmed"),
    C.INFERENCE: (
        "Choix du projet là où les textes se taisent — à confirmer",
        "Project choices where the texts are silent — to be confirmed",
    ),
}
_LEGIFRANCE = {
    "JORFTEXT": "https://www.legifrance.gouv.fr/jorf/id/",
    "JORFARTI": "https://www.legifrance.gouv.fr/jorf/article_jo/",
    "LEGITEXT": "https://www.legifrance.gouv.fr/codes/texte_lc/",
    "LEGIARTI": "https://www.legifrance.gouv.fr/codes/article_lc/",
}
#: Parameters that set a line's amount: a line is "to confirm" when one of them is.
_AMOUNT_PARAMETERS = {
    verdict.Forfait.OPERATEUR: ("forfaits.operateur.",),
    verdict.Forfait.TECHNIQUE: ("forfaits.technique.codes.", "forfaits.technique.montants_de_"),
}


@dataclass(frozen=True, slots=True)
class Source:
    """A text behind the verdict: its title (with the article), a link, the sentence quoted."""

    title: str
    status: citation.Confirmation
    link: str | None
    quote: str | None


@dataclass(frozen=True, slots=True)
class SourceGroup:
    status: citation.Confirmation
    heading: str
    sources: tuple[Source, ...]


@dataclass(frozen=True, slots=True)
class Explanation:
    """One period, explained: `decision` first (why it is or is not due), then `lines`, `notes`,
    what is still to confirm, and the sources grouped by how far they are confirmed."""

    lang: fmt.Lang
    number: int
    heading: str
    billable: bool
    decision: tuple[str, ...]
    lines: tuple[str, ...]
    notes: tuple[str, ...]
    to_confirm: str | None
    sources: tuple[SourceGroup, ...]


def judgement(judged: verdict.Judgement, lang: fmt.Lang = Lang.FR) -> tuple[Explanation, ...]:
    return tuple(period(p, lang) for p in judged.periods)


def period(p: verdict.PeriodVerdict, lang: fmt.Lang = Lang.FR) -> Explanation:
    """The explanation of one period's verdict, in `lang`."""
    fr = lang is Lang.FR
    start, last = fmt.day(p.start, lang), fmt.day(p.last_day, lang)
    if fr:
        heading = f"Période {p.number} — du {start} au {last} : "
        heading += "facturable" if p.billable else "non facturable"
    else:
        heading = f"Period {p.number} — {start} to {last}: "
        heading += "billable" if p.billable else "not billable"
    if p.billable:
        due = "forfait dû" if fr else "forfait due"
        observance = _observance(p.days_with_data, p.expected_days, p.minimum_days, lang)
        decision: tuple[str, ...] = (f"{observance} — {due}" if observance else due,)
    else:
        refused = "non facturable" if fr else "not billable"
        decision = tuple(f"{sentence(r, lang)} — {refused}" for r in p.reasons)
    counted = counted_data(p, lang)
    if counted:
        decision += (counted,)
    return Explanation(
        lang=lang,
        number=p.number,
        heading=heading,
        billable=p.billable,
        decision=decision,
        lines=tuple(_line(ln, p, lang) for ln in p.lines),
        notes=tuple(sentence(n, lang) for n in p.notes),
        to_confirm=_to_confirm(p, lang),
        sources=sources(_citations(p), lang),
    )


def sentence(reason: verdict.Reason, lang: fmt.Lang = Lang.FR) -> str:
    """The sentence of one reason or note, its facts written in `lang`."""
    french, english = texts.SENTENCES[texts.key(reason)]
    template = french if lang is Lang.FR else english
    return template.format_map(_values(reason, lang))


def sources(
    cites: Iterable[citation.Citation], lang: fmt.Lang = Lang.FR
) -> tuple[SourceGroup, ...]:
    """Citations without repeats, grouped: official texts, official guidance, secondary sources,
    project choices (in that order; in each group, in the order first met)."""
    seen: set[tuple[str, str | None, str | None, str | None]] = set()
    grouped: dict[citation.Confirmation, list[Source]] = {status: [] for status in _HEADINGS}
    for c in cites:
        identity = (c.title, c.ref, c.url, c.seed)
        if identity in seen:
            continue
        seen.add(identity)
        grouped[c.status].append(Source(c.title, c.status, _link(c), c.quote))
    index = 0 if lang is Lang.FR else 1
    return tuple(
        SourceGroup(status, _HEADINGS[status][index], tuple(found))
        for status, found in grouped.items()
        if found
    )


def render(explanations: Sequence[Explanation]) -> str:
    """Plain text, as `billing case --explain` prints it."""
    out: list[str] = []
    for e in explanations:
        fr = e.lang is Lang.FR
        out.append(e.heading)
        out.extend(f"  {line}" for line in (*e.decision, *e.lines))
        if e.notes:
            out.append("  À revoir :" if fr else "  To review:")
            out.extend(f"  - {note}" for note in e.notes)
        if e.to_confirm:
            out.append(f"  {e.to_confirm}")
        for group in e.sources:
            out.append(f"  {group.heading} :" if fr else f"  {group.heading}:")
            out.extend(f"  - {s.title}" + (f" — {s.link}" if s.link else "") for s in group.sources)
        out.append("")
    return "\n".join(out)


# --- building blocks ------------------------------------------------------------------------


def counted_data(p: verdict.PeriodVerdict, lang: fmt.Lang = Lang.FR) -> str | None:
    """Which data counted (issue 17, `observance.donnees_comptees`), when not all did or not
    all came from a known sender: the DMN's days, the other device's days not counted, the
    days of unknown sender counted (to review)."""
    if not p.days_elsewhere and not p.days_unknown_source:
        return None
    own = p.days_with_data - p.days_unknown_source
    if lang is Lang.FR:
        parts = [
            f"{own} {fmt.plural(own, 'jour', 'jours', lang)} de données du DMN "
            "de la prise en charge"
        ]
        if p.days_elsewhere:
            n = p.days_elsewhere
            parts.append(
                f"{n} {fmt.plural(n, 'jour', 'jours', lang)} de données d'un autre dispositif "
                f"{fmt.plural(n, 'non compté', 'non comptés', lang)}"
            )
        if p.days_unknown_source:
            n = p.days_unknown_source
            parts.append(
                f"{n} {fmt.plural(n, 'jour', 'jours', lang)} de données de source inconnue "
                f"{fmt.plural(n, 'compté', 'comptés', lang)} (à revoir)"
            )
        return " ; ".join(parts)
    parts = [f"{own} {fmt.plural(own, 'day', 'days')} of data from the prise en charge's DMN"]
    if p.days_elsewhere:
        n = p.days_elsewhere
        parts.append(f"{n} {fmt.plural(n, 'day', 'days')} of another device's data not counted")
    if p.days_unknown_source:
        n = p.days_unknown_source
        parts.append(
            f"{n} {fmt.plural(n, 'day', 'days')} of data of unknown source counted (to review)"
        )
    return "; ".join(parts)


def _observance(days: int, expected: int, minimum: Decimal | None, lang: fmt.Lang) -> str | None:
    if minimum is None:
        return None
    threshold = fmt.number(minimum, lang)
    if lang is Lang.FR:
        jours = fmt.plural(days, "jour", "jours", lang)
        attendus = fmt.plural(expected, "attendu", "attendus", lang)
        return f"{days} {jours} avec données sur {expected} {attendus} (seuil : {threshold})"
    unit = fmt.plural(days, "day", "days")
    return f"{days} {unit} with data out of {expected} expected (threshold: {threshold})"


def _values(reason: verdict.Reason, lang: fmt.Lang) -> dict[str, str]:
    """Every fact written in `lang`, and the derived phrases the templates use."""
    values = {name: _fact(name, value, lang) for name, value in reason.facts}
    f = reason.fact
    days, expected, minimum = f("days"), f("expected"), f("minimum")
    if isinstance(days, int) and isinstance(expected, int) and isinstance(minimum, Decimal):
        values["observance"] = _observance(days, expected, minimum, lang) or ""
    ended = f("ended")
    if isinstance(ended, dt.date):
        values["ended_last"] = fmt.day(ended - dt.timedelta(days=1), lang)
    values.update(_counts(reason, lang))
    decote = f("decote")
    values["decote_fr"] = values["decote_en"] = ""
    if isinstance(decote, Decimal):
        percent = fmt.number(decote * 100, lang)
        if lang is Lang.FR:
            values["decote_fr"] = (
                f" ; une décote semestrielle de {percent}\u00a0% peut s'appliquer à un DMN "
                "auparavant inscrit à la LPP (disposition transitoire)"
            )
        else:
            values["decote_en"] = (
                f"; a {percent}% semester discount may apply to a DMN formerly listed on the LPP "
                "(transitional provision)"
            )
    return values


def _counts(reason: verdict.Reason, lang: fmt.Lang) -> dict[str, str]:
    """Counts with their unit, which depends on the rule (years of age, months, periods)."""
    fr = lang is Lang.FR
    units = {
        "years": ("an", "ans", "year old", "years old"),
        "age": ("an", "ans", "", ""),
        "months": ("mois", "mois", "month", "months"),
        "periods": ("période", "périodes", "period", "periods"),
    }

    def counted(value: object, unit: str) -> str:
        if not isinstance(value, int):
            return ""
        one_fr, many_fr, one_en, many_en = units[unit]
        word = (
            fmt.plural(value, one_fr, many_fr, lang) if fr else fmt.plural(value, one_en, many_en)
        )
        return f"{value} {word}".rstrip()

    f = reason.fact
    out = {
        "age_text": counted(f("age"), "years"),
        "minimum_text": counted(f("minimum"), "age"),
        "maximum_text": counted(f("maximum"), "age"),
        "months_text": counted(f("months"), "months"),
        "period_text": counted(f("period"), "months"),
        "count_text": counted(f("count"), "periods"),
    }
    if reason.rule.startswith("prescription."):
        out["maximum_text"] = counted(f("maximum"), "months")
    if reason.rule == "pecan.expired":
        out["months_text"] = counted(f("months"), "periods")
    return out


def _fact(name: str, value: verdict.Fact, lang: fmt.Lang) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return fmt.day(value, lang)
    if isinstance(value, int | Decimal):
        return fmt.number(value, lang)
    if name in texts.LABELLED_FACTS and value in texts.LABELS:
        return texts.LABELS[value][0 if lang is Lang.FR else 1]
    return value


def _line(ln: verdict.Line, p: verdict.PeriodVerdict, lang: fmt.Lang) -> str:
    fr = lang is Lang.FR
    if ln.forfait is verdict.Forfait.OPERATEUR:
        coefficient = fmt.number(ln.coefficient or Decimal(1), lang)
        label = f"Forfait opérateur {ln.code} × {coefficient}"
    else:
        code = (
            ""
            if ln.code is None
            else (f" (code LATM {ln.code})" if fr else f" (LATM code {ln.code})")
        )
        label = f"Forfait technique{code}"
    colon = " : " if fr else ": "
    if ln.amount is None or ln.amo is None or ln.rest is None:
        missing = "montant non déterminé (voir ci-dessous)" if fr else "amount not set (see below)"
        return f"{label}{colon}{missing}"
    rest = "ticket modérateur" if fr else "ticket modérateur (patient share)"
    text = (
        f"{label}{colon}{fmt.amount(ln.amount, lang)} (AMO {fmt.amount(ln.amo, lang)}, "
        f"{rest} {fmt.amount(ln.rest, lang)})"
    )
    if _amount_to_confirm(ln, p):
        text += " — montant à confirmer" if fr else " — amount to be confirmed"
    return text


def _amount_to_confirm(ln: verdict.Line, p: verdict.PeriodVerdict) -> bool:
    if ln.forfait is verdict.Forfait.TECHNIQUE and any(
        n.rule == "technique.base_amount" for n in p.notes
    ):
        return True
    prefixes = _AMOUNT_PARAMETERS[ln.forfait]
    return any(b.to_confirm for b in p.basis if b.parameter.startswith(prefixes))


def _to_confirm(p: verdict.PeriodVerdict, lang: fmt.Lang) -> str | None:
    count = sum(1 for b in p.basis if b.to_confirm)
    if not count:
        return None
    if lang is Lang.FR:
        if count == 1:
            return (
                "1 valeur réglementaire utilisée reste à confirmer : voir les sources "
                "secondaires et les choix du projet ci-dessous."
            )
        return (
            f"{count} valeurs réglementaires utilisées restent à confirmer : voir les sources "
            "secondaires et les choix du projet ci-dessous."
        )
    values = fmt.plural(count, "regulatory value", "regulatory values")
    verb = "is" if count == 1 else "are"
    return (
        f"{count} {values} used {verb} still to be confirmed: see the secondary sources and "
        "project choices below."
    )


def _citations(p: verdict.PeriodVerdict) -> Iterable[citation.Citation]:
    for reason in (*p.reasons, *p.notes):
        yield from reason.cite
    for basis in p.basis:
        yield from basis.cite


def _link(c: citation.Citation) -> str | None:
    if c.url is not None:
        return c.url
    if c.ref is not None:
        return _LEGIFRANCE[c.ref[:8]] + c.ref
    return None
