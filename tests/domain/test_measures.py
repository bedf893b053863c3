"""The measurement table: LOINC codes, one canonical unit per kind, plausibility bounds."""

from __future__ import annotations

import decimal
import fractions

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telesurveillance.domain.measures import table as measures

TABLE = measures.packaged()


@pytest.mark.parametrize(
    ("loinc", "name"),
    [
        ("29463-7", "poids"),
        ("8480-6", "pression_systolique"),
        ("8462-4", "pression_diastolique"),
        ("8867-4", "frequence_cardiaque"),
        ("2708-6", "spo2"),
        ("59408-5", "spo2"),
        ("8310-5", "temperature"),
        ("9279-1", "frequence_respiratoire"),
        ("2339-0", "glycemie"),
        ("2345-7", "glycemie"),
        ("41653-7", "glycemie"),
        ("15074-8", "glycemie"),
        ("14749-6", "glycemie"),
        ("14743-9", "glycemie"),
        ("8302-2", "taille"),
        ("39156-5", "imc"),
        ("99504-3", "glucose_capteur"),
        ("105272-9", "glucose_capteur"),
        ("4548-4", "hba1c"),
        ("41950-7", "pas"),
    ],
)
def test_each_loinc_code_of_the_issue_has_its_kind(loinc: str, name: str) -> None:
    kind = TABLE.by_loinc(loinc)
    assert kind is not None
    assert kind.name == name


def test_the_blood_pressure_panel_has_systolic_and_diastolic_components() -> None:
    panel = TABLE.panel("85354-9")
    assert panel is not None
    assert panel.components == ("8480-6", "8462-4")


def test_pounds_become_kilograms() -> None:
    assert TABLE.by_name("poids").normalise(100, "[lb_av]") == pytest.approx(45.359237)


def test_glucose_in_mmol_per_litre_becomes_mg_per_decilitre() -> None:
    assert TABLE.by_name("glycemie").normalise(5.5, "mmol/L") == pytest.approx(99.088)


def test_fahrenheit_becomes_celsius() -> None:
    assert TABLE.by_name("temperature").normalise(98.6, "[degF]") == pytest.approx(37.0)


@pytest.mark.parametrize(
    ("name", "value", "unit", "canonical"),
    [
        ("temperature", 98.6, "[degF]", 37.0),
        ("temperature", 100.4, "[degF]", 38.0),
        ("poids", 185, "[lb_av]", 83.914588),
        ("poids", 1, "[lb_av]", 0.453592),
        ("taille", 66.89999999999999, "[in_i]", 169.926),
        ("taille", 70, "[in_i]", 177.8),
        ("taille", 6, "[ft_i]", 182.88),
        ("taille", 1.75, "m", 175.0),
        ("glycemie", 6.3, "mmol/L", 113.5008),
        ("glycemie", 6.3, "mmol/l", 113.5008),
        ("glycemie", 1.26, "g/L", 126.0),
        ("glycemie", 126, "mg/dl", 126.0),
        ("glucose_capteur", 6.7, "mmol/L", 120.7072),
        ("frequence_cardiaque", 44, "/min", 44.0),
        ("frequence_respiratoire", 26, "1/min", 26.0),
    ],
)
def test_conversions_are_exact_on_the_decimal_written(
    name: str, value: float, unit: str, canonical: float
) -> None:
    """Each conversion is computed on the decimal sent, with the rational UCUM factor, and
    rounded once to 6 decimals: the result is the float nearest the exact value."""
    assert TABLE.by_name(name).normalise(value, unit) == canonical


def test_a_float_factor_in_the_table_is_refused_it_would_not_be_exact() -> None:
    text = """
kinds:
  - {id: 1, name: a, label: A, loinc: ["1-1"], unit: kg, units: {kg: [1, 0], g: [0.001, 0]},
     plausible: [0, 1]}
"""
    with pytest.raises(ValueError, match="integer or a string"):
        measures.parse(text)


def test_an_unknown_unit_is_refused_naming_the_code() -> None:
    with pytest.raises(measures.MeasurementError) as refused:
        TABLE.by_name("poids").normalise(80, "mg", "Observation.valueQuantity")
    assert refused.value.field == "Observation.valueQuantity.code"


@pytest.mark.parametrize(
    ("name", "unit", "below", "lowest", "highest", "above"),
    [
        ("poids", "kg", 0.29, 0.3, 400, 400.01),
        ("spo2", "%", 29.9, 30, 100, 100.1),
        ("glycemie", "mg/dL", 9.9, 10, 1500, 1500.1),
        ("temperature", "Cel", 24.9, 25, 45, 45.1),
        ("taille", "cm", 19.9, 20, 280, 280.1),
        ("imc", "kg/m2", 4.9, 5, 250, 250.1),
    ],
)
def test_plausibility_bounds_hold_on_both_sides(
    name: str, unit: str, below: float, lowest: float, highest: float, above: float
) -> None:
    kind = TABLE.by_name(name)
    assert kind.normalise(lowest, unit) == lowest
    assert kind.normalise(highest, unit) == highest
    for value in (below, above):
        with pytest.raises(measures.MeasurementError):
            kind.normalise(value, unit)


def test_a_negative_weight_and_a_zero_glucose_are_implausible() -> None:
    with pytest.raises(measures.MeasurementError):
        TABLE.by_name("poids").normalise(-1, "kg")
    with pytest.raises(measures.MeasurementError):
        TABLE.by_name("glycemie").normalise(0, "mg/dL")


def test_a_table_with_a_duplicate_loinc_code_is_refused() -> None:
    text = """
kinds:
  - {id: 1, name: a, label: A, loinc: ["1-1"], unit: kg, units: {kg: [1, 0]}, plausible: [0, 1]}
  - {id: 2, name: b, label: B, loinc: ["1-1"], unit: kg, units: {kg: [1, 0]}, plausible: [0, 1]}
"""
    with pytest.raises(ValueError, match="duplicate"):
        measures.parse(text)


_CONVERSIONS = sorted(
    (kind.name, unit)
    for kind in TABLE.kinds
    for unit, (factor, offset) in kind.units.items()
    if not (factor == 1 and offset == 0)
)


@given(
    conversion=st.sampled_from(_CONVERSIONS),
    value=st.decimals(min_value=-5000, max_value=5000, places=7, allow_nan=False),
)
def test_the_fast_conversion_equals_the_exact_one(
    conversion: tuple[str, str], value: decimal.Decimal
) -> None:
    """The float computation with its tie guard gives what fractions on the decimal written
    give, rounded once to 6 decimals (ties to even)."""
    name, unit = conversion
    factor, offset = TABLE.by_name(name).units[unit]
    written = float(value)
    exact = round(fractions.Fraction(repr(written)) * factor + offset, measures.DECIMALS)
    assert measures.converted(written, factor, offset) == float(exact)
