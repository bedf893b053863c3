"""Read models of the dashboard over SQL: the worklist and the patient page."""
