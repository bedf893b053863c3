"""The ledger's lines as the edges list them, and what happened to them after the run.

A line is never changed: that it was sent, paid or rejected is recorded as a status event (who,
when, an optional note) beside it, so the ledger keeps its history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from telesurveillance.services.billing import ledger


def listed(
    store_: ledger.Ledger,
    *,
    operateur_id: int | None = None,
    exploitant_id: int | None = None,
    run_id: int | None = None,
) -> Sequence[ledger.Line]:
    """The ledger's lines in id order, of one opérateur, exploitant or run when given."""
    return store_.lines(operateur_id=operateur_id, exploitant_id=exploitant_id, run_id=run_id)


def mark(
    store_: ledger.Ledger,
    line_ids: Sequence[int],
    status: ledger.Status,
    *,
    actor: str,
    now: dt.datetime,
    note: str | None = None,
) -> int:
    """Record that the lines `line_ids` were sent, paid or rejected; returns the events
    recorded (one per line the ledger holds)."""
    return store_.record(line_ids, status, actor, now, note)
