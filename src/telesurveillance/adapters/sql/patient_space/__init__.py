"""The patient's own space in SQL: access links, link sessions, entries, team instructions."""
