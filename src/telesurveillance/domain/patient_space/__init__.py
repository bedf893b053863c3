"""The patient's own space: the symptom questionnaires patients fill in, as data."""
