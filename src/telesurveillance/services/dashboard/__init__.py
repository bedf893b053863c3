"""The care team's dashboard: the worklist, the triage queue, the patient page, the billing page
and the care team's notes, as read models behind ports."""
