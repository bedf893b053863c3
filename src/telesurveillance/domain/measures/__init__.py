"""Measurement kinds (LOINC → canonical UCUM unit), unit normalisation and plausibility."""
