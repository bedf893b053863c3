"""The contents of the ordonnance and of the end-of-care report, and their archive.

Rendering to PDF is the adapters' work (`adapters.pdf`): the edges hand a renderer to
`issue_ordonnance` / `issue_end_report`, which build the contents, render them and archive the
bytes (`archive`), so the document issued can be shown again identically.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from telesurveillance.domain import calendar
from telesurveillance.domain.pathway import documents, eligibility, ending, prescription, refusals
from telesurveillance.domain.regulation import catalogue, records, store
from telesurveillance.services.pathway import care, ports, setup

Store = ports.Store

ORDONNANCE = "ordonnance"
END_REPORT = "fin_de_prise_en_charge"


def ordonnance(
    store_: Store, regulation: store.Regulation, pec_id: int, prescription_id: int | None = None
) -> documents.Ordonnance:
    """The ordonnance of a prescription (default: the latest) with every mandatory mention."""
    pec = care.view(store_, pec_id)
    rxs = [p for p in pec.prescriptions if prescription_id in (None, p.id)]
    if not rxs:
        raise setup.NotFound(f"no prescription {prescription_id or ''} for {pec_id}")
    rx = rxs[-1]
    chain = pec.billing_prescriptions()
    target = chain[pec.prescriptions.index(rx)]
    indication = catalogue.Indication(pec.indication)
    # From the day billing starts counting it: after the coverage before it, each prescription
    # covering at most its indication's maximum (diabetes: 3 months).
    covers_from = prescription.covered_from(regulation, pec.starts_on, chain, target, indication)
    patient, prescriber, dmn = _parties(store_, pec, rx.prescriber_id)
    if prescriber is None or not prescriber.rpps:
        raise setup.NotFound("the prescription has no identified prescriber")
    label = _label(regulation, indication, rx.prescribed_on)
    rules, _ = prescription.rules(regulation, indication, rx.prescribed_on)
    op = store_.operateur(pec.operateur_id)
    address, phone = store_.practitioner_contact(prescriber.id)
    return documents.Ordonnance(
        patient=documents.Person(patient.family, patient.given),
        patient_age=eligibility.age_on(patient.birth_date, rx.prescribed_on),
        patient_born_on=patient.birth_date,
        indication=label,
        sous_population=_group(regulation, indication, pec),
        months=rx.months,
        renewal=rx.renewal,
        dmn_name=dmn.name,
        exploitant_name=dmn.exploitant_name,
        pecan_mention=prescription.pecan_mention(regulation, rx.prescribed_on)
        if pec.pecan
        else None,
        prescriber=documents.Person(prescriber.family, prescriber.given),
        prescriber_rpps=prescriber.rpps,
        prescriber_speciality=prescriber.speciality,
        operateur_name=op.name if op is not None else "",
        prescribed_on=rx.prescribed_on,
        starts_on=covers_from or pec.starts_on,
        trial_ends_on=None
        if rx.renewal
        else prescription.trial_ends_on(regulation, indication, pec.starts_on),
        support=rules.accompagnement if rules.accompagnement_obligatoire_mois else None,
        synthetic=patient.synthetic,
        operateur_finess=op.finess if op is not None else None,
        prescriber_address=address,
        prescriber_phone=phone,
    )


#: Notes quoted in the end-of-care report (the latest), and the length each is cut to.
REPORT_NOTES = 5
NOTE_EXCERPT = 300


def end_report(
    store_: Store,
    regulation: store.Regulation,
    pec_id: int,
    today: dt.date,
    signatory_id: int | None = None,
) -> documents.EndReport:
    """The end-of-care report to the prescriber and the patient (monitoring must be stopped)."""
    pec = care.view(store_, pec_id)
    if pec.stopped_on is None or pec.stop_reason is None:
        raise refusals.Refused(
            "monitoring.not_stopped",
            "the end-of-care report follows the end of monitoring: stop it first",
            refusals.PROJECT_CHOICE,
        )
    first = pec.prescriptions[0].prescriber_id if pec.prescriptions else pec.prescriber_id
    patient, prescriber, dmn = _parties(store_, pec, first)
    indication = catalogue.Indication(pec.indication)
    days = store_.days_with_data(pec.patient_id, pec.starts_on, pec.stopped_on)
    sessions = []
    for s in pec.sessions:
        who = store_.practitioner(s.given_by)
        name = f"{who.given} {who.family}" if who is not None else str(s.given_by)
        sessions.append(documents.Session(s.held_on, name, s.topic))
    op = store_.operateur(pec.operateur_id)
    notes_count, notes = _notes(store_, pec)
    signer, signer_rpps = _signatory(store_, signatory_id, prescriber)
    return documents.EndReport(
        patient=documents.Person(patient.family, patient.given),
        patient_age=eligibility.age_on(patient.birth_date, pec.stopped_on),
        indication=_label(regulation, indication, pec.starts_on),
        dmn_name=dmn.name,
        operateur_name=op.name if op is not None else "",
        prescriber=documents.Person(prescriber.family, prescriber.given)
        if prescriber is not None
        else None,
        prescriber_rpps=prescriber.rpps if prescriber is not None else None,
        starts_on=pec.starts_on,
        stopped_on=pec.stopped_on,
        reason=ending.LABELS_FR[ending.StopReason(pec.stop_reason)],
        prescriptions=tuple((p.prescribed_on, p.months, p.renewal) for p in pec.prescriptions),
        covered=_covered(regulation, pec, indication),
        days_with_data=len(days),
        days_followed=(pec.stopped_on - pec.starts_on).days,
        support_sessions=tuple(sessions),
        majorations=tuple((m.level, m.since, m.until) for m in pec.majorations),
        written_on=today,
        synthetic=patient.synthetic,
        patient_sex=patient.sex,
        patient_died_on=patient.died_on,
        prescriber_speciality=prescriber.speciality if prescriber is not None else None,
        medecin_traitant=store_.medecin_traitant(pec.patient_id),
        periods=_periods(regulation, pec, days),
        alerts=_alerts(store_, pec),
        notes_count=notes_count,
        notes=notes,
        signatory=signer,
        signatory_rpps=signer_rpps,
    )


def _periods(
    regulation: store.Regulation, pec: ports.PriseEnCharge, days: frozenset[dt.date]
) -> tuple[documents.Period, ...]:
    """The 30-day periods followed (date to date from the start), up to the day it stopped."""
    assert pec.stopped_on is not None
    length = regulation.get("periodes.duree_jours", int).at_or_first(pec.starts_on).value
    out: list[documents.Period] = []
    number = 1
    while (span := calendar.period(pec.starts_on, number, length)).start < pec.stopped_on:
        last = min(span.last_day, pec.stopped_on - dt.timedelta(days=1))
        count = sum(1 for d in days if span.start <= d <= last)
        out.append(documents.Period(number, span.start, last, count))
        number += 1
    return tuple(out)


def _millis(day: dt.date) -> int:
    """Midnight in Paris of `day`, in UTC milliseconds (alerts are dated by instant)."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=calendar.PARIS)
    return int(start.timestamp() * 1000)


def _alerts(store_: Store, pec: ports.PriseEnCharge) -> tuple[documents.AlertLine, ...]:
    assert pec.stopped_on is not None
    found = store_.alert_lines(
        pec.patient_id, pec.indication, _millis(pec.starts_on), _millis(pec.stopped_on)
    )
    return tuple(
        documents.AlertLine(
            a.rule_id,
            a.message,
            a.count,
            tuple((documents.DECISIONS_FR.get(d, d), n) for d, n in a.decisions),
        )
        for a in found
    )


def _notes(store_: Store, pec: ports.PriseEnCharge) -> tuple[int, tuple[documents.NoteLine, ...]]:
    assert pec.stopped_on is not None
    start = dt.datetime.combine(pec.starts_on, dt.time(), tzinfo=calendar.PARIS)
    end = dt.datetime.combine(pec.stopped_on, dt.time(), tzinfo=calendar.PARIS)
    count, latest = store_.note_lines(pec.patient_id, start, end, REPORT_NOTES)
    lines = tuple(
        documents.NoteLine(calendar.paris_day(n.written_at), n.author, _cut(n.body)) for n in latest
    )
    return count, lines


def _cut(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= NOTE_EXCERPT else flat[: NOTE_EXCERPT - 1].rstrip() + "…"


def _signatory(
    store_: Store, signatory_id: int | None, prescriber: ports.Practitioner | None
) -> tuple[documents.Person | None, str | None]:
    who = store_.practitioner(signatory_id) if signatory_id is not None else None
    who = who or prescriber
    if who is None:
        return None, None
    return documents.Person(who.family, who.given), who.rpps


def _covered(
    regulation: store.Regulation, pec: ports.PriseEnCharge, indication: catalogue.Indication
) -> tuple[tuple[dt.date, dt.date] | None, ...]:
    """Each prescription's first and last days covered as billing read them, cut at the end of
    monitoring (the day it stopped is not covered)."""
    assert pec.stopped_on is not None
    spans = prescription.covered_spans(
        regulation, pec.starts_on, pec.billing_prescriptions(), indication
    )
    out: list[tuple[dt.date, dt.date] | None] = []
    for span in spans:
        if span is None or span[0] >= pec.stopped_on:
            out.append(None)
        else:
            out.append((span[0], min(span[1], pec.stopped_on) - dt.timedelta(days=1)))
    return tuple(out)


def archive(
    store_: Store, pec_id: int, kind: str, content: bytes, prescription_id: int | None = None
) -> int:
    """Keep the PDF issued, byte for byte (with its SHA-256)."""
    if kind not in (ORDONNANCE, END_REPORT):
        raise ValueError(f"unknown document kind {kind!r}")
    return store_.add_document(pec_id, kind, prescription_id, content)


def issue_ordonnance(
    store_: Store,
    regulation: store.Regulation,
    pec_id: int,
    render: Callable[[documents.Ordonnance], bytes],
    prescription_id: int | None = None,
) -> bytes:
    """The ordonnance of a prescription (default: the latest), rendered by `render` and
    archived byte for byte; returns the bytes issued."""
    content = render(ordonnance(store_, regulation, pec_id, prescription_id))
    archive(store_, pec_id, ORDONNANCE, content, prescription_id)
    return content


def issue_end_report(
    store_: Store,
    regulation: store.Regulation,
    pec_id: int,
    today: dt.date,
    render: Callable[[documents.EndReport], bytes],
    signatory_id: int | None = None,
) -> bytes:
    """The end-of-care report written `today` (signed by `signatory_id`, default the
    prescriber), rendered by `render` and archived byte for byte; returns the bytes issued."""
    content = render(end_report(store_, regulation, pec_id, today, signatory_id))
    archive(store_, pec_id, END_REPORT, content)
    return content


def _parties(
    store_: Store, pec: ports.PriseEnCharge, prescriber_id: int | None
) -> tuple[ports.Patient, ports.Practitioner | None, ports.Dmn]:
    patient = store_.patient(pec.patient_id)
    if patient is None:
        raise setup.NotFound(f"no patient {pec.patient_id}")
    dmn = store_.dmn(pec.dmn_id) if pec.dmn_id is not None else None
    if dmn is None:
        raise setup.NotFound("no DMN assigned")
    prescriber = store_.practitioner(prescriber_id) if prescriber_id is not None else None
    return patient, prescriber, dmn


def _label(regulation: store.Regulation, indication: catalogue.Indication, day: dt.date) -> str:
    found = regulation.indication(indication, "inscription", records.Inscription).at_or_first(day)
    return found.value.libelle


def _group(
    regulation: store.Regulation, indication: catalogue.Indication, pec: ports.PriseEnCharge
) -> str | None:
    if pec.sous_population is None:
        return None
    found = regulation.indication(indication, "eligibilite", records.Eligibilite).at_or_first(
        pec.starts_on
    )
    for group in found.value.sous_populations:
        if group.id == pec.sous_population:
            return group.libelle
    return None
