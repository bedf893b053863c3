"""The alerts' HTTP surface: the JSON API, FHIR DetectedIssue/Flag, the evaluation thread."""
