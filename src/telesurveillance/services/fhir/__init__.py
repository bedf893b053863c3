"""The FHIR API's store: the registry (Patient, Practitioner, Organization, Device) and the
Observations read back, as ports the web edge calls."""
