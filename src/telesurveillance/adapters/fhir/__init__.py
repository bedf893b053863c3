"""FHIR R4 (R4B models) ↔ store rows: parsing, the checks the models skip, OperationOutcome."""
