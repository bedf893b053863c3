"""E-mail channel (SMTP, optional STARTTLS and login).

The mail carries no health data: no name, no value, only the alert number, its severity, the
change and a link to the dashboard, where the reader authenticates (e-mail is not a secure
channel for health data: CSP art. L1110-4, and the CNIL's guidance on messaging). The
`Message-ID` is derived from the delivery id, so a receiver can drop a re-sent duplicate.
"""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from telesurveillance.services.alerts import outbox

_STATUS_FR = {"open": "nouvelle", "acknowledged": "prise en compte", "closed": "clôturée"}


@dataclass(frozen=True, slots=True)
class SmtpChannel:
    host: str
    port: int
    sender: str
    recipients: Sequence[str]
    dashboard_url: str = ""
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0

    def compose(self, message: outbox.Message) -> EmailMessage:
        mail = EmailMessage()
        status = _STATUS_FR.get(message.to_status, message.to_status)
        mail["Subject"] = f"[Télésurveillance] Alerte n° {message.alert_id} {status}"
        mail["From"] = self.sender
        mail["To"] = ", ".join(self.recipients)
        domain = self.sender.rpartition("@")[2] or "localhost"
        mail["Message-ID"] = f"<alert-delivery-{message.delivery_id}@{domain}>"
        link = f"{self.dashboard_url.rstrip('/')}/alerts/{message.alert_id}"
        mail.set_content(
            f"Alerte n° {message.alert_id} (sévérité {message.severity}) : {status}.\n"
            f"Consultez-la sur le tableau de bord : {link}\n"
        )
        return mail

    def send(self, message: outbox.Message) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as client:
            if self.starttls:
                client.starttls()
            if self.username:
                client.login(self.username, self.password or "")
            client.send_message(self.compose(message))
