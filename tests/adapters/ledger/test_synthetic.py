"""The synthetic billing population: dated from the caller's start and the regulation data."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from telesurveillance.adapters.sql.billing import streams as ledger_streams
from telesurveillance.adapters.sql.billing import synthetic
from telesurveillance.domain.regulation import store


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
