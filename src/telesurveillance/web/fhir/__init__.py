"""The FHIR R4 API: the route table, the CapabilityStatement, registry resources, Observations,
Bundles, bulk $import."""
