"""The synthetic billing population: dated from the caller's start and the regulation data."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from telesurveillance.adapters.sql.billing import streams as ledger_streams
from telesurveillance.adapters.sql.billing import synthetic
from telesurveillance.domain.billing import engine as billing_engine
from telesurveillance.domain.pathway import prescription
from telesurveillance.domain.regulation import catalogue, store

Indication = catalogue.Indication


def test_the_organisation_is_in_place_from_the_start_of_the_common_law(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    opened = regulation.common_law_start()
    starts_on = opened + dt.timedelta(days=400)
    pop = synthetic.populate(engine, 2, starts_on=starts_on, periods=1, regulation=regulation)
    assert pop.starts_on == starts_on
    with engine.connect() as conn:
        streams = ledger_streams.load(conn, starts_on + dt.timedelta(days=60))
    for stream in streams:
        sit = stream.situation
        assert sit.operateur.ars_declared_on == opened
        assert sit.convention.signed_on == opened
        assert sit.dmn.certified_from == opened
        assert sit.dmn.certified_until == starts_on + synthetic.CERTIFICATE_SPAN
        assert starts_on <= sit.prise_en_charge.starts_on < starts_on + dt.timedelta(days=20)
        age = starts_on.year - sit.patient.born_on.year
        assert 36 <= age <= synthetic.OLDEST_AGE


def test_monitoring_may_start_on_the_first_day_of_the_common_law(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    opened = regulation.common_law_start()
    pop = synthetic.populate(engine, 1, starts_on=opened, periods=1)
    assert pop.starts_on == opened


def test_monitoring_may_not_start_before_the_common_law(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    day_before = regulation.common_law_start() - dt.timedelta(days=1)
    with pytest.raises(ValueError, match="before the LATM common law"):
        synthetic.populate(engine, 1, starts_on=day_before, periods=1)


def test_every_generated_period_is_covered_by_a_prescription_within_its_indications_limit(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    starts_on = dt.date(2025, 1, 6)
    periods = 12
    synthetic.populate(engine, 4, starts_on=starts_on, periods=periods)
    until = starts_on + dt.timedelta(days=30 * periods + 20)
    with engine.connect() as conn:
        streams = ledger_streams.load(conn, until)
    by_indication = {s.situation.prise_en_charge.indication.value: s for s in streams}
    diabetes = by_indication["diabete"].situation.prise_en_charge
    assert [p.months for p in diabetes.prescriptions] == [3, 3, 3, 3]
    heart = by_indication["insuffisance_cardiaque"].situation.prise_en_charge
    assert [p.months for p in heart.prescriptions] == [12]
    for stream in streams:
        judged = billing_engine.judge(regulation, stream.situation, until)
        assert len(judged.periods) == periods
        for period in judged.periods:
            rules = {r.rule for r in (*period.reasons, *period.notes)}
            assert "prescription.not_covered" not in rules
            assert "prescription.over_indication_maximum" not in rules


def test_a_renewal_is_written_inside_the_pathways_renewal_window(
    regulation: store.Regulation,
) -> None:
    start = dt.date(2025, 1, 6)
    first, renewal = synthetic.chain(regulation, Indication.DIABETE, start, 4)
    end = start + dt.timedelta(days=90)
    assert first == synthetic.Prescribed(start, 3, False)
    assert renewal.renewal
    assert prescription.renewal_opens_on(end) <= renewal.prescribed_on < end


def test_a_chain_has_one_prescription_even_for_no_period(regulation: store.Regulation) -> None:
    start = dt.date(2025, 1, 6)
    assert synthetic.chain(regulation, Indication.DIABETE, start, 0) == (
        synthetic.Prescribed(start, 3, False),
    )
