"""The ledger's lines as the edges list them, and what happened to them after the run.

A line is never changed: that it was sent, paid or rejected is recorded as a status event (who,
when, an optional note) beside it, so the ledger keeps its history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

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


#: What a line may become, from its latest status (None: never marked). A line is sent once
#: before it is paid or rejected; a rejected line may be sent again once corrected; a paid line
#: is settled. The desk marks lines only along these moves (compare-and-set on the ledger).
MOVES: dict[ledger.Status | None, frozenset[ledger.Status]] = {
    None: frozenset({ledger.Status.SENT}),
    ledger.Status.SENT: frozenset({ledger.Status.PAID, ledger.Status.REJECTED}),
    ledger.Status.REJECTED: frozenset({ledger.Status.SENT}),
    ledger.Status.PAID: frozenset(),
}

#: The longest note a status event keeps (a payment reference, a rejection's reason).
NOTE_MAX = 500


class NoteTooLong(ValueError):
    def __init__(self, length: int) -> None:
        super().__init__(f"the note has {length} characters, at most {NOTE_MAX} are kept")
        self.length = length


@dataclass(frozen=True, slots=True)
class Moved:
    """What a marking did: the lines recorded and those refused (already moved by someone
    else, settled, or not in the ledger)."""

    recorded: tuple[int, ...]
    refused: tuple[int, ...]


def move(
    store_: ledger.Ledger,
    line_ids: Sequence[int],
    status: ledger.Status,
    *,
    actor: str,
    now: dt.datetime,
    note: str | None = None,
) -> Moved:
    """Mark the lines `status` where their latest status allows it (`MOVES`), as one
    compare-and-set; the note is kept trimmed, empty meaning none, longer than `NOTE_MAX`
    refused (`NoteTooLong`) before anything is written."""
    kept = (note or "").strip() or None
    if kept is not None and len(kept) > NOTE_MAX:
        raise NoteTooLong(len(kept))
    recorded, refused = store_.record_from(line_ids, MOVES, status, actor, now, kept)
    return Moved(tuple(recorded), tuple(refused))
