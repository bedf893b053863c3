"""The ledger run applies the eligibility the cases apply: the patient's recorded sex and the
criteria attested at inclusion reach the engine from the store (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.billing import ledger, synthetic
from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.pathway import tables as pathway_tables
from telesurveillance.domain.billing import engine as billing_engine
from telesurveillance.domain.billing import model, verdict
from telesurveillance.domain.regulation import records, store
from telesurveillance.services.billing import ledger as bl
from telesurveillance.services.billing import run

#: The synthetic population's first start of monitoring (patient i follows INDICATIONS[i % 4]:
#: heart failure, diabetes, respiratory failure, renal failure).
START = dt.date(2025, 1, 6)
UNTIL = dt.date(2025, 4, 20)
NOW = dt.datetime(2025, 4, 21, 8, tzinfo=dt.UTC)
HOSPITALISATION = "Hospitalisation pour décompensation cardiaque dans les 12 derniers mois"
NYHA = "Classe NYHA ≥ II"


def _pec(engine: sa.Engine, patient_id: int) -> sa.RowMapping:
    pec = tables.prises_en_charge
    with engine.connect() as conn:
        return conn.execute(sa.select(pec).where(pec.c.patient_id == patient_id)).mappings().one()


def _set_patient(engine: sa.Engine, patient_id: int, **values: object) -> None:
    with database.writing(engine) as conn:
        conn.execute(
            sa.update(tables.patients).where(tables.patients.c.id == patient_id).values(**values)
        )


def _attest(engine: sa.Engine, pec_id: int, group: str, criteres: list[str]) -> None:
    with database.writing(engine) as conn:
        conn.execute(
            sa.insert(pathway_tables.pathway_eligibility).values(
                prise_en_charge_id=pec_id,
                sous_population=group,
                criteres=json.dumps(criteres, ensure_ascii=False),
                attested_on=START,
            )
        )


def _stream(engine: sa.Engine, patient_id: int) -> bl.Stream:
    found = [s for s in ledger.SqlLedger(engine).streams(UNTIL) if s.patient_id == patient_id]
    assert len(found) == 1
    return found[0]


def _periods(
    engine: sa.Engine, regulation: store.Regulation, patient_id: int
) -> tuple[verdict.PeriodVerdict, ...]:
    judged = billing_engine.judge(regulation, _stream(engine, patient_id).situation, UNTIL)
    return judged.periods


def _rules(period: verdict.PeriodVerdict) -> set[str]:
    return {r.rule for r in period.reasons}


def test_a_stream_carries_the_recorded_sex_and_ignores_an_unknown_one(engine: sa.Engine) -> None:
    pop = synthetic.populate(engine, 3, starts_on=START, periods=3)
    female, male, unknown = pop.patient_ids
    _set_patient(engine, female, sex="female")
    _set_patient(engine, male, sex="male")
    _set_patient(engine, unknown, sex="other")
    assert _stream(engine, female).situation.patient.sex is records.Sexe.FEMININ
    assert _stream(engine, male).situation.patient.sex is records.Sexe.MASCULIN
    assert _stream(engine, unknown).situation.patient.sex is None


def test_a_stream_carries_the_attestation_recorded_at_inclusion(engine: sa.Engine) -> None:
    pop = synthetic.populate(engine, 2, starts_on=START, periods=3)
    attested, without = pop.patient_ids
    _attest(engine, _pec(engine, attested)["id"], "ic_chronique", [HOSPITALISATION])
    assert _stream(engine, attested).situation.prise_en_charge.attested == model.Attested(
        "ic_chronique", frozenset({HOSPITALISATION})
    )
    assert _stream(engine, without).situation.prise_en_charge.attested is None


def test_a_respiratory_patient_is_billed_from_the_first_period_starting_at_18(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    pop = synthetic.populate(engine, 3, starts_on=START, periods=3)
    patient = pop.patient_ids[2]
    starts_on = _pec(engine, patient)["starts_on"]
    # 17 on the first period's first day, 18 the next day: period 1 refused, period 2 due.
    _set_patient(
        engine,
        patient,
        birth_date=starts_on.replace(year=starts_on.year - 18) + dt.timedelta(days=1),
    )
    first, second, *_ = _periods(engine, regulation, patient)
    assert "eligibility.age" in _rules(first)
    assert "eligibility.age" not in _rules(second)


def test_a_respiratory_patient_aged_18_on_the_first_day_is_not_refused_for_age(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    pop = synthetic.populate(engine, 3, starts_on=START, periods=3)
    patient = pop.patient_ids[2]
    starts_on = _pec(engine, patient)["starts_on"]
    _set_patient(engine, patient, birth_date=starts_on.replace(year=starts_on.year - 18))
    assert all("eligibility.age" not in _rules(p) for p in _periods(engine, regulation, patient))


def _gestational(engine: sa.Engine, sex: str) -> int:
    pop = synthetic.populate(engine, 2, starts_on=START, periods=3)
    patient = pop.patient_ids[1]  # the diabetes patient, moved to gestational diabetes
    with database.writing(engine) as conn:
        conn.execute(
            sa.update(tables.prises_en_charge)
            .where(tables.prises_en_charge.c.patient_id == patient)
            .values(indication="diabete_gestationnel")
        )
    _set_patient(engine, patient, sex=sex)
    return patient


def test_gestational_diabetes_of_a_male_patient_is_not_billed(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    patient = _gestational(engine, "male")
    periods = _periods(engine, regulation, patient)
    assert periods
    assert all("eligibility.sex" in _rules(p) and not p.billable for p in periods)


def test_gestational_diabetes_of_a_female_or_unrecorded_patient_is_not_refused_for_sex(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    female = _gestational(engine, "female")
    assert all("eligibility.sex" not in _rules(p) for p in _periods(engine, regulation, female))
    _set_patient(engine, female, sex="unknown")
    assert all("eligibility.sex" not in _rules(p) for p in _periods(engine, regulation, female))


def test_heart_failure_attested_with_a_recent_hospitalisation_alone_is_billed(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    pop = synthetic.populate(engine, 1, starts_on=START, periods=3)
    patient = pop.patient_ids[0]
    _attest(engine, _pec(engine, patient)["id"], "ic_chronique", [HOSPITALISATION])
    periods = _periods(engine, regulation, patient)
    assert all("eligibility.criteria" not in _rules(p) for p in periods)


def test_heart_failure_attested_with_nyha_without_peptides_is_not_billed(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    pop = synthetic.populate(engine, 1, starts_on=START, periods=3)
    patient = pop.patient_ids[0]
    _attest(engine, _pec(engine, patient)["id"], "ic_chronique", [NYHA])
    periods = _periods(engine, regulation, patient)
    assert periods
    assert all("eligibility.criteria" in _rules(p) and not p.billable for p in periods)


def test_the_ledger_run_bills_no_period_the_eligibility_refuses(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    pop = synthetic.populate(engine, 3, starts_on=START, periods=3)
    heart, _, respiratory = pop.patient_ids
    _attest(engine, _pec(engine, heart)["id"], "ic_chronique", [NYHA])
    starts_on = _pec(engine, respiratory)["starts_on"]
    _set_patient(engine, respiratory, birth_date=starts_on.replace(year=starts_on.year - 10))
    outcome = run.run(ledger.SqlLedger(engine), regulation, UNTIL, actor="test", now=NOW)
    billed = {ln.patient_id for ln in outcome.written}
    assert heart not in billed
    assert respiratory not in billed
    assert pop.patient_ids[1] in billed
