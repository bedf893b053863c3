"""Notifications through a real local SMTP server and a local HTTP receiver (loopback only)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import http.server
import socket
import threading
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from telesurveillance.adapters.notify import smtp, webhook
from telesurveillance.adapters.sql.alerts import outbox as alerts_outbox
from telesurveillance.domain.measures import reading
from telesurveillance.services.alerts import outbox as service
from tests.adapters.alerts import seed

NOW = seed.at(dt.date(2026, 2, 10), 12)
SECRET = b"s3cret-for-tests"


class _Inbox:
    def __init__(self) -> None:
        self.mails: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, _Inbox]]:
    inbox = _Inbox()
    with socket.socket() as probe:  # a free loopback port (aiosmtpd cannot start on port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


class _Receiver(http.server.BaseHTTPRequestHandler):
    failures_left = 0
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        payload = self.rfile.read(length)
        cls = type(self)
        if cls.failures_left > 0:
            cls.failures_left -= 1
            self.send_response(503)
        else:
            cls.received.append((dict(self.headers), payload))
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[_Receiver]]]:
    handler = type("Receiver", (_Receiver,), {"failures_left": 0, "received": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", handler
    finally:
        server.shutdown()
        server.server_close()


def _one_alert(engine: sa.Engine) -> None:
    pid = seed.patient(engine, seed.operateur(engine), "insuffisance_respiratoire")
    seed.ingest(engine, [reading.Reading(pid, seed.SPO2, seed.ts(NOW), 80.0)], NOW)


def _send(engine: sa.Engine, channels: dict[str, service.Channel], at: dt.datetime) -> service.Pass:
    """One pass of the notification worker at `at` (as `alerts run` does after its sweep)."""
    return service.deliver(alerts_outbox.SqlOutbox(engine), channels, reading.millis(at))


def test_a_new_alert_is_mailed_once_without_health_data(
    engine: sa.Engine, smtp_server: tuple[int, _Inbox]
) -> None:
    port, inbox = smtp_server
    _one_alert(engine)
    channel = smtp.SmtpChannel("127.0.0.1", port, "alertes@example.org", ["equipe@example.org"])
    first = _send(engine, {"smtp": channel}, NOW)
    second = _send(engine, {"smtp": channel}, NOW + dt.timedelta(minutes=1))
    assert (first.queued, first.sent, second.queued, second.sent) == (1, 1, 0, 0)
    [mail] = inbox.mails
    parsed = email.message_from_bytes(mail, policy=email.policy.default)
    assert parsed["Subject"] == "[Télésurveillance] Alerte n° 1 nouvelle"
    body = parsed.get_body()
    assert body is not None
    text = body.get_content()
    assert "Alerte n° 1 (sévérité high)" in text
    assert "SpO2" not in text
    assert "80" not in text


def test_the_webhook_is_signed_and_retried_with_backoff(
    engine: sa.Engine, receiver: tuple[str, type[_Receiver]]
) -> None:
    url, handler = receiver
    handler.failures_left = 2
    _one_alert(engine)
    channels = {"webhook": webhook.WebhookChannel(url, SECRET, timeout=5)}
    backoff = service.Backoff(base_ms=1_000, factor=2, max_attempts=5)
    t0 = reading.millis(NOW)
    outbox = alerts_outbox.SqlOutbox(engine)

    def at(ms: int) -> service.Pass:
        return service.deliver(outbox, channels, t0 + ms, backoff)

    assert at(0).retried == 1  # first attempt fails: next in 1 s
    assert at(999).retried == 0  # not due yet
    assert at(1_000).retried == 1  # second attempt fails: next in 2 s
    assert at(2_999).sent == 0
    assert at(3_000).sent == 1  # third attempt succeeds
    assert at(60_000) == service.Pass()
    [(headers, payload)] = handler.received
    assert webhook.verify(
        SECRET, int(headers[webhook.TIMESTAMP]), payload, headers[webhook.SIGNATURE]
    )
    assert not webhook.verify(b"other", int(headers[webhook.TIMESTAMP]), payload,
                              headers[webhook.SIGNATURE])  # fmt: skip
    assert headers[webhook.DELIVERY] == "1"
    assert outbox.counts() == {"sent": 1}


def test_a_delivery_gives_up_after_the_last_attempt(
    engine: sa.Engine, receiver: tuple[str, type[_Receiver]]
) -> None:
    url, handler = receiver
    handler.failures_left = 10
    _one_alert(engine)
    channels = {"webhook": webhook.WebhookChannel(url, SECRET, timeout=5)}
    backoff = service.Backoff(base_ms=10, factor=2, max_attempts=3)
    outbox = alerts_outbox.SqlOutbox(engine)
    t0 = reading.millis(NOW)
    results = [service.deliver(outbox, channels, t0 + ms, backoff) for ms in (0, 10, 30, 1_000)]
    assert [(r.retried, r.failed) for r in results] == [(1, 0), (1, 0), (0, 1), (0, 0)]
    assert outbox.counts() == {"failed": 1}
    assert handler.received == []


def test_two_channels_each_get_the_transition_once(
    engine: sa.Engine, smtp_server: tuple[int, _Inbox], receiver: tuple[str, type[_Receiver]]
) -> None:
    port, inbox = smtp_server
    url, handler = receiver
    _one_alert(engine)
    channels: dict[str, service.Channel] = {
        "smtp": smtp.SmtpChannel("127.0.0.1", port, "a@example.org", ["b@example.org"]),
        "webhook": webhook.WebhookChannel(url, SECRET),
    }
    for minutes in range(3):
        _send(engine, channels, NOW + dt.timedelta(minutes=minutes))
    assert len(inbox.mails) == 1
    assert len(handler.received) == 1


def test_a_claimed_delivery_is_not_claimed_again_before_its_lease_ends(engine: sa.Engine) -> None:
    _one_alert(engine)
    outbox = alerts_outbox.SqlOutbox(engine)
    t0 = reading.millis(NOW)
    outbox.enqueue(["webhook"], t0 - 1)
    assert len(outbox.claim(t0, 60_000, 10)) == 1
    assert outbox.claim(t0 + 59_999, 60_000, 10) == []
    # a sender that died: the lease ends and the delivery is tried again
    [again] = outbox.claim(t0 + 60_000, 60_000, 10)
    assert again.attempts == 2
