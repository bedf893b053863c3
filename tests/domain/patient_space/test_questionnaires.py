"""The symptom questionnaires of the patient's page: strict loading, scoring on both sides of
the alert cut-offs, one questionnaire (worded in both languages) for every score rule."""

from __future__ import annotations

import pytest

from telesurveillance.domain.alerts import rules, ruleset
from telesurveillance.domain.patient_space import questionnaires
from telesurveillance.web.i18n import messages

HEART = "symptomes-insuffisance-cardiaque"
ONCO = "symptomes-oncologie-grade-max"


def _answers(q: questionnaires.Questionnaire, default: str, **given: str) -> dict[str, str]:
    return {item: given.get(item, default) for item in q.items}


def test_every_score_rule_names_a_questionnaire_the_patient_page_offers() -> None:
    known = questionnaires.packaged()
    for rule in ruleset.packaged().by_id.values():
        if rule.kind is rules.RuleKind.SCORE:
            assert rule.questionnaire in known, rule.id


def test_every_item_and_answer_is_worded_in_french_and_english() -> None:
    for q in questionnaires.packaged().values():
        keys = [f"space.q.{q.id}", f"space.q.{q.id}.intro"]
        keys += [f"space.q.{q.id}.{item}" for item in q.items]
        keys += [f"space.q.scale.{q.scale}.{a.id}" for a in q.answers]
        for key in keys:
            assert messages.known(key), key
            assert messages.translate(key, "fr") != messages.translate(key, "en"), key


def test_every_questionnaire_cites_its_source() -> None:
    for q in questionnaires.packaged().values():
        assert q.source_url.startswith("https://")
        assert q.source_title


@pytest.mark.parametrize(("present", "score"), [(2, 2), (3, 3)])
def test_the_heart_failure_score_counts_the_symptoms_present_either_side_of_three(
    present: int, score: int
) -> None:
    q = questionnaires.packaged()[HEART]
    given = _answers(q, "non") | dict.fromkeys(q.items[:present], "oui")
    assert q.score(given) == score
    cut = ruleset.packaged().by_id["ic.symptomes.score"].threshold
    assert (score >= cut) is (present >= 3)


@pytest.mark.parametrize(("grade", "score"), [("grade2", 2), ("grade3", 3)])
def test_the_oncology_score_is_the_worst_grade_reported(grade: str, score: int) -> None:
    q = questionnaires.packaged()[ONCO]
    given = _answers(q, "grade1", diarrhee=grade)
    assert q.score(given) == score


def test_an_unanswered_item_is_named() -> None:
    q = questionnaires.packaged()[HEART]
    given = _answers(q, "non")
    del given["oedemes"]
    with pytest.raises(questionnaires.QuestionnaireError) as refused:
        q.score(given)
    assert refused.value.item == "oedemes"


def test_an_answer_outside_the_scale_is_refused() -> None:
    q = questionnaires.packaged()[HEART]
    with pytest.raises(questionnaires.QuestionnaireError):
        q.score(_answers(q, "non", fatigue="grade3"))


GOOD = """
scales:
  yn: [{id: n, points: 0}, {id: y, points: 1}]
questionnaires:
  - id: q
    scoring: sum
    scale: yn
    items: [a, b]
    source: {title: T, url: "https://example.org"}
"""


def test_a_well_formed_file_loads() -> None:
    assert questionnaires.parse(GOOD)["q"].items == ("a", "b")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("scoring: sum", "scoring: mean"), "scoring"),
        (("scale: yn", "scale: other"), "unknown scale"),
        (('source: {title: T, url: "https://example.org"}', "source: {title: T}"), "source"),
        (("items: [a, b]", "items: [a, a]"), "distinct"),
        (("    scale: yn\n", "    scale: yn\n    colour: red\n"), "unknown keys"),
        (("points: 1}", "points: 1.5}"), "integers"),
    ],
)
def test_a_malformed_file_is_refused_naming_what_is_wrong(
    change: tuple[str, str], message: str
) -> None:
    with pytest.raises(questionnaires.QuestionnaireError, match=message):
        questionnaires.parse(GOOD.replace(*change))


def test_a_duplicate_questionnaire_is_refused() -> None:
    twice = GOOD + GOOD.split("questionnaires:\n", 1)[1]
    with pytest.raises(questionnaires.QuestionnaireError, match="duplicate"):
        questionnaires.parse(twice)
