"""Glucose platform exports (LibreView, Dexcom Clarity): pure parsers, no database.

Each parser turns a file's bytes into `lines.Export`: for every data line, the readings it
carries (for the patient the caller chose, never the name printed in the file), a skip with its
reason, or a refusal with its line number. `formats.parse` detects which export a file is.
"""
