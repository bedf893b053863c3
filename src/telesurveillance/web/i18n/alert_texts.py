"""Alert texts in the reader's language.

An alert's text is written once, in French, by the evaluation (`domain.alerts.evaluate`): the
rule's label, then what was seen (`: 132 (seuil > 120)`, `: hausse de 2,4 (seuil ≥ 2 en 72 h)`,
`: 3 mesures sur 5 < 90`, `: rien reçu depuis 80 h (attendu : un poids par jour)`). In French it
is shown as stored. In English the label and the expected rhythm come from the catalogue
(`catalog/rules.yaml`) and the few fixed French words of those shapes are translated, decimal
commas becoming points; a text of another shape keeps its French rather than a half translation.
"""

from __future__ import annotations

import re

from telesurveillance.web.i18n import messages

_NUMBER = r"-?\d+(?:,\d+)?"
_SYMBOL = r"[<>≤≥]"
_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"^({_NUMBER}) \(seuil ({_SYMBOL}) ({_NUMBER})\)$"), "{0} (threshold {1} {2})"),
    (
        re.compile(rf"^(hausse|baisse) de ({_NUMBER}) \(seuil ≥ ({_NUMBER}) en ({_NUMBER}) h\)$"),
        "{0} of {1} (threshold ≥ {2} in {3} h)",
    ),
    (
        re.compile(rf"^(\d+) mesures sur (\d+) ({_SYMBOL}) ({_NUMBER})$"),
        "{0} of {1} readings {2} {3}",
    ),
    (
        re.compile(r"^rien reçu depuis (\d+) h \(attendu : (.+)\)$"),
        "nothing received for {0} h (expected: {1})",
    ),
)
_WORDS = {"hausse": "rise", "baisse": "fall"}


def _english_number(text: str) -> str:
    return _WORDS.get(text, text.replace(",", ".") if re.fullmatch(_NUMBER, text) else text)


def text(rule_id: str, message: str, lang: str) -> str:
    """The alert `message` of rule `rule_id` in `lang`."""
    if lang == "fr":
        return message
    label_fr = messages.translate(f"rule.{rule_id}", "fr")
    prefix = f"{label_fr} : "
    if label_fr == f"rule.{rule_id}" or not message.startswith(prefix):
        return message
    seen = message[len(prefix) :]
    label = messages.translate(f"rule.{rule_id}", lang)
    for pattern, shape in _SHAPES:
        found = pattern.match(seen)
        if found is None:
            continue
        parts = [_english_number(p) for p in found.groups()]
        if shape.startswith("nothing"):
            rhythm = messages.translate(f"rhythm.{rule_id}", "fr")
            if parts[1] != rhythm:
                return message
            parts[1] = messages.translate(f"rhythm.{rule_id}", lang)
        return f"{label}: {shape.format(*parts)}"
    return message
