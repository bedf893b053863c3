"""The care team's follow-up tasks: due dates from the pathway, done by whom and when."""
