"""Issuing a document renders its contents and archives the very bytes handed out."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import sqlalchemy as sa

from telesurveillance.domain.pathway import documents, refusals
from telesurveillance.domain.regulation import store
from telesurveillance.services.pathway import care
from telesurveillance.services.pathway import documents as pathway_documents
from tests.services.pathway import world as w


def _ordonnance_bytes(doc: documents.Ordonnance) -> bytes:
    return f"ordonnance {doc.prescribed_on.isoformat()} {doc.months}".encode()


def _report_bytes(doc: documents.EndReport) -> bytes:
    return f"fin {doc.stopped_on.isoformat()} {doc.written_on.isoformat()}".encode()


def _included(world: w.World, regulation: store.Regulation) -> int:
    ic = w.Indication.INSUFFISANCE_CARDIAQUE
    included = care.include(world.store, regulation, w.inclusion(world, regulation, ic), w.START)
    return included.prise_en_charge_id


def test_the_ordonnance_issued_is_rendered_from_its_prescription_and_archived(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    pec = _included(world, regulation)
    doctor = w.prescriber(world, w.Indication.INSUFFISANCE_CARDIAQUE)
    rx = care.prescribe(world.store, regulation, pec, doctor, w.START, 3)
    content = pathway_documents.issue_ordonnance(
        world.store, regulation, pec, _ordonnance_bytes, rx
    )
    assert content == f"ordonnance {w.START.isoformat()} 3".encode()
    assert [d[1:] for d in world.store.documents(pec)] == [
        (pathway_documents.ORDONNANCE, rx, hashlib.sha256(content).hexdigest())
    ]


def test_the_end_report_is_issued_only_once_monitoring_is_stopped(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    pec = _included(world, regulation)
    today = w.START + dt.timedelta(days=45)
    with pytest.raises(refusals.Refused) as refused:
        pathway_documents.issue_end_report(world.store, regulation, pec, today, _report_bytes)
    assert refused.value.rule == "monitoring.not_stopped"
    assert world.store.documents(pec) == []
    stopped_on = w.START + dt.timedelta(days=40)
    care.stop(world.store, regulation, pec, stopped_on, "hospitalisation")
    content = pathway_documents.issue_end_report(world.store, regulation, pec, today, _report_bytes)
    assert content == f"fin {stopped_on.isoformat()} {today.isoformat()}".encode()
    assert [d[1:] for d in world.store.documents(pec)] == [
        (pathway_documents.END_REPORT, None, hashlib.sha256(content).hexdigest())
    ]
