"""Corrections: a billed line is never changed; a reversal line cancels it.

A reversal carries the charge's keys and generation with negated amounts and the reason. The
ledger's unique key allows one reversal per charge. A later run may bill the period again (the
next generation) if it is still due.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from telesurveillance.services.billing import ledger


def _negated(value: int | None) -> int | None:
    return None if value is None else -value


def reversal_of(charge: ledger.Line, reason: str) -> ledger.Line:
    if charge.entry is not ledger.Entry.CHARGE or charge.id is None:
        raise ValueError("only a stored charge can be reversed")
    return dataclasses.replace(
        charge,
        entry=ledger.Entry.REVERSAL,
        reverses_id=charge.id,
        amount_cents=_negated(charge.amount_cents),
        amo_cents=_negated(charge.amo_cents),
        amc_cents=_negated(charge.amc_cents),
        reason=reason,
        id=None,
        run_id=None,
        created_at=None,
    )


def reverse(
    store: ledger.Ledger,
    line_ids: Sequence[int],
    reason: str,
    *,
    actor: str,
    now: dt.datetime,
) -> tuple[ledger.Line, ...]:
    """Reverse the standing charges among `line_ids`; others (unknown, already reversed,
    reversals) are ignored. Returns the reversal lines written."""
    wanted = set(line_ids)
    involved = store.lines(ids=sorted(wanted))
    keys = {ln.key for ln in involved}
    standing = [
        ln
        for key, ln in ledger.active_charges([ln for ln in store.lines() if ln.key in keys]).items()
        if ln.id in wanted
    ]
    if not standing:
        return ()
    run = store.start("correction", None, None, actor, now)
    return store.append(run, [reversal_of(ln, reason) for ln in standing])
