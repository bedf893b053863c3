"""Accounts, sessions, tokens and the audit trail over SQL."""
