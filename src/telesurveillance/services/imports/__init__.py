"""Imports of readings from sources other than FHIR (CGM exports, Nightscout uploads)."""
