"""The FHIR API's SQL: registry resources, Observations read back, the group-committing writer."""
