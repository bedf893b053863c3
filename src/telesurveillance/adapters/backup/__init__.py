"""Backups and restores of the store (SQLite online backup, pg_dump/pg_restore) and their checks."""
