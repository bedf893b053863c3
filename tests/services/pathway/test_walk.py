"""A patient per indication walks the whole pathway: inclusion → prescription → ordonnance PDF →
follow-up → renewal → end, with the end-of-care report; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest
import sqlalchemy as sa

from telesurveillance.adapters.pdf import render
from telesurveillance.domain.pathway import documents, prescription, refusals, tasks
from telesurveillance.domain.regulation import store
from telesurveillance.services.pathway import care, followup
from telesurveillance.services.pathway import documents as pathway_documents
from tests.services.pathway import world as w

Indication = w.Indication
MAJORATED = {Indication.INSUFFISANCE_CARDIAQUE, Indication.DIABETE}


def text_of(pdf: bytes) -> str:
    """The PDF's text as pdftotext reads it, whitespace collapsed."""
    assert pdf.startswith(b"%PDF-")
    found = subprocess.run(
        ["/usr/bin/pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return re.sub(r"\s+", " ", found)


@pytest.mark.parametrize("indication", list(Indication))
def test_a_patient_walks_the_pathway(
    engine: sa.Engine, regulation: store.Regulation, indication: w.Indication
) -> None:
    world = w.build(engine)
    st = world.store
    months = w.SPEC[indication][2]
    included = care.include(st, regulation, w.inclusion(world, regulation, indication), w.START)
    doctor = w.prescriber(world, indication)
    rx_id = care.prescribe(st, regulation, included.prise_en_charge_id, doctor, w.START, months)

    # The ordonnance carries every mandatory mention.
    doc = pathway_documents.ordonnance(st, regulation, included.prise_en_charge_id, rx_id)
    text = text_of(render.ordonnance(doc))
    for mention in (
        doc.patient.full_name,
        f"{doc.patient_age} ans",
        doc.indication,
        f"{months} mois",
        w.DMN_NAMES[indication],
        doc.prescriber.full_name,
        f"RPPS {doc.prescriber_rpps}",
        "3 juin 2024",
    ):
        assert mention in text, mention
    assert doc.patient_age == 63
    assert "anticipée et dérogatoire" not in text
    pathway_documents.archive(
        st, included.prise_en_charge_id, pathway_documents.ORDONNANCE, b"%PDF-1.7", rx_id
    )

    # Follow-up: 20 days of data in month 1, support session where mandatory.
    w.add_days(engine, included.patient_id, w.START, 20)
    pec_id = included.prise_en_charge_id
    if indication in (Indication.DIABETE, Indication.DIABETE_GESTATIONNEL):
        followup.record_session(st, pec_id, w.START + dt.timedelta(days=3), world.nurse_id)
    today = w.START + dt.timedelta(days=31)
    found = {t.kind: t for t in followup.task_list(st, regulation, pec_id, today)}
    checkpoint = next(
        t
        for t in followup.task_list(st, regulation, pec_id, today)
        if t.kind is tasks.Kind.OBSERVANCE_CHECKPOINT
    )
    assert checkpoint.status is tasks.Status.DONE
    if indication in (Indication.DIABETE, Indication.DIABETE_GESTATIONNEL):
        assert found[tasks.Kind.THERAPEUTIC_SUPPORT].status is tasks.Status.DONE
        assert found[tasks.Kind.TRIAL_REVIEW].status is tasks.Status.DUE
    else:
        assert tasks.Kind.THERAPEUTIC_SUPPORT not in found

    # Majorations: heart failure and diabetes only.
    if indication in MAJORATED:
        followup.attest_majoration(
            st, regulation, pec_id, 1, w.START, doctor, "comorbidités attestées"
        )
    else:
        with pytest.raises(refusals.Refused) as refused:
            followup.attest_majoration(
                st, regulation, pec_id, 1, w.START, doctor, "comorbidités attestées"
            )
        assert refused.value.rule == "majoration.not_eligible"

    # Renewal: refused before the window, accepted inside it.
    end = w.START + dt.timedelta(days=30 * months)
    too_early = prescription.renewal_opens_on(end) - dt.timedelta(days=1)
    with pytest.raises(refusals.Refused) as early:
        care.prescribe(st, regulation, pec_id, doctor, too_early, months)
    assert early.value.rule == "prescription.renewal_window"
    care.prescribe(st, regulation, pec_id, doctor, end - dt.timedelta(days=10), months)
    assert len(care.view(st, pec_id).prescriptions) == 2
    renewed = pathway_documents.ordonnance(st, regulation, pec_id)
    assert renewed.renewal
    assert renewed.starts_on == end  # continues right after the first coverage
    assert renewed.trial_ends_on is None
    assert "renouvellement" in text_of(render.ordonnance(renewed))

    # End of monitoring and the report to the prescriber and the patient.
    stopped_on = end + dt.timedelta(days=20)
    care.stop(st, regulation, pec_id, stopped_on, "fin_de_prescription")
    report = pathway_documents.end_report(st, regulation, pec_id, stopped_on)
    text = text_of(render.end_report(report))
    for mention in (
        report.patient.full_name,
        "fin de prescription",
        w.DMN_NAMES[indication],
        "20 sur",
        "renouvellement",
        f"RPPS {report.prescriber_rpps}",
    ):
        assert mention in text, mention
    assert "PATIENT FICTIF" in text
    with pytest.raises(refusals.Refused) as again:
        care.stop(st, regulation, pec_id, stopped_on, "deces")
    assert again.value.rule == "monitoring.stopped"


def test_the_pecan_mention_is_printed_under_pecan(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    indication = Indication.ONCOLOGIE
    included = care.include(
        world.store, regulation, w.inclusion(world, regulation, indication, pecan=True), w.START
    )
    doctor = w.prescriber(world, indication)
    care.prescribe(world.store, regulation, included.prise_en_charge_id, doctor, w.START, 6)
    doc = pathway_documents.ordonnance(world.store, regulation, included.prise_en_charge_id)
    text = text_of(render.ordonnance(doc))
    assert doc.pecan_mention is not None
    assert (
        "La prise en charge du dispositif médical numérique ou de l'activité de télésurveillance "
        "médicale par l'assurance maladie intervient dans le cadre d'une prise en charge "
        "anticipée et dérogatoire" in text
    )


def test_a_death_stops_monitoring_and_is_recorded_on_the_patient(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    included = care.include(
        world.store,
        regulation,
        w.inclusion(world, regulation, Indication.INSUFFISANCE_CARDIAQUE),
        w.START,
    )
    died = w.START + dt.timedelta(days=40)
    care.stop(world.store, regulation, included.prise_en_charge_id, died, "deces")
    patient = world.store.patient(included.patient_id)
    assert patient is not None
    assert patient.died_on == died


def test_the_ordonnance_names_the_speciality_in_french() -> None:
    assert documents.speciality_label("diabetologue") == "diabétologue"
