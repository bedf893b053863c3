"""The ordonnance never writes the indication's words twice."""

from __future__ import annotations

from telesurveillance.domain.pathway import documents


def test_a_sub_population_starting_with_the_indication_stands_alone() -> None:
    line = documents.indication_line(
        "Insuffisance cardiaque chronique",
        "Insuffisance cardiaque chronique, quelle que soit la FEVG",
    )
    assert line == "Insuffisance cardiaque chronique, quelle que soit la FEVG"


def test_a_sub_population_with_other_words_follows_the_indication() -> None:
    line = documents.indication_line(
        "Insuffisance rénale chronique", "Patients dialysés à domicile"
    )
    assert line == "Insuffisance rénale chronique — Patients dialysés à domicile"


def test_no_sub_population_is_the_indication_alone() -> None:
    assert documents.indication_line("Diabète gestationnel", None) == "Diabète gestationnel"
