"""Follow-up tasks of a prise en charge, derived from the rules and what has been recorded.

- therapeutic support sessions where the listing makes them mandatory (diabetes: first month);
- the adherence checkpoints at 1 and 2 months (ameli: data > 50 % at 1 and 2 months), read on
  the same counters and threshold as the billing engine (`observance.*` parameters);
- the end of the trial month of a first prescription, where the listing has one;
- the renewal, from `prescription.RENEWAL_WINDOW_DAYS` before the end of coverage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from telesurveillance.domain.billing import model
from telesurveillance.domain.pathway import prescription, refusals
from telesurveillance.domain.regulation import catalogue, records, store


class Kind(StrEnum):
    THERAPEUTIC_SUPPORT = "accompagnement_therapeutique"
    OBSERVANCE_CHECKPOINT = "point_de_controle_observance"
    TRIAL_REVIEW = "fin_periode_essai"
    RENEWAL = "renouvellement"


class Status(StrEnum):
    UPCOMING = "upcoming"
    DUE = "due"
    DONE = "done"
    OVERDUE = "overdue"
    #: a checkpoint reached with too little data: consider stopping (ameli)
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Task:
    kind: Kind
    due_on: dt.date
    status: Status
    detail: str
    cite: str


@dataclass(frozen=True, slots=True)
class Followed:
    """What the task list is computed from."""

    indication: catalogue.Indication
    starts_on: dt.date
    prescriptions: Sequence[model.Prescription]
    support_sessions: Collection[dt.date]
    days_with_data: Collection[dt.date]
    #: (kind, due_on) of tasks marked done by the team (trial review)
    done: Collection[tuple[str, dt.date]] = ()
    stopped_on: dt.date | None = None


def tasks(regulation: store.Regulation, followed: Followed, today: dt.date) -> list[Task]:
    """Every task of the prise en charge on `today`, in due-date order."""
    found = [
        *_support(regulation, followed, today),
        *_checkpoints(regulation, followed, today),
        *_trial(regulation, followed, today),
        *_renewal(regulation, followed, today),
    ]
    if followed.stopped_on is not None:
        found = [t for t in found if t.due_on <= followed.stopped_on or t.status is Status.DONE]
    return sorted(found, key=lambda t: (t.due_on, t.kind.value))


def _days(regulation: store.Regulation, day: dt.date) -> int:
    return regulation.get("periodes.duree_jours", int).at_or_first(day).value


def _support(regulation: store.Regulation, f: Followed, today: dt.date) -> list[Task]:
    dated = regulation.indication(
        f.indication, "prescription", records.PrescriptionRules
    ).at_or_first(f.starts_on)
    months = dated.value.accompagnement_obligatoire_mois
    if months <= 0:
        return []
    end = f.starts_on + dt.timedelta(days=_days(regulation, f.starts_on) * months)
    held = sorted(d for d in f.support_sessions if f.starts_on <= d < end)
    if held:
        status, detail = Status.DONE, f"session held on {held[0].isoformat()}"
    elif today < end:
        status, detail = Status.DUE, f"mandatory before {end.isoformat()}"
    else:
        status, detail = Status.OVERDUE, f"no session before {end.isoformat()}"
    return [Task(Kind.THERAPEUTIC_SUPPORT, end, status, detail, refusals.cite_of(dated))]


def _checkpoints(regulation: store.Regulation, f: Followed, today: dt.date) -> list[Task]:
    points = regulation.get("observance.points_de_controle_mois", tuple[int, ...]).at_or_first(
        f.starts_on
    )
    share = regulation.get("observance.seuil_insuffisance", Decimal).at_or_first(f.starts_on)
    expected = (
        regulation.indication(f.indication, "observance", records.ObservanceRules)
        .at_or_first(f.starts_on)
        .value.jours_attendus_par_periode
    )
    length = _days(regulation, f.starts_on)
    out = []
    for month in points.value:
        start = f.starts_on + dt.timedelta(days=length * (month - 1))
        end = start + dt.timedelta(days=length)
        got = sum(1 for d in f.days_with_data if start <= d < end)
        detail = f"month {month}: {got} of {expected} expected days with data"
        if today < end:
            status = Status.UPCOMING
        elif got < share.value * expected:
            status = Status.FAILED
            detail += f" (below {share.value * 100:.0f} %: consider stopping)"
        else:
            status = Status.DONE
        out.append(Task(Kind.OBSERVANCE_CHECKPOINT, end, status, detail, refusals.cite_of(points)))
    return out


def _trial(regulation: store.Regulation, f: Followed, today: dt.date) -> list[Task]:
    end = prescription.trial_ends_on(regulation, f.indication, f.starts_on)
    if end is None:
        return []
    _, cite = prescription.rules(regulation, f.indication, f.starts_on)
    if (Kind.TRIAL_REVIEW.value, end) in f.done:
        status = Status.DONE
    else:
        status = Status.UPCOMING if today < end else Status.DUE
    return [
        Task(Kind.TRIAL_REVIEW, end, status, "decide whether to continue after the trial", cite)
    ]


def _renewal(regulation: store.Regulation, f: Followed, today: dt.date) -> list[Task]:
    end = prescription.coverage_end(regulation, f.starts_on, f.prescriptions, f.indication)
    if end is None:
        return []
    opens = prescription.renewal_opens_on(end)
    if today < opens:
        status = Status.UPCOMING
    elif today < end:
        status = Status.DUE
    else:
        status = Status.OVERDUE
    detail = f"coverage ends on {end.isoformat()}; renewal from {opens.isoformat()}"
    return [Task(Kind.RENEWAL, end, status, detail, refusals.PROJECT_CHOICE)]
