"""The alerts area's composite port: what the evaluation thread, the catch-up and the no-data
sweep are given together (`composition.Store.alerts`, implemented by
`adapters.sql.alerts.evaluation.SqlAlerts`).

The single-purpose ports stay next to the use cases that need them: `evaluation.Store`,
`evaluation.SweepStore`, `pending.Store`, `lifecycle.Store`, `stats.Store`, `outbox.Outbox`,
`views.Views`.
"""

from __future__ import annotations

from typing import Protocol

from telesurveillance.services.alerts import evaluation, pending


class Evaluation(pending.Store, evaluation.SweepStore, Protocol):
    """Judging readings (on ingest and by catch-up) and the no-data sweep, over one store."""
