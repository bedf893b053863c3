"""Notification channels, one module each (`smtp`, `webhook`); the outbox is driven by
`services.alerts.outbox.deliver`, one round of `alerts run` at a time (`services.alerts.rounds`)."""
