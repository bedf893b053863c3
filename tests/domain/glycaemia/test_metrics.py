"""Time in ranges, GMI, variability and sensor wear against the 2019 consensus, each threshold
on both sides of its boundary."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telesurveillance.domain.glycaemia import consensus, metrics

RULES = consensus.packaged()
STANDARD = RULES.profile_for({"diabete"})
PREGNANCY = RULES.profile_for({"diabete_gestationnel"})
MINUTE = 60_000


def _profile(found: consensus.Profile | None) -> consensus.Profile:
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (53.9, "tbr2"),
        (54, "tbr1"),
        (69.9, "tbr1"),
        (70, "tir"),
        (180, "tir"),
        (180.1, "tar1"),
        (250, "tar1"),
        (250.1, "tar2"),
    ],
)
def test_each_standard_band_boundary_falls_on_the_consensus_side(value: float, band: str) -> None:
    assert _profile(STANDARD).band_of(value).name == band


@pytest.mark.parametrize(
    ("value", "band"),
    [(53.9, "tbr2"), (54, "tbr1"), (62.9, "tbr1"), (63, "tir"), (140, "tir"), (140.1, "tar")],
)
def test_the_pregnancy_range_is_63_to_140(value: float, band: str) -> None:
    assert _profile(PREGNANCY).band_of(value).name == band


def test_a_patient_followed_for_gestational_and_other_diabetes_is_read_as_pregnant() -> None:
    assert _profile(RULES.profile_for({"diabete", "diabete_gestationnel"})).name == "grossesse"
    assert _profile(STANDARD).name == "standard"
    assert RULES.profile_for({"oncologie"}) is None


def test_the_pregnancy_targets_are_marked_not_established_for_gestational_diabetes() -> None:
    assert not _profile(PREGNANCY).established
    assert _profile(STANDARD).established


def _target(profile: consensus.Profile | None, name: str) -> consensus.Target:
    return next(t for t in _profile(profile).targets if t.name == name)


@pytest.mark.parametrize(
    ("name", "met", "missed"),
    [
        ("tir", 70.1, 70),
        ("below_70", 3.9, 4),
        ("below_54", 0.9, 1),
        ("above_180", 24.9, 25),
        ("above_250", 4.9, 5),
    ],
)
def test_each_share_target_is_met_strictly_beyond_its_limit(
    name: str, met: float, missed: float
) -> None:
    target = _target(STANDARD, name)
    assert target.met(met)
    assert not target.met(missed)


def test_shares_count_readings_per_band() -> None:
    found = metrics.shares([50, 60, 100, 100, 200, 300, 120, 130, 140, 150], _profile(STANDARD))
    assert [(s.band.name, s.percent) for s in found] == [
        ("tbr2", 10.0),
        ("tbr1", 10.0),
        ("tir", 60.0),
        ("tar1", 10.0),
        ("tar2", 10.0),
    ]
    assert metrics.share_of(found, ["tbr1", "tbr2"]) == 20.0
    assert found[2].minutes_per_day == 864


def test_without_readings_every_share_is_zero() -> None:
    assert all(s.percent == 0 for s in metrics.shares([], _profile(STANDARD)))


# A busy machine slows generation and runs; the property does not depend on time.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.floats(min_value=20, max_value=600), min_size=1, max_size=300))
def test_the_bands_sum_to_100_percent(values: list[float]) -> None:
    for found in (STANDARD, PREGNANCY):
        assert sum(s.percent for s in metrics.shares(values, _profile(found))) == pytest.approx(100)


def test_gmi_follows_bergenstal_2018() -> None:
    # 3.31 + 0.02392 x 150 = 6.898 %; x 154 = 6.99368 %
    assert RULES.gmi_percent(150) == pytest.approx(6.898)
    assert RULES.gmi_percent(154) == pytest.approx(6.99368)


def test_coefficient_of_variation_is_the_sample_sd_over_the_mean() -> None:
    assert metrics.coefficient_of_variation([100, 100, 100]) == 0
    assert metrics.coefficient_of_variation([90, 110]) == pytest.approx(100 * 14.142135 / 100)
    assert metrics.coefficient_of_variation([100]) is None


def test_stable_glucose_is_a_cv_of_at_most_36_percent() -> None:
    assert RULES.cv_at_most == 36


def test_a_sensor_reading_every_five_minutes_is_active_all_the_time() -> None:
    day = 24 * 60 * MINUTE
    ts = list(range(0, day, 5 * MINUTE))
    assert metrics.active_percent(ts, 0, day) == pytest.approx(100)


def test_a_sensor_worn_half_the_window_is_active_half_the_time() -> None:
    day = 24 * 60 * MINUTE
    ts = list(range(0, day // 2, 5 * MINUTE))
    assert metrics.active_percent(ts, 0, day) == pytest.approx(50)


def test_a_sensor_storing_every_fifteen_minutes_is_read_at_its_own_interval() -> None:
    day = 24 * 60 * MINUTE
    assert metrics.active_percent(list(range(0, day, 15 * MINUTE)), 0, day) == pytest.approx(100)


def test_no_reading_means_no_wear_and_an_empty_window_is_refused() -> None:
    assert metrics.active_percent([], 0, 1000) == 0
    with pytest.raises(ValueError, match="empty"):
        metrics.active_percent([1], 5, 5)


# A busy machine slows generation and runs; the property does not depend on time.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.integers(min_value=0, max_value=14 * 86_400_000), max_size=400, unique=True),
)
def test_wear_is_between_0_and_100_percent(instants: list[int]) -> None:
    found = metrics.active_percent(sorted(instants), 0, 14 * 86_400_000)
    assert 0 <= found <= 100


@pytest.mark.parametrize(
    ("value", "band"),
    [(53.9, "tbr2"), (54, "tbr1"), (69.9, "tbr1"), (70, "tir"), (180, "tir"), (180.1, "tar1")],
)
def test_shares_count_a_boundary_value_in_the_band_the_consensus_names(
    value: float, band: str
) -> None:
    found = metrics.shares([value], _profile(STANDARD))
    assert [s.band.name for s in found if s.percent == 100] == [band]


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.floats(min_value=0, max_value=800), min_size=1, max_size=200))
def test_shares_count_each_reading_in_its_band(values: list[float]) -> None:
    for found in (STANDARD, PREGNANCY):
        profile = _profile(found)
        expected = [sum(1 for v in values if profile.band_of(v) == b) for b in profile.bands]
        shares = metrics.shares(values, profile)
        assert [s.percent for s in shares] == [100 * n / len(values) for n in expected]


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.floats(min_value=20, max_value=600), min_size=2, max_size=300))
def test_the_coefficient_of_variation_agrees_with_the_exact_sample_sd(values: list[float]) -> None:
    exact = 100 * statistics.stdev(values) / statistics.fmean(values)
    assert metrics.coefficient_of_variation(values) == pytest.approx(exact, rel=1e-9, abs=1e-9)
