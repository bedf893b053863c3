"""Reusable browser steps of the new-team walkthrough, set-up part (issue 15).

From an empty database: the first administrateur (created on the server's command line, the only
step outside the browser) logs in, lands on the set-up page, declares the opérateur, its ARS
receipt with the document, a physician and a nurse each with a log-in, an exploitant, a certified
DMN, the convention and a protocole de coopération, sees nothing left blocking, and creates a
device token in the administration page. The patient part (patients, inclusion, readings through
the FHIR API with that token) continues from `Team` in its own module.

Every step drives the pages as a user does (labels, buttons, keyboard-usable forms); screenshots
go to `test-artifacts/e2e/`.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
#: The first administrateur, created with `telesurveillance user create` on the server.
ADMIN = "admin"
ADMIN_PASSWORD = "Mise-en-Place-2026!"
#: A minimal PDF standing for the ARS receipt (démarches simplifiées sends a PDF).
RECEIPT = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
#: Widths the pages must fit without horizontal scrolling (phone, tablet portrait).
WIDTHS = (390, 768)


@dataclass(frozen=True, slots=True)
class Team:
    """What the set-up part leaves for the next steps."""

    url: str
    doctor: str
    doctor_password: str
    nurse: str
    nurse_password: str
    device_token: str | None = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def empty_platform(folder: Path) -> Iterator[str]:
    """A server over an empty SQLite store with one administrateur account; its URL."""
    env = dict(os.environ)
    env["TELESURVEILLANCE_DATABASE_URL"] = f"sqlite:///{folder / 'team.sqlite3'}"
    env["TELESURVEILLANCE_DATA_DIR"] = str(folder)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "telesurveillance",
            "user",
            "create",
            ADMIN,
            "--role",
            "administrateur",
            "--name",
            "Administrateur",
            "--password-stdin",
        ],
        input=ADMIN_PASSWORD + "\n",
        text=True,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "telesurveillance.web.dashboard.asgi:app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{url}/login", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Any, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _submit(page: Any, form: str) -> None:
    """Submit the form posting to `form` and wait for the page it answers with."""
    with page.expect_navigation():
        page.locator(f"form[action='{form}'] button[type=submit]").click()


def declare_operateur(page: Any, name: str, finess: str) -> None:
    page.fill("#operateur-name", name)
    page.select_option("#operateur-kind", "etablissement")
    page.fill("#operateur-finess", finess)
    _submit(page, "/ui/setup/operateur")


def declare_ars(page: Any, received_on: str, receipt: Path) -> None:
    page.fill("#ars-received_on", received_on)
    page.fill("#ars-reference", "DS-2024-000123")
    page.set_input_files("#ars-document", str(receipt))
    _submit(page, "/ui/setup/ars")


def add_member(page: Any, member: dict[str, str]) -> None:
    """`member`: family, given, profession, rpps, speciality, username, password, role."""
    page.fill("#members-family", member["family"])
    page.fill("#members-given", member["given"])
    page.select_option("#members-profession", member["profession"])
    page.fill("#members-rpps", member.get("rpps", ""))
    page.select_option("#members-speciality", member.get("speciality", ""))
    page.fill("#members-username", member["username"])
    page.fill("#members-password", member["password"])
    page.select_option("#members-role", member["role"])
    _submit(page, "/ui/setup/members")


def add_exploitant_and_dmn(page: Any, exploitant: str, dmn: str, indication: str) -> None:
    page.fill("#exploitants-name", exploitant)
    _submit(page, "/ui/setup/exploitants")
    page.select_option("#dmns-exploitant_id", label=exploitant)
    page.fill("#dmns-name", dmn)
    page.select_option("#dmns-benefit", "organisationnel")
    page.select_option("#dmns-indication", indication)
    page.fill("#dmns-certified_from", "2023-07-01")
    page.fill("#dmns-certified_until", "2030-12-31")
    _submit(page, "/ui/setup/dmns")


def sign_convention(page: Any, exploitant: str, signed_on: str) -> None:
    page.select_option("#conventions-exploitant_id", label=exploitant)
    page.fill("#conventions-signed_on", signed_on)
    _submit(page, "/ui/setup/conventions")


def declare_protocol(page: Any, declared_on: str) -> None:
    page.fill("#protocols-name", "Protocole de coopération : suivi des alertes")
    page.check("input[name=tasks][value=cloture_medicale_alerte]")
    page.fill("#protocols-declared_on", declared_on)
    _submit(page, "/ui/setup/protocols")


def create_device_token(page: Any, url: str, patient_id: int, label: str) -> str:
    """A device token for one patient, created in the administration page; its secret, read
    from the page (shown once)."""
    page.goto(f"{url}/ui/admin/tokens")
    page.fill("#token-label", label)
    page.select_option("#token-role", "patient")
    page.fill("#token-patient_id", str(patient_id))
    page.check("input[name=device]")
    _submit(page, "/ui/admin/tokens")
    return str(page.locator("#token-secret").inner_text()).strip()


def overflow(page: Any) -> int:
    """How far the page scrolls horizontally (0: it fits its viewport)."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - window.innerWidth")  # no inline
    )


DOCTOR = {
    "family": "Martin",
    "given": "Anne",
    "profession": "medecin",
    "rpps": "10005173140",
    "speciality": "cardiologue",
    "username": "amartin",
    "password": "Cardio-Equipe-2026!",
    "role": "medecin",
}
NURSE = {
    "family": "Durand",
    "given": "Lucie",
    "profession": "infirmier",
    "rpps": "",
    "speciality": "",
    "username": "ldurand",
    "password": "Infirmiere-Equipe-2026!",
    "role": "soignant",
}


def set_up_team(page: Any, url: str, receipt: Path) -> Team:
    """The whole set-up part, from the administrateur's log-in to nothing left blocking."""
    log_in(page, url, ADMIN, ADMIN_PASSWORD)
    page.wait_for_url("**/ui/setup")
    declare_operateur(page, "Centre hospitalier Exemple", "750803447")
    declare_ars(page, "2024-01-10", receipt)
    add_member(page, DOCTOR)
    add_member(page, NURSE)
    add_exploitant_and_dmn(page, "Télésuivi Exemple SAS", "CardioSuivi", "insuffisance_cardiaque")
    sign_convention(page, "Télésuivi Exemple SAS", "2024-01-01")
    declare_protocol(page, "2024-01-01")
    return Team(url, DOCTOR["username"], DOCTOR["password"], NURSE["username"], NURSE["password"])
