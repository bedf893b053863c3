"""Billing rows as a FHIR R4B `Bundle` (type collection) of `ChargeItem`s.

Each line becomes a ChargeItem: subject the patient (NIR as identifier), code the act (TVA / TVB
or the LATM code), occurrence the period, performer the opérateur's physician (RPPS), the
coefficient as `factorOverride` and the amount as `priceOverride`, the invoice and sheet in the
identifiers. The resources are validated with `fhir.resources` before being returned.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from fhir.resources.R4B import bundle as fhir_bundle

from telesurveillance.services.billing import export

NIR_SYSTEM = "urn:oid:1.2.250.1.213.1.4.8"
RPPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"
#: Codes of the acts (NGAP TVA/TVB) and of the LATM lines, as locally named systems.
ACT_SYSTEM = "https://telesurveillance.example/fhir/CodeSystem/latm-acte"
LINE_SYSTEM = "https://telesurveillance.example/fhir/sid/billing-line"


def charge_item(row: export.Row) -> dict[str, Any]:
    item: dict[str, Any] = {
        "resourceType": "ChargeItem",
        "id": f"line-{row.line_id}",
        "identifier": [
            {"system": LINE_SYSTEM, "value": str(row.line_id)},
            {"system": f"{LINE_SYSTEM}/invoice", "value": f"{row.invoice}/{row.sheet}"},
        ],
        "status": "billable",
        "code": {"coding": [{"system": ACT_SYSTEM, "code": row.code or row.forfait}]},
        "subject": {"reference": f"Patient/{row.patient_id}", "display": row.family},
        "occurrencePeriod": {"start": row.execution_date, "end": row.period_last_day},
        "quantity": {"value": 1},
    }
    if row.nir:
        item["subject"]["identifier"] = {"system": NIR_SYSTEM, "value": row.nir}
    if row.operateur_rpps:
        item["performer"] = [
            {"actor": {"identifier": {"system": RPPS_SYSTEM, "value": row.operateur_rpps}}}
        ]
    if row.prescriber_rpps:
        item["enterer"] = {"identifier": {"system": RPPS_SYSTEM, "value": row.prescriber_rpps}}
    if row.coefficient:
        item["factorOverride"] = float(Decimal(row.coefficient))
    if row.amount:
        item["priceOverride"] = {"value": float(Decimal(row.amount)), "currency": "EUR"}
    item["note"] = [
        {"text": f"{row.days_with_data}/{row.expected_days} jours avec données"},
        {"text": row.basis},
    ]
    if row.explanation:
        item["note"].append({"text": row.explanation})
    return item


def _full_url(line_id: int) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{LINE_SYSTEM}/{line_id}')}"


def bundle(rows: Sequence[export.Row]) -> dict[str, Any]:
    document = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": _full_url(r.line_id), "resource": charge_item(r)} for r in rows],
    }
    validated = fhir_bundle.Bundle.model_validate(document)
    out: dict[str, Any] = validated.model_dump(mode="json", exclude_none=True)
    return out
