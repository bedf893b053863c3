"""The patient's own space: access links and their sessions, entries, the page's content."""
