"""Notifications of alert transitions: an outbox, a worker pass, retries with backoff.

Every transition (an alert opened, acknowledged, closed) gets one outbox row per configured
channel; the row's unique `(transition_id, channel)` means a transition is never queued twice.
A worker pass claims due rows by compare-and-set (`pending → sending`, attempts + 1, a lease),
sends, and marks them `sent`; a failure puts the row back to `pending` with an exponential
backoff, until `max_attempts`, after which it is `failed` (and shown to the administrator). A
row whose sender died mid-send is reclaimed when its lease expires: the receiver may then see
the same delivery twice, which is why every message carries its delivery id to deduplicate on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Delivery(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Message:
    """What a channel sends about one transition (no name, no NIR: a pseudonymous id)."""

    delivery_id: int
    channel: str
    attempts: int
    transition_id: int
    alert_id: int
    patient_id: int
    rule_id: str
    indication: str
    severity: str
    label: str
    from_status: str | None
    to_status: str
    actor: str
    role: str
    at: int
    decision: str | None


class Channel(Protocol):
    def send(self, message: Message) -> None:
        """Deliver or raise (any exception is a failed attempt)."""
        ...


class Outbox(Protocol):
    def enqueue(self, channels: Sequence[str], since_ms: int) -> int:
        """Queue every transition at or after `since_ms` not yet queued for each channel."""
        ...

    def claim(self, now_ms: int, lease_ms: int, limit: int) -> list[Message]: ...

    def sent(self, delivery_id: int, now_ms: int) -> None: ...

    def retry(self, delivery_id: int, error: str, next_at: int | None) -> None:
        """Back to pending at `next_at`, or `failed` when `next_at` is None."""
        ...


@dataclass(frozen=True, slots=True)
class Backoff:
    base_ms: int = 1_000
    factor: float = 2.0
    cap_ms: int = 3_600_000
    max_attempts: int = 8

    def next_at(self, now_ms: int, attempts: int) -> int | None:
        """When to try again after the `attempts`-th failure (None: give up)."""
        if attempts >= self.max_attempts:
            return None
        delay = min(self.cap_ms, round(self.base_ms * self.factor ** (attempts - 1)))
        return now_ms + delay


@dataclass(frozen=True, slots=True)
class Pass:
    queued: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0


#: transitions older than this when a channel is first configured are not sent
HORIZON_MS = 24 * 3_600_000


def deliver(
    outbox: Outbox,
    channels: Mapping[str, Channel],
    now_ms: int,
    backoff: Backoff = Backoff(),
    *,
    lease_ms: int = 60_000,
    limit: int = 200,
) -> Pass:
    """One worker pass: queue new transitions, send what is due, schedule retries."""
    if not channels:
        return Pass()
    queued = outbox.enqueue(sorted(channels), now_ms - HORIZON_MS)
    sent = retried = failed = 0
    for message in outbox.claim(now_ms, lease_ms, limit):
        channel = channels.get(message.channel)
        try:
            if channel is None:
                raise LookupError(f"channel {message.channel!r} is not configured")
            channel.send(message)
        except Exception as error:  # any failure of a channel is one failed attempt
            when = backoff.next_at(now_ms, message.attempts)
            outbox.retry(message.delivery_id, f"{type(error).__name__}: {error}"[:2000], when)
            if when is None:
                failed += 1
            else:
                retried += 1
            continue
        outbox.sent(message.delivery_id, now_ms)
        sent += 1
    return Pass(queued, sent, retried, failed)
