"""Organisation set-up (the administrateur's first pages): the registry read back, the ARS
receipt with its document, members with their log-in, and the set-up checklist."""
