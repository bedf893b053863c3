"""Alert texts in the reader's language: every rule's label has its English, the French label
of the catalogue is the rule's own, and the shapes the evaluation writes are translated whole."""

from __future__ import annotations

import pytest

from telesurveillance.domain.alerts import ruleset
from telesurveillance.web.i18n import alert_texts, messages

RULES = list(ruleset.packaged().by_id.values())


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_rule_label_is_in_the_catalogue_as_the_rule_writes_it(
    rule: ruleset.rules.Rule,
) -> None:
    assert messages.translate(f"rule.{rule.id}", "fr") == rule.label
    if rule.expected_rhythm:
        assert messages.translate(f"rhythm.{rule.id}", "fr") == rule.expected_rhythm


def test_no_alert_label_writes_a_unit_as_a_code() -> None:
    assert not [r.id for r in RULES if "[" in r.label or " gt " in r.label or " lt " in r.label]


@pytest.mark.parametrize(
    ("rule_id", "stored", "english"),
    [
        (
            "ic.fc.haute",
            "Fréquence cardiaque de repos > 120 /min : 132 (seuil > 120)",
            "Resting heart rate > 120 /min: 132 (threshold > 120)",
        ),
        (
            "ic.poids.prise_3j",
            "Prise de poids ≥ 2 kg en 3 jours : hausse de 2,4 (seuil ≥ 2 en 72 h)",
            "Weight gain ≥ 2 kg in 3 days: rise of 2.4 (threshold ≥ 2 in 72 h)",
        ),
        (
            "ic.pas.basse",
            "Pression systolique < 90 mmHg : 3 mesures sur 5 < 90",
            "Systolic pressure < 90 mmHg: 3 of 5 readings < 90",
        ),
        (
            "ic.sans_donnees.poids",
            "Aucun poids reçu depuis 3 jours : rien reçu depuis 80 h (attendu : un poids par jour)",
            "No weight received for 3 days: nothing received for 80 h (expected: one weight a day)",
        ),
    ],
)
def test_an_alert_text_reads_in_english_and_stays_as_stored_in_french(
    rule_id: str, stored: str, english: str
) -> None:
    assert alert_texts.text(rule_id, stored, "en") == english
    assert alert_texts.text(rule_id, stored, "fr") == stored


def test_a_text_of_an_unknown_shape_keeps_its_french_rather_than_half_a_translation() -> None:
    stored = "Pression systolique < 90 mmHg : relevé manuel"
    assert alert_texts.text("ic.pas.basse", stored, "en") == stored
    assert alert_texts.text("no.such.rule", "Texte", "en") == "Texte"
