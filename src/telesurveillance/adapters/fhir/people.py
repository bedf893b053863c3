"""Patient and Practitioner ↔ rows of `patients` and `practitioners`.

Patient identity (FR Core, ANS): the INS matricule and the billing NIR share the OID
1.2.250.1.213.1.4.8, so the identifier's `type` (INS-NIR or NH) is required to tell a qualified
identity from a billing number; the NIR key (97 − first 13 digits mod 97, Corsica 2A/2B) is
checked with python-stdnum. The birth date is neither in the future nor implausibly old, a date
of death neither before the birth nor in the future (`domain.lifespan`). Coverage (standard /
ALD / special regime) is the extension
`urn:telesurveillance:fhir:coverage` (valueCode); a synthetic (demo) patient has the meta tag
`urn:telesurveillance:tag|synthetic`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fhir.resources.R4B import patient as r4b_patient
from fhir.resources.R4B import practitioner as r4b_practitioner

from telesurveillance.adapters.fhir import common, ids, outcome
from telesurveillance.adapters.sql.core import tables
from telesurveillance.domain import calendar, identity, lifespan

NIR_SYSTEMS = (identity.INS_NIR_OID, identity.INS_NIR_TEST_OID, identity.INS_NIR_DEMO_OID)
FR_V2_0203 = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203"
HL7_V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
NIR_TYPES = ("INS-NIR", "NH", "INS-NIA")
GENDERS = ("male", "female", "other", "unknown")
COVERAGES = ("standard", "ald", "regime_special")
RPPS_SYSTEM = identity.RPPS_SYSTEMS[0]
IDNPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"


def _nir(model: Any) -> dict[str, Any]:
    for i, ident in enumerate(model.identifier or []):
        where = f"Patient.identifier[{i}]"
        types = [c.code for c in (ident.type.coding or [] if ident.type else []) if c.code]
        nir_type = next((t for t in types if t in NIR_TYPES), None)
        if ident.system not in (*NIR_SYSTEMS, identity.INS_NIA_OID) and nir_type is None:
            continue
        if not ident.value:
            raise outcome.Invalid(
                "the identifier value is required", f"{where}.value", code="required"
            )
        if ident.system == identity.INS_NIA_OID:
            nir_type = "INS-NIA"
        if nir_type is None:
            raise outcome.Invalid(
                "the identifier type (INS-NIR or NH) is required: the OID alone does not say "
                "whether the identity is qualified",
                f"{where}.type",
                code="required",
            )
        try:
            value = identity.nir(ident.value) if nir_type != "INS-NIA" else ident.value
        except identity.IdentifierError as error:
            raise outcome.Invalid(str(error), f"{where}.value", code="value") from None
        system = ident.system or identity.INS_NIR_OID
        p = tables.patients.c
        return {
            "nir": common.fit(value, p.nir, f"{where}.value"),
            "nir_type": nir_type,
            "nir_system": common.fit(system, p.nir_system, f"{where}.system"),
        }
    return {"nir": None, "nir_type": None, "nir_system": None}


def _lifespan(model: Any, today: dt.date) -> tuple[dt.date, dt.date | None]:
    """(birth date, date of death) of a Patient, both plausible on `today`."""
    if model.birthDate is None:
        raise outcome.Invalid("the birth date is required", "Patient.birthDate", code="required")
    born_on = common.day(model.birthDate, "Patient.birthDate")
    why = lifespan.birth_refusal(born_on, today)
    if why is not None:
        raise outcome.Invalid(why, "Patient.birthDate", code="value")
    died_on = None
    if model.deceasedDateTime is not None:
        moment = model.deceasedDateTime
        died_on = (
            calendar.paris_day(moment)
            if hasattr(moment, "utcoffset") and moment.utcoffset() is not None
            else common.day(moment, "Patient.deceasedDateTime")
        )
        why = lifespan.death_refusal(died_on, born_on, today)
        if why is not None:
            raise outcome.Invalid(why, "Patient.deceasedDateTime", code="value")
    elif model.deceasedBoolean:
        raise outcome.Invalid(
            "give the date of death (deceasedDateTime)", "Patient.deceased", code="required"
        )
    return born_on, died_on


def patient_row(resource: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """The `patients` row of a Patient resource (every check done on `today`, the Paris day of
    the request; nothing written)."""
    model = common.validate(r4b_patient.Patient, resource, "Patient")
    family, given = common.name(model, "Patient", tables.patients)
    born_on, died_on = _lifespan(model, today)
    gender = model.gender or "unknown"
    if gender not in GENDERS:
        raise outcome.Invalid(
            f"gender {gender!r} is not an administrative gender",
            "Patient.gender",
            code="code-invalid",
        )
    coverage_ext = common.extension(model, "coverage")
    coverage = coverage_ext.valueCode if coverage_ext is not None else "standard"
    if coverage not in COVERAGES:
        raise outcome.Invalid(
            f"coverage {coverage!r} is not one of {', '.join(COVERAGES)}",
            "Patient.extension('coverage').valueCode",
            code="code-invalid",
        )
    operateur_id = None
    if model.managingOrganization is not None:
        org = ids.organization(model.managingOrganization.reference, "Patient.managingOrganization")
        if org[0] != "operateur":
            raise outcome.Invalid(
                "the managing organization must be an opérateur (op-<id>)",
                "Patient.managingOrganization",
            )
        operateur_id = org[1]
    tags = [t.code for t in (model.meta.tag or [] if model.meta else [])]
    return {
        **_nir(model),
        "family": family,
        "given": given,
        "birth_date": born_on,
        "sex": gender,
        "coverage": coverage,
        "died_on": died_on,
        "operateur_id": operateur_id,
        "synthetic": "synthetic" in tags,
    }


def patient_resource(row: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Patient", "id": str(row.id)}
    resource["meta"] = {"versionId": str(row.version)}
    if row.synthetic:
        resource["meta"]["tag"] = [{"system": common.TAG_SYSTEM, "code": "synthetic"}]
    if row.nir:
        system = FR_V2_0203 if row.nir_type != "NH" else HL7_V2_0203
        resource["identifier"] = [
            {
                "type": {"coding": [{"system": system, "code": row.nir_type}]},
                "system": row.nir_system,
                "value": row.nir,
            }
        ]
    resource["extension"] = [{"url": common.EXTENSION + "coverage", "valueCode": row.coverage}]
    resource["name"] = common.human_name(row.family, row.given)
    resource["gender"] = row.sex
    resource["birthDate"] = row.birth_date.isoformat()
    if row.died_on is not None:
        resource["deceasedDateTime"] = row.died_on.isoformat()
    if row.operateur_id is not None:
        resource["managingOrganization"] = {"reference": f"Organization/op-{row.operateur_id}"}
    return resource


def practitioner_row(resource: dict[str, Any]) -> dict[str, Any]:
    """The `practitioners` row: RPPS (11 digits; IDNPS "8" + RPPS accepted), name, profession."""
    model = common.validate(r4b_practitioner.Practitioner, resource, "Practitioner")
    family, given = common.name(model, "Practitioner", tables.practitioners)
    rpps = None
    for i, ident in enumerate(model.identifier or []):
        value = ident.value or ""
        if ident.system == IDNPS_SYSTEM and value.startswith("8"):
            value = value[1:]
        elif ident.system not in identity.RPPS_SYSTEMS:
            continue
        try:
            rpps = identity.rpps(value)
        except identity.IdentifierError as error:
            raise outcome.Invalid(
                str(error), f"Practitioner.identifier[{i}].value", code="value"
            ) from None
        break
    profession = "medecin"
    for i, q in enumerate(model.qualification or []):
        found = next(((j, c.code) for j, c in enumerate(q.code.coding or []) if c.code), None)
        if found:
            where = f"Practitioner.qualification[{i}].code.coding[{found[0]}].code"
            profession = common.fit(found[1], tables.practitioners.c.profession, where)
            break
    return {
        "rpps": rpps,
        "family": family,
        "given": given,
        "profession": profession,
        "active": model.active is not False,
    }


def practitioner_resource(row: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Practitioner", "id": str(row.id)}
    if row.rpps:
        resource["identifier"] = [{"system": RPPS_SYSTEM, "value": row.rpps}]
    resource["active"] = bool(row.active)
    resource["name"] = common.human_name(row.family, row.given)
    resource["qualification"] = [{"code": {"coding": [{"code": row.profession}]}}]
    return resource
