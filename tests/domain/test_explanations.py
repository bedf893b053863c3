"""Explanations a biller can read: the deciding sentence first, amounts, notes, grouped sources;
French by default with English complete, no raw keys, no English in French."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from hypothesis import given

from telesurveillance.domain.billing import engine, explain, explain_format, explain_texts, model
from telesurveillance.domain.regulation import catalogue, citation, records, store
from tests.domain.test_engine_properties import PROPERTY, judged_situations

FR = explain.Lang.FR
EN = explain.Lang.EN
START = dt.date(2024, 6, 3)


def _situation(
    indication: catalogue.Indication = catalogue.Indication.INSUFFISANCE_CARDIAQUE,
    days: int = 30,
    *,
    born_on: dt.date = dt.date(1950, 4, 12),
) -> model.Situation:
    return model.Situation(
        operateur=model.Operateur(model.OperateurKind.LIBERAL, dt.date(2023, 7, 1)),
        convention=model.Convention(dt.date(2023, 7, 1)),
        dmn=model.Dmn(
            "DMN", records.Benefit.ORGANISATIONNEL, dt.date(2023, 7, 1), dt.date(2027, 12, 1)
        ),
        patient=model.Patient(born_on, model.Coverage.STANDARD),
        prise_en_charge=model.PriseEnCharge(indication, START, model.Prescription(START, 3)),
        days_with_data=frozenset(START + dt.timedelta(days=i) for i in range(days)),
    )


def _first(situation: model.Situation, lang: explain_format.Lang) -> explain.Explanation:
    judged = engine.judge(store.packaged(), situation, START + dt.timedelta(days=31))
    return explain.period(judged.periods[0], lang)


def test_a_billable_period_starts_with_its_days_against_the_threshold() -> None:
    assert _first(_situation(days=27), FR).decision == (
        "27 jours avec données sur 30 attendus (seuil : 15) — forfait dû",
    )
    assert _first(_situation(days=27), EN).decision == (
        "27 days with data out of 30 expected (threshold: 15) — forfait due",
    )


def test_a_period_without_data_says_so_first() -> None:
    assert _first(_situation(days=0), FR).decision == (
        "aucune donnée transmise pendant la période — non facturable",
    )
    assert _first(_situation(days=0), EN).decision == (
        "no data transmitted during the period — not billable",
    )


def test_an_insufficient_period_is_billed_and_flagged_in_french_words() -> None:
    renal = _first(_situation(catalogue.Indication.INSUFFISANCE_RENALE, days=5), FR)
    assert renal.billable
    assert renal.notes[0].startswith(
        "5 jours avec données sur 12 attendus (seuil : 6) : données insuffisantes, la période "
        "suivante ne sera pas facturable"
    )


def test_a_minor_in_respiratory_telemonitoring_is_explained_with_the_age_and_the_bound() -> None:
    minor = _situation(catalogue.Indication.INSUFFISANCE_RESPIRATOIRE, born_on=dt.date(2012, 1, 15))
    assert _first(minor, FR).decision == (
        "patient âgé de 12 ans au 3 juin 2024, alors que la liste exige au moins 18 ans — "
        "non facturable",
    )
    assert _first(minor, EN).decision == (
        "the patient is 12 years old on 3 June 2024, while the listing requires at least 18 — "
        "not billable",
    )


def test_lines_give_the_amounts_in_the_reader_s_language() -> None:
    lines = _first(_situation(), FR).lines
    assert lines[0] == (
        "Forfait opérateur TVB × 1 : 28,00\u00a0€ (AMO 16,80\u00a0€, "
        "ticket modérateur 11,20\u00a0€)"
    )
    assert lines[1].endswith("— montant à confirmer")  # base amount of the benefit, from April 2024
    assert _first(_situation(), EN).lines[0] == (
        "Forfait opérateur TVB × 1: €28.00 (AMO €16.80, ticket modérateur (patient share) €11.20)"
    )


def test_sources_are_grouped_official_texts_first_then_guides_then_secondary_sources() -> None:
    explained = _first(_situation(), FR)
    order = [g.status for g in explained.sources]
    ranks = list(citation.Confirmation)
    assert order == sorted(order, key=ranks.index)
    assert explained.sources[0].heading == "Textes officiels"
    secondary = next(g for g in explained.sources if g.status is citation.Confirmation.SECONDAIRE)
    assert secondary.heading == "Sources secondaires — à confirmer"
    code = next(s for s in explained.sources[0].sources if "R. 162-100" in s.title)
    assert code.link == "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006073189"


def test_sources_are_listed_once_each() -> None:
    explained = _first(_situation(), FR)
    titles = [(s.title, s.link) for g in explained.sources for s in g.sources]
    assert len(titles) == len(set(titles))


def test_every_rule_has_a_sentence_in_french_and_in_english() -> None:
    covered = {key.split(":")[0] for key in explain_texts.SENTENCES}
    assert set(catalogue.RULE_IDS) <= covered
    for key, (french, english) in explain_texts.SENTENCES.items():
        assert french.strip(), key
        assert english.strip(), key
        assert re.findall(r"{(\w+)}", french) == re.findall(r"{(\w+)}", english) or key in {
            "technique.amount_unknown:derogatoire",
            "eligibility.criteria:unmet",
        }


def test_french_days_amounts_and_numbers() -> None:
    assert explain_format.day(dt.date(2024, 6, 1), FR) == "1er juin 2024"
    assert explain_format.day(dt.date(2024, 8, 31), FR) == "31 août 2024"
    assert explain_format.day(dt.date(2024, 6, 1), EN) == "1 June 2024"
    assert explain_format.amount(Decimal("1234.5"), FR) == "1\u202f234,50\u00a0€"
    assert explain_format.amount(Decimal("1234.5"), EN) == "€1,234.50"
    assert explain_format.number(Decimal("2.50"), FR) == "2,5"
    assert explain_format.number(Decimal("15.0"), EN) == "15"
    assert explain_format.plural(0, "jour", "jours", FR) == "jour"
    assert explain_format.plural(0, "day", "days") == "days"


RULE_ID = re.compile("|".join(re.escape(r) for r in catalogue.RULE_IDS))
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")
ENGLISH = re.compile(r"\b(the|of|and|days?|expected|billable|benefit|with data|missing)\b")
FRENCH = re.compile(r"\b(jours?|non facturable|période|seuil|attendus?|à confirmer)\b")


@given(judged_situations())
@PROPERTY
def test_explanations_carry_no_raw_key_and_no_english_in_french(
    case: tuple[model.Situation, dt.date],
) -> None:
    situation, as_of = case
    for period in engine.judge(store.packaged(), situation, as_of).periods:
        for lang, foreign in ((FR, ENGLISH), (EN, FRENCH)):
            e = explain.period(period, lang)
            for text in (e.heading, *e.decision, *e.lines, *e.notes, e.to_confirm or ""):
                assert "{" not in text, text
                assert "}" not in text, text
                assert not RULE_ID.search(text), text
                assert not SNAKE.search(text), text
                assert not foreign.search(text), (lang, text)
