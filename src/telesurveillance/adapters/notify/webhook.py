"""Signed webhook channel: JSON POSTed to the team's endpoint, signed with HMAC-SHA256.

Headers: `X-Telesurveillance-Delivery` (the outbox id: deduplicate on it), `X-Telesurveillance-
Timestamp` (Unix seconds) and `X-Telesurveillance-Signature: sha256=<hex>` where the MAC is
HMAC-SHA256 (RFC 2104, FIPS 180-4) with the shared secret over `"{timestamp}.{body}"`: the
receiver recomputes it, compares in constant time and refuses old timestamps (replay). Any
non-2xx answer or network error is a failed attempt, retried by the worker with backoff.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass

import httpx

from telesurveillance.services.alerts import outbox

SIGNATURE = "X-Telesurveillance-Signature"
TIMESTAMP = "X-Telesurveillance-Timestamp"
DELIVERY = "X-Telesurveillance-Delivery"


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret, str(timestamp).encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: bytes, timestamp: int, body: bytes, header: str) -> bool:
    return hmac.compare_digest(signature(secret, timestamp, body), header)


def body(message: outbox.Message) -> bytes:
    document = {
        "delivery": message.delivery_id,
        "alert": message.alert_id,
        "patient": message.patient_id,
        "rule": message.rule_id,
        "indication": message.indication,
        "severity": message.severity,
        "from": message.from_status,
        "to": message.to_status,
        "actor": message.actor,
        "role": message.role,
        "at": message.at,
        "decision": message.decision,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode("utf-8")


@dataclass(frozen=True, slots=True)
class WebhookChannel:
    url: str
    secret: bytes
    timeout: float = 10.0

    def send(self, message: outbox.Message) -> None:
        payload = body(message)
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            DELIVERY: str(message.delivery_id),
            TIMESTAMP: str(timestamp),
            SIGNATURE: signature(self.secret, timestamp, payload),
        }
        response = httpx.post(self.url, content=payload, headers=headers, timeout=self.timeout)
        response.raise_for_status()
