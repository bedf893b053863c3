"""The PDF documents: French formatting by Babel and self-contained WeasyPrint output."""

from __future__ import annotations

import datetime as dt

from telesurveillance.adapters.pdf import render
from telesurveillance.domain.pathway import documents
from tests.services.pathway.test_walk import text_of


def test_dates_are_written_in_french() -> None:
    assert render.long_date(dt.date(2024, 3, 2)) == "2 mars 2024"
    assert render.short_date(dt.date(2024, 3, 2)) == "02/03/2024"


def test_the_end_report_lists_sessions_and_majorations() -> None:
    report = documents.EndReport(
        patient=documents.Person("Morel", "Hugo"),
        patient_age=71,
        indication="Insuffisance cardiaque chronique",
        dmn_name="CardioSuivi",
        operateur_name="Cabinet",
        prescriber=documents.Person("Dupont", "Anne"),
        prescriber_rpps="10003456789",
        starts_on=dt.date(2024, 6, 3),
        stopped_on=dt.date(2024, 9, 1),
        reason="décès",
        prescriptions=((dt.date(2024, 6, 3), 6, False),),
        days_with_data=80,
        days_followed=90,
        support_sessions=(documents.Session(dt.date(2024, 6, 10), "Luc Infirmier", "Éducation"),),
        majorations=((2, dt.date(2024, 6, 3), dt.date(2024, 11, 30)),),
        written_on=dt.date(2024, 9, 2),
    )
    text = text_of(render.end_report(report))
    for mention in (
        "Hugo MOREL",
        "71 ans",
        "décès",
        "80 sur 90 jours",
        "10 juin 2024",
        "Luc Infirmier",
        "Niveau 2 du 3 juin 2024 au 30 novembre 2024",
        "prescription initiale",
        "RPPS 10003456789",
    ):
        assert mention in text, mention
    assert "PATIENT FICTIF" not in text


def test_markup_is_escaped() -> None:
    markup = render.html(
        "fin_de_prise_en_charge.html",
        doc=documents.EndReport(
            patient=documents.Person("<script>", "x"),
            patient_age=1,
            indication="i",
            dmn_name="d",
            operateur_name="o",
            prescriber=None,
            prescriber_rpps=None,
            starts_on=dt.date(2024, 1, 1),
            stopped_on=dt.date(2024, 2, 1),
            reason="r",
            prescriptions=(),
            days_with_data=0,
            days_followed=31,
            support_sessions=(),
            majorations=(),
            written_on=dt.date(2024, 2, 1),
        ),
    )
    assert "<script>" not in markup.replace("<script", "&lt;script", 0)
    assert "&lt;SCRIPT&gt;" in markup


def test_the_end_report_prints_each_prescriptions_covered_days() -> None:
    report = documents.EndReport(
        patient=documents.Person("Morel", "Hugo"),
        patient_age=71,
        indication="Diabète",
        dmn_name="GlycoLien",
        operateur_name="Cabinet",
        prescriber=None,
        prescriber_rpps=None,
        starts_on=dt.date(2024, 6, 3),
        stopped_on=dt.date(2024, 10, 1),
        reason="hospitalisation",
        prescriptions=((dt.date(2024, 6, 3), 6, False), (dt.date(2024, 8, 22), 3, True)),
        days_with_data=80,
        days_followed=120,
        support_sessions=(),
        majorations=(),
        written_on=dt.date(2024, 10, 1),
        covered=((dt.date(2024, 6, 3), dt.date(2024, 8, 31)), None),
    )
    text = text_of(render.end_report(report))
    assert "Période couverte" in text
    assert "du 3 juin 2024 au 31 août 2024" in text
    assert "aucune" in text
