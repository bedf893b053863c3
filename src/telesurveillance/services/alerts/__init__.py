"""Alerts: evaluation on ingest and by catch-up, the no-data sweep, the lifecycle, notifications,
statistics."""
