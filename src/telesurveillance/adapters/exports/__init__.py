"""Billing and data exports: CSV, JSON, FHIR ChargeItem Bundle, Parquet."""
