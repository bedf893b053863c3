"""Notification channels (one module each) and the worker that drives the outbox."""
