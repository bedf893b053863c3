"""The pathway's rows are what billing reads: a stream loaded from the store after an inclusion
is billed by the engine; documents are archived byte for byte; stops are compare-and-set."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

import sqlalchemy as sa

from telesurveillance.adapters.sql.billing import streams as ledger_streams
from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.pathway import tables as tp
from telesurveillance.domain.billing import engine as billing
from telesurveillance.domain.regulation import store
from telesurveillance.services.pathway import care, documents, followup
from tests.services.pathway import world as w


def test_the_billing_engine_bills_what_the_pathway_recorded(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    ic = w.Indication.INSUFFISANCE_CARDIAQUE
    included = care.include(world.store, regulation, w.inclusion(world, regulation, ic), w.START)
    pec = included.prise_en_charge_id
    doctor = w.prescriber(world, ic)
    care.prescribe(world.store, regulation, pec, doctor, w.START, 6)
    followup.attest_majoration(world.store, regulation, pec, 1, w.START, doctor, "NYHA III")
    w.add_days(engine, included.patient_id, w.START, 60)
    as_of = w.START + dt.timedelta(days=60)
    with engine.connect() as conn:
        streams = ledger_streams.load(conn, as_of)
    assert [s.prise_en_charge_id for s in streams] == [pec]
    judged = billing.judge(regulation, streams[0].situation, as_of)
    assert [p.billable for p in judged.periods] == [True, True]
    assert all(not p.reasons for p in judged.periods)
    assert streams[0].facts.consent_on == w.START
    assert streams[0].facts.prescriber_rpps is not None


def test_a_stream_without_ars_declaration_is_refused_by_billing_too(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    ic = w.Indication.INSUFFISANCE_CARDIAQUE
    included = care.include(world.store, regulation, w.inclusion(world, regulation, ic), w.START)
    w.add_days(engine, included.patient_id, w.START, 30)
    care.prescribe(
        world.store, regulation, included.prise_en_charge_id, w.prescriber(world, ic), w.START, 3
    )
    # the receipt is withdrawn afterwards (e.g. entered by mistake): billing sees it
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE operateurs SET ars_declared_on = NULL")
    with engine.connect() as conn:
        stream = ledger_streams.load(conn, w.START + dt.timedelta(days=30))[0]
    judged = billing.judge(regulation, stream.situation, w.START + dt.timedelta(days=30))
    assert [r.rule for r in judged.periods[0].reasons] == ["prerequisite.ars_declaration"]


def test_an_archived_document_keeps_its_bytes_and_digest(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    ic = w.Indication.INSUFFISANCE_CARDIAQUE
    included = care.include(world.store, regulation, w.inclusion(world, regulation, ic), w.START)
    pec = included.prise_en_charge_id
    content = b"%PDF-1.7 \x00\xff binary"
    doc_id = documents.archive(world.store, pec, documents.END_REPORT, content)
    assert world.store.document(doc_id) == (pec, documents.END_REPORT, content)
    assert world.store.documents(pec) == [
        (doc_id, "fin_de_prise_en_charge", None, hashlib.sha256(content).hexdigest())
    ]


def test_a_stop_on_a_stale_version_changes_nothing(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    ic = w.Indication.INSUFFISANCE_CARDIAQUE
    included = care.include(world.store, regulation, w.inclusion(world, regulation, ic), w.START)
    pec = world.store.prise_en_charge(included.prise_en_charge_id)
    assert pec is not None
    stop = world.store.stop
    assert stop(pec.id, pec.version + 1, w.START, "hospitalisation", None) is False
    assert stop(pec.id, pec.version, w.START, "hospitalisation", None) is True
    assert stop(pec.id, pec.version, w.START, "hospitalisation", None) is False


def test_the_inclusion_records_consent_and_eligibility_detail(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    renal = w.Indication.INSUFFISANCE_RENALE
    request = dataclasses.replace(w.inclusion(world, regulation, renal), device_serial=" SN-1 ")
    included = care.include(world.store, regulation, request, w.START)
    with engine.connect() as conn:
        consent = conn.execute(sa.select(tp.pathway_consents)).mappings().one()
        group = conn.execute(sa.select(tp.pathway_eligibility)).mappings().one()
        device = conn.execute(sa.select(tables.devices)).mappings().one()
    assert (device["serial"], device["patient_id"]) == ("SN-1", included.patient_id)
    assert device["dmn_id"] == world.dmns[renal]
    assert consent["method"] == "ecrit"
    assert group["sous_population"] == "dialyse_domicile"
    assert group["prise_en_charge_id"] == included.prise_en_charge_id


def test_a_trial_review_marked_twice_is_recorded_once(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    d = w.Indication.DIABETE
    included = care.include(world.store, regulation, w.inclusion(world, regulation, d), w.START)
    pec = included.prise_en_charge_id
    due = w.START + dt.timedelta(days=30)
    for _ in range(2):
        followup.mark_done(world.store, pec, "fin_periode_essai", due, due)
    found = world.store.prise_en_charge(pec)
    assert found is not None
    assert found.marks == (("fin_periode_essai", due),)
