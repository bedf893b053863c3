"""Organization (opérateurs and exploitants) and Device ↔ rows.

Opérateurs (the care teams that bill the forfait opérateur) and exploitants (the makers or
distributors of a DMN, who bill the forfait technique) are both FHIR Organizations but live in two
tables. `Organization.type` says which, with a coding of `urn:telesurveillance:organisation-role`
(`operateur` or `exploitant`); an opérateur also carries its kind (`liberal`, `etablissement`,
`centre_de_sante`, `msp`, `esms_tarif_global`, `esms_tarif_partiel`) in
`urn:telesurveillance:operateur-kind`. Their ids say the table too: `op-3`, `ex-1`. The ARS
declaration date of an opérateur is the extension `urn:telesurveillance:fhir:ars-declaration`
(valueDate). FINESS (9 characters) and SIRET (Luhn, python-stdnum) are checked.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B import device as r4b_device
from fhir.resources.R4B import organization as r4b_organization

from telesurveillance.adapters.fhir import common, ids, outcome
from telesurveillance.adapters.sql.core import tables
from telesurveillance.domain import identity
from telesurveillance.domain.billing import model as billing_model

ROLE_SYSTEM = "urn:telesurveillance:organisation-role"
KIND_SYSTEM = "urn:telesurveillance:operateur-kind"
ROLES = ("operateur", "exploitant")
DEVICE_STATUSES = ("active", "inactive", "entered-in-error")


def _codes(model: Any, system: str) -> list[str]:
    return [c.code for t in model.type or [] for c in t.coding or [] if c.system == system]


def organization_row(resource: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(role, row of `operateurs` or `exploitants`) of an Organization resource."""
    model = common.validate(r4b_organization.Organization, resource, "Organization")
    roles = _codes(model, ROLE_SYSTEM)
    if len(roles) != 1 or roles[0] not in ROLES:
        raise outcome.Invalid(
            f"Organization.type needs one coding of {ROLE_SYSTEM}: operateur or exploitant",
            "Organization.type",
            code="required",
        )
    role = roles[0]
    if model.name is None:
        raise outcome.Invalid("the name is required", "Organization.name", code="required")
    table = tables.operateurs if role == "operateur" else tables.exploitants
    name = common.fit(
        common.text(str(model.name), "Organization.name"), table.c.name, "Organization.name"
    )
    row: dict[str, Any] = {"name": name, "siret": None}
    finess = None
    for i, ident in enumerate(model.identifier or []):
        where = f"Organization.identifier[{i}].value"
        try:
            if ident.system == identity.SIRET_SYSTEM:
                row["siret"] = identity.siret(ident.value or "")
            elif ident.system == identity.FINESS_SYSTEM:
                finess = identity.finess(ident.value or "")
        except identity.IdentifierError as error:
            raise outcome.Invalid(str(error), where, code="value") from None
    if role == "exploitant":
        return role, row
    kinds = _codes(model, KIND_SYSTEM)
    allowed = [k.value for k in billing_model.OperateurKind]
    if len(kinds) != 1 or kinds[0] not in allowed:
        raise outcome.Invalid(
            f"an opérateur needs one coding of {KIND_SYSTEM}: {', '.join(allowed)}",
            "Organization.type",
            code="required",
        )
    declared = common.extension(model, "ars-declaration")
    row.update(
        kind=kinds[0],
        finess=finess,
        ars_declared_on=(
            common.day(declared.valueDate, "Organization.extension('ars-declaration')")
            if declared is not None and declared.valueDate is not None
            else None
        ),
        active=model.active is not False,
    )
    return role, row


def organization_resource(role: str, row: Any) -> dict[str, Any]:
    types = [{"coding": [{"system": ROLE_SYSTEM, "code": role}]}]
    identifiers = []
    if row.siret:
        identifiers.append({"system": identity.SIRET_SYSTEM, "value": row.siret})
    resource: dict[str, Any] = {
        "resourceType": "Organization",
        "id": ids.organization_id(role, row.id),
    }
    if role == "operateur":
        types.append({"coding": [{"system": KIND_SYSTEM, "code": row.kind}]})
        if row.finess:
            identifiers.append({"system": identity.FINESS_SYSTEM, "value": row.finess})
        if row.ars_declared_on is not None:
            resource["extension"] = [
                {
                    "url": common.EXTENSION + "ars-declaration",
                    "valueDate": row.ars_declared_on.isoformat(),
                }
            ]
        resource["active"] = bool(row.active)
    if identifiers:
        resource["identifier"] = identifiers
    resource["type"] = types
    resource["name"] = row.name
    return resource


def device_row(resource: dict[str, Any]) -> dict[str, Any]:
    model = common.validate(r4b_device.Device, resource, "Device")
    status = model.status or "active"
    if status not in DEVICE_STATUSES:
        raise outcome.Invalid(
            f"status {status!r} is not one of {', '.join(DEVICE_STATUSES)}",
            "Device.status",
            code="code-invalid",
        )
    ident = model.identifier[0] if model.identifier else None
    patient_id = None
    if model.patient is not None:
        patient_id = ids.reference(model.patient.reference, "Patient", "Device.patient")
    d = tables.devices.c
    return {
        "identifier_system": _fitted(
            ident.system if ident else None, d.identifier_system, "system"
        ),
        "identifier_value": _fitted(ident.value if ident else None, d.identifier_value, "value"),
        "serial": _fitted(model.serialNumber, d.serial, "Device.serialNumber"),
        "patient_id": patient_id,
        "status": status,
    }


def _fitted(value: str | None, column: Any, where: str) -> str | None:
    if value is None:
        return None
    path = where if "." in where else f"Device.identifier[0].{where}"
    return common.fit(str(value), column, path)


def device_resource(row: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Device",
        "id": str(row.id),
        **common.meta(row.version),
    }
    if row.identifier_value:
        resource["identifier"] = [{"system": row.identifier_system, "value": row.identifier_value}]
    resource["status"] = row.status
    if row.serial:
        resource["serialNumber"] = row.serial
    if row.patient_id is not None:
        resource["patient"] = {"reference": f"Patient/{row.patient_id}"}
    return resource
