"""Nightscout sites: the per-patient base URL and secret a patient's uploader is pointed at."""
