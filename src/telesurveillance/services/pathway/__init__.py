"""The care pathway: organisation set-up, inclusion, prescription, documents, follow-up."""
