"""The billing acceptance-case format (`../shared/cases/README.md`): strict parsing and checks.

Unknown keys, duplicate keys, wrong types and impossible dates are refused with the path of the
offending field, so a typo never passes silently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from telesurveillance.adapters.cases import verdict_json
from telesurveillance.domain.billing import model, verdict
from telesurveillance.domain.regulation import catalogue, loader, records

Day = Annotated[dt.date, pydantic.Strict()]
Money = Annotated[str, pydantic.StringConstraints(pattern=r"^\d+\.\d{2}$")]


class CaseError(ValueError):
    """The file is not a valid case; the message says where and why."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OperateurIn(_Model):
    kind: model.OperateurKind
    ars_declared_on: Day | None
    medecin: StrictStr | None = None


class ExploitantIn(_Model):
    convention_signed_on: Day | None
    convention_ends_on: Day | None = None


class DmnIn(_Model):
    name: StrictStr
    benefit: records.Benefit
    certified_from: Day | None
    certified_until: Day | None
    file_active: Annotated[StrictInt, Field(ge=0)] | None = None
    latm_code: StrictStr | None = None


class PatientIn(_Model):
    born_on: Day
    coverage: model.Coverage
    died_on: Day | None = None
    sex: records.Sexe | None = None  # project extension: female | male, checked when given


class RenewalIn(_Model):
    prescribed_on: Day
    months: Annotated[StrictInt, Field(ge=1)]


class MajorationIn(_Model):
    level: Literal[1, 2]
    from_: Day = Field(alias="from")
    until: Day | None = None


class EligibiliteIn(_Model):
    """Project extension: the inclusion's attestation (sub-population, criteria attested)."""

    sous_population: StrictStr
    criteres: tuple[StrictStr, ...]


class PriseEnChargeIn(_Model):
    indication: catalogue.Indication
    prescribed_on: Day
    starts_on: Day
    prescription_months: Annotated[StrictInt, Field(ge=1)]
    renewals: tuple[RenewalIn, ...] = ()
    pecan: StrictBool = False
    majorations: tuple[MajorationIn, ...] = ()
    stopped_on: Day | None = None
    eligibilite: EligibiliteIn | None = None


class EveryDayIn(_Model):
    every_day: tuple[Day, Day]


class DaysIn(_Model):
    days: tuple[Day, ...]


class PeriodExpect(_Model):
    number: Annotated[StrictInt, Field(ge=1)]
    billable: StrictBool | None = None
    operateur: Money | None = None
    code: StrictStr | None = None
    coefficient: StrictStr | None = None
    technique: Money | None = None
    amo_operateur: Money | None = None
    amo_technique: Money | None = None
    reason: StrictStr | None = None


class ExpectIn(_Model):
    periods: tuple[PeriodExpect, ...] = ()
    period_count: Annotated[StrictInt, Field(ge=0)] | None = None
    series: tuple[tuple[StrictInt, ...], ...] | None = None


class CaseIn(_Model):
    name: StrictStr
    as_of: Day
    operateur: OperateurIn
    exploitant: ExploitantIn
    dmn: DmnIn
    patient: PatientIn
    prise_en_charge: PriseEnChargeIn
    transmissions: tuple[EveryDayIn | DaysIn, ...] = ()
    expect: ExpectIn | None = None


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    as_of: dt.date
    situation: model.Situation
    expect: ExpectIn | None


def _days(items: tuple[EveryDayIn | DaysIn, ...]) -> frozenset[dt.date]:
    days: set[dt.date] = set()
    for item in items:
        if isinstance(item, EveryDayIn):
            first, last = item.every_day
            if last < first:
                raise CaseError(
                    f"transmissions: every_day range ends before it starts: {first}…{last}"
                )
            days.update(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
        else:
            days.update(item.days)
    return frozenset(days)


def _attested(found: EligibiliteIn | None) -> model.Attested | None:
    if found is None:
        return None
    return model.Attested(found.sous_population, frozenset(found.criteres))


def _situation(case: CaseIn) -> model.Situation:
    pec = case.prise_en_charge
    return model.Situation(
        operateur=model.Operateur(
            case.operateur.kind, case.operateur.ars_declared_on, case.operateur.medecin
        ),
        convention=model.Convention(
            case.exploitant.convention_signed_on, case.exploitant.convention_ends_on
        ),
        dmn=model.Dmn(
            name=case.dmn.name,
            benefit=case.dmn.benefit,
            certified_from=case.dmn.certified_from,
            certified_until=case.dmn.certified_until,
            latm_code=case.dmn.latm_code,
            file_active=case.dmn.file_active,
        ),
        patient=model.Patient(
            case.patient.born_on, case.patient.coverage, case.patient.died_on, case.patient.sex
        ),
        prise_en_charge=model.PriseEnCharge(
            indication=pec.indication,
            starts_on=pec.starts_on,
            prescription=model.Prescription(pec.prescribed_on, pec.prescription_months),
            renewals=tuple(model.Prescription(r.prescribed_on, r.months) for r in pec.renewals),
            pecan=pec.pecan,
            majorations=tuple(
                model.Majoration(model.MajorationLevel(m.level), m.from_, m.until)
                for m in pec.majorations
            ),
            stopped_on=pec.stopped_on,
            attested=_attested(pec.eligibilite),
        ),
        days_with_data=_days(case.transmissions),
    )


def parse(text: str) -> Case:
    """Parse and validate one case file's text; raises `CaseError` with the reason."""
    try:
        data = loader.parse_yaml(text)
    except loader.RegulationError as exc:
        raise CaseError(str(exc)) from None
    except Exception as exc:  # yaml.YAMLError and its many subclasses
        raise CaseError(f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise CaseError("a case file is a mapping")
    try:
        case = CaseIn.model_validate(data)
    except pydantic.ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise CaseError(problems) from None
    if case.prise_en_charge.starts_on < case.prise_en_charge.prescribed_on:
        raise CaseError("prise_en_charge.starts_on is before prescribed_on")
    return Case(case.name, case.as_of, _situation(case), case.expect)


def _line_amount(p: verdict.PeriodVerdict, forfait: verdict.Forfait, part: str) -> str | None:
    ln = p.line(forfait)
    if ln is None:
        return None
    out = verdict_json.line(ln)[part]
    return None if out is None else str(out)


_EXPECTED_FIELDS: dict[str, tuple[verdict.Forfait, str]] = {
    "operateur": (verdict.Forfait.OPERATEUR, "amount"),
    "code": (verdict.Forfait.OPERATEUR, "code"),
    "coefficient": (verdict.Forfait.OPERATEUR, "coefficient"),
    "technique": (verdict.Forfait.TECHNIQUE, "amount"),
    "amo_operateur": (verdict.Forfait.OPERATEUR, "amo"),
    "amo_technique": (verdict.Forfait.TECHNIQUE, "amo"),
}


def _got(p: verdict.PeriodVerdict, key: str) -> Any:
    if key == "billable":
        return p.billable
    forfait, part = _EXPECTED_FIELDS[key]
    return _line_amount(p, forfait, part)


def mismatches(case: Case, judged: verdict.Judgement) -> list[str]:
    """Every field of `expect` that the judgement does not match, as readable lines."""
    if case.expect is None:
        return []
    out: list[str] = []
    by_number = {p.number: p for p in judged.periods}
    exp = case.expect
    if exp.period_count is not None and exp.period_count != len(judged.periods):
        out.append(f"period_count: expected {exp.period_count}, got {len(judged.periods)}")
    if exp.series is not None:
        got_series = [list(s.periods) for s in judged.series]
        if [list(s) for s in exp.series] != got_series:
            out.append(f"series: expected {[list(s) for s in exp.series]}, got {got_series}")
    for pe in exp.periods:
        p = by_number.get(pe.number)
        if p is None:
            out.append(f"period {pe.number}: expected, but not judged (as_of {case.as_of})")
            continue
        for key in sorted(pe.model_fields_set - {"number", "reason"}):
            want, got = getattr(pe, key), _got(p, key)
            if want != got:
                out.append(f"period {pe.number} {key}: expected {want!r}, got {got!r}")
        if pe.reason is not None and pe.reason not in {r.rule for r in p.reasons}:
            got_rules = [r.rule for r in p.reasons]
            out.append(f"period {pe.number} reason: expected {pe.reason!r} among {got_rules}")
    return out
