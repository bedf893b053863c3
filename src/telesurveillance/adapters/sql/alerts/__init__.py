"""The alert tables and their SQL: evaluation inputs, writes, the lifecycle, the outbox, reads,
statistics."""
