"""Accounts, sessions, API tokens and the audit trail: the security use cases."""
