"""FHIR payloads for the tests (synthetic identities only)."""

from __future__ import annotations

from typing import Any

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
NIR = "295109912611193"  # a valid synthetic NIR (engineering notes)
BAD_NIR = "295109912611199"  # same digits, wrong key


def patient(nir: str | None = NIR, family: str = "SYNTHETIQUE", **extra: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "name": [{"family": family, "given": ["Ana"]}],
        "birthDate": "1950-01-01",
        "gender": "female",
        **extra,
    }
    if nir is not None:
        resource["identifier"] = [
            {
                "type": {"coding": [{"code": "INS-NIR"}]},
                "system": "urn:oid:1.2.250.1.213.1.4.8",
                "value": nir,
            }
        ]
    return resource


def weight(
    patient_ref: str, at: str = "2026-01-14T23:30:00Z", value: float = 80.5, unit: str = "kg"
) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "identifier": [{"system": "urn:device:scale-1", "value": f"{patient_ref}-{at}"}],
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "29463-7"}]},
        "subject": {"reference": patient_ref},
        "effectiveDateTime": at,
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
    }


def blood_pressure(
    patient_ref: str, at: str = "2026-01-14T08:00:00+01:00", sys: float = 130, dia: float = 80
) -> dict[str, Any]:
    def component(code: str, value: float) -> dict[str, Any]:
        return {
            "code": {"coding": [{"system": LOINC, "code": code}]},
            "valueQuantity": {"value": value, "unit": "mmHg", "system": UCUM, "code": "mm[Hg]"},
        }

    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "85354-9"}]},
        "subject": {"reference": patient_ref},
        "effectiveDateTime": at,
        "component": [component("8480-6", sys), component("8462-4", dia)],
    }


def questionnaire_response(patient_ref: str, total: int = 7) -> dict[str, Any]:
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": "https://example.org/Questionnaire/symptomes-ic",
        "status": "completed",
        "subject": {"reference": patient_ref},
        "authored": "2026-01-14T09:00:00+01:00",
        "item": [
            {"linkId": "essoufflement", "answer": [{"valueInteger": 3}]},
            {"linkId": "total", "answer": [{"valueInteger": total}]},
        ],
    }


def organization(role: str = "operateur", kind: str | None = "liberal") -> dict[str, Any]:
    types = [{"coding": [{"system": "urn:telesurveillance:organisation-role", "code": role}]}]
    if kind is not None:
        types.append({"coding": [{"system": "urn:telesurveillance:operateur-kind", "code": kind}]})
    return {"resourceType": "Organization", "type": types, "name": f"Synthétique {role}"}
