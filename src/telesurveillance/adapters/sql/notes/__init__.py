"""Care-team notes: the table and its SQL."""
