"""Properties of the billing engine over random situations, judged on the packaged regulation."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from telesurveillance.domain.billing import engine, model, verdict
from telesurveillance.domain.regulation import catalogue, records, store

REGULATION = store.packaged()
# Starts before the common law (ETAPES-era monitoring) must be judged too, never crash.
FIRST_START = dt.date(2023, 3, 1)
LAST_START = dt.date(2025, 6, 30)
MAX_SPAN_DAYS = 600
MAJORABLE = {catalogue.Indication.INSUFFISANCE_CARDIAQUE, catalogue.Indication.DIABETE}
HF_CRITERIA = (
    "Hospitalisation pour décompensation cardiaque dans les 12 derniers mois",
    "Classe NYHA ≥ II",
    "BNP > 100 pg/ml",
    "NT-proBNP > 1000 pg/ml",
    "Diabète de type 1",
)

PROPERTY = settings(max_examples=150, deadline=None)


def _day_near(draw: st.DrawFn, origin: dt.date, before: int, after: int) -> dt.date:
    return origin + dt.timedelta(days=draw(st.integers(min_value=-before, max_value=after)))


def _maybe_day(draw: st.DrawFn, origin: dt.date, before: int, after: int) -> dt.date | None:
    if draw(st.booleans()):
        return None
    return _day_near(draw, origin, before, after)


def _days_with_data(draw: st.DrawFn, starts_on: dt.date, span: int) -> frozenset[dt.date]:
    """A random subset of the days around the monitoring: dense, sparse, empty or gappy."""
    density = draw(st.sampled_from([0.0, 0.2, 0.45, 0.6, 0.9, 0.97, 1.0, 1.0]))
    rng = random.Random(draw(st.integers(min_value=0, max_value=2**32)))
    gap_start = draw(st.integers(min_value=0, max_value=span))
    gap_length = draw(st.sampled_from([0, 0, 15, 31, 75]))
    days = set()
    for offset in range(-10, span + 10):
        if gap_start <= offset < gap_start + gap_length:
            continue
        if rng.random() < density:
            days.add(starts_on + dt.timedelta(days=offset))
    return frozenset(days)


def _usually(draw: st.DrawFn) -> bool:
    """True four times out of five: keeps most situations billable so the lines get exercised."""
    return draw(st.integers(min_value=0, max_value=4)) > 0


@st.composite
def situations(draw: st.DrawFn) -> model.Situation:
    span_start = (LAST_START - FIRST_START).days
    starts_on = FIRST_START + dt.timedelta(days=draw(st.integers(0, span_start)))
    kinds = list(model.OperateurKind)
    kind = model.OperateurKind.LIBERAL if _usually(draw) else draw(st.sampled_from(kinds))
    operateur = model.Operateur(
        kind=kind,
        ars_declared_on=(
            dt.date(2023, 7, 1) if _usually(draw) else _maybe_day(draw, starts_on, 120, 120)
        ),
        medecin=draw(st.sampled_from([None, "generaliste", "geriatre", "cardiologue"])),
    )
    signed_on = dt.date(2023, 7, 1) if _usually(draw) else _maybe_day(draw, starts_on, 120, 120)
    ends_on = None
    if signed_on is not None and not _usually(draw):
        ends_on = signed_on + dt.timedelta(days=draw(st.integers(1, MAX_SPAN_DAYS)))
    certified = _usually(draw)
    dmn = model.Dmn(
        name="DMN-PROPRIETE",
        benefit=draw(st.sampled_from(list(records.Benefit))),
        certified_from=(
            dt.date(2023, 12, 1) if certified else _maybe_day(draw, starts_on, 400, 200)
        ),
        certified_until=(
            dt.date(2027, 12, 1) if certified else _maybe_day(draw, starts_on, 100, MAX_SPAN_DAYS)
        ),
        latm_code=draw(st.sampled_from([None, *catalogue.LATM_CODES, "9999999"])),
        file_active=draw(st.one_of(st.none(), st.integers(0, 3000))),
    )
    patient = model.Patient(
        # Now and then a teenager around the 18-year bound of some listings.
        born_on=(
            dt.date(1950, 1, 1)
            if _usually(draw)
            else starts_on - dt.timedelta(days=draw(st.integers(16 * 365, 19 * 365)))
        ),
        coverage=draw(st.sampled_from(list(model.Coverage))),
        died_on=None if _usually(draw) else _day_near(draw, starts_on, 30, MAX_SPAN_DAYS),
        sex=draw(st.sampled_from([None, *records.Sexe])),
    )
    prescription = model.Prescription(
        prescribed_on=_day_near(draw, starts_on, 30, 0), months=draw(st.integers(1, 18))
    )
    renewals = tuple(
        model.Prescription(_day_near(draw, starts_on, 0, MAX_SPAN_DAYS), draw(st.integers(1, 18)))
        for _ in range(draw(st.integers(0, 3)))
    )
    majorations = []
    for _ in range(draw(st.integers(0, 2))):
        since = _day_near(draw, starts_on, 60, 300)
        until = None
        if draw(st.booleans()):
            until = since + dt.timedelta(days=draw(st.integers(1, 400)))
        level = draw(st.sampled_from(list(model.MajorationLevel)))
        majorations.append(model.Majoration(level, since, until))
    pec = model.PriseEnCharge(
        indication=draw(st.sampled_from(list(catalogue.Indication))),
        starts_on=starts_on,
        prescription=prescription,
        renewals=renewals,
        pecan=not _usually(draw),
        majorations=tuple(majorations),
        stopped_on=None if _usually(draw) else _day_near(draw, starts_on, 10, 500),
        attested=(
            None
            if _usually(draw)
            else model.Attested(
                draw(st.sampled_from(["ic_chronique", "dt1", "inconnu"])),
                frozenset(draw(st.sets(st.sampled_from(HF_CRITERIA)))),
            )
        ),
    )
    return model.Situation(
        operateur=operateur,
        convention=model.Convention(signed_on, ends_on),
        dmn=dmn,
        patient=patient,
        prise_en_charge=pec,
        days_with_data=_days_with_data(draw, starts_on, MAX_SPAN_DAYS),
    )


@st.composite
def judged_situations(draw: st.DrawFn) -> tuple[model.Situation, dt.date]:
    situation = draw(situations())
    offset = draw(st.integers(min_value=0, max_value=MAX_SPAN_DAYS))
    return situation, situation.prise_en_charge.starts_on + dt.timedelta(days=offset)


def _judge(situation: model.Situation, as_of: dt.date) -> verdict.Judgement:
    return engine.judge(REGULATION, situation, as_of)


@given(judged_situations())
@PROPERTY
def test_a_period_never_has_two_lines_of_a_kind(case: tuple[model.Situation, dt.date]) -> None:
    for period in _judge(*case).periods:
        kinds = [line.forfait for line in period.lines]
        assert len(kinds) == len(set(kinds)), period.number


@given(judged_situations())
@PROPERTY
def test_a_period_has_a_technique_line_if_and_only_if_it_has_an_operateur_line(
    case: tuple[model.Situation, dt.date],
) -> None:
    for period in _judge(*case).periods:
        has_operateur = period.line(verdict.Forfait.OPERATEUR) is not None
        has_technique = period.line(verdict.Forfait.TECHNIQUE) is not None
        assert has_operateur == has_technique, period.number


@given(judged_situations())
@PROPERTY
def test_a_period_is_billable_iff_it_has_lines_iff_it_has_no_reason(
    case: tuple[model.Situation, dt.date],
) -> None:
    for period in _judge(*case).periods:
        assert period.billable == bool(period.lines) == (not period.reasons), period.number


@given(judged_situations())
@PROPERTY
def test_the_amo_share_and_the_rest_add_up_to_every_amount(
    case: tuple[model.Situation, dt.date],
) -> None:
    for period in _judge(*case).periods:
        for line in period.lines:
            if line.amount is None:
                assert line.amo is None
                assert line.rest is None
                continue
            assert line.amo is not None
            assert line.rest is not None
            assert line.amo + line.rest == line.amount
            assert Decimal(0) <= line.amo <= line.amount


@given(judged_situations())
@PROPERTY
def test_series_hold_the_billable_periods_in_order_within_their_limits(
    case: tuple[model.Situation, dt.date],
) -> None:
    judged = _judge(*case)
    billable = [p.number for p in judged.periods if p.billable]
    assert [n for s in judged.series for n in s.periods] == billable
    for series in judged.series:
        assert 1 <= len(series.periods) <= 6
        assert [n for sheet in series.paper_sheets for n in sheet] == list(series.periods)
        for sheet in series.paper_sheets:
            assert 1 <= len(sheet) <= 4


@given(judged_situations(), st.randoms(use_true_random=False))
@PROPERTY
def test_verdicts_do_not_depend_on_the_order_days_are_given(
    case: tuple[model.Situation, dt.date], rnd: random.Random
) -> None:
    situation, as_of = case
    days = sorted(situation.days_with_data)
    rnd.shuffle(days)
    shuffled = model.Situation(
        operateur=situation.operateur,
        convention=situation.convention,
        dmn=situation.dmn,
        patient=situation.patient,
        prise_en_charge=situation.prise_en_charge,
        days_with_data=frozenset(days),
    )
    in_reverse = model.Situation(
        operateur=situation.operateur,
        convention=situation.convention,
        dmn=situation.dmn,
        patient=situation.patient,
        prise_en_charge=situation.prise_en_charge,
        days_with_data=frozenset(sorted(situation.days_with_data, reverse=True)),
    )
    reference = _judge(situation, as_of)
    assert _judge(shuffled, as_of) == reference
    assert _judge(in_reverse, as_of) == reference


@given(judged_situations(), st.integers(min_value=1, max_value=400))
@PROPERTY
def test_judging_later_never_changes_a_verdict_already_given(
    case: tuple[model.Situation, dt.date], later_by: int
) -> None:
    situation, as_of = case
    earlier = _judge(situation, as_of)
    later = _judge(situation, as_of + dt.timedelta(days=later_by))
    assert len(later.periods) >= len(earlier.periods)
    for before, after in zip(earlier.periods, later.periods, strict=False):
        assert before.number == after.number
        assert before.billable == after.billable
        assert before.lines == after.lines
        assert before.reasons == after.reasons


@given(judged_situations())
@PROPERTY
def test_every_reason_and_note_names_a_known_rule(case: tuple[model.Situation, dt.date]) -> None:
    for period in _judge(*case).periods:
        for reason in (*period.reasons, *period.notes):
            assert reason.rule in catalogue.RULE_IDS
            assert reason.cite, reason.rule


@given(judged_situations())
@PROPERTY
def test_only_heart_failure_and_diabetes_are_majorated(
    case: tuple[model.Situation, dt.date],
) -> None:
    situation, as_of = case
    for period in _judge(situation, as_of).periods:
        for line in period.lines:
            if line.coefficient is not None and line.coefficient > 1:
                assert situation.prise_en_charge.indication in MAJORABLE
                assert line.forfait is verdict.Forfait.OPERATEUR


@given(judged_situations())
@PROPERTY
def test_periods_are_numbered_from_one_and_all_elapsed(
    case: tuple[model.Situation, dt.date],
) -> None:
    situation, as_of = case
    judged = _judge(situation, as_of)
    assert [p.number for p in judged.periods] == list(range(1, len(judged.periods) + 1))
    for period in judged.periods:
        assert period.last_day < as_of
        assert 0 <= period.days_with_data <= (period.last_day - period.start).days + 1
