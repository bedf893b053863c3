"""`telesurveillance nightscout issue|show|revoke`: the URL and the secret printed once, the
site usable by an uploader, revoked on demand."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from telesurveillance import composition
from telesurveillance.adapters.nightscout import credentials
from telesurveillance.cli import app
from telesurveillance.services.nightscout import sites
from tests.web.nightscout.conftest import NOW, add_patient

runner = CliRunner()


def _run(engine: sa.Engine, tmp_path: Path, *args: str) -> tuple[int, str]:
    env = {
        "TELESURVEILLANCE_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "TELESURVEILLANCE_DATA_DIR": str(tmp_path),
        "TELESURVEILLANCE_PUBLIC_URL": "https://ts.example.fr",
    }
    result = runner.invoke(app, ["nightscout", *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_issue_prints_the_url_and_a_secret_that_opens_the_site(
    engine: sa.Engine, tmp_path: Path
) -> None:
    patient = add_patient(engine)
    code, output = _run(engine, tmp_path, "issue", "--patient", str(patient), "--label", "xDrip")
    assert code == 0, output
    url = re.search(r"URL:\s+(\S+)", output)
    secret = re.search(r"secret:\s+(\S+)", output)
    assert url is not None
    assert secret is not None
    key = url[1].removeprefix("https://ts.example.fr/nightscout/")
    assert f"https://{secret[1]}@ts.example.fr/nightscout/{key}/api/v1/" in output
    found = sites.find(
        composition.over(engine).nightscout_sites,
        key=key,
        sha1_hex=credentials.sha1_hex(secret[1]),
        sha512_hex=None,
        now=NOW,
    )
    assert found is not None
    assert found.patient_id == patient
    code, shown = _run(engine, tmp_path, "show", "--patient", str(patient))
    assert code == 0
    assert url[1] in shown
    assert secret[1] not in shown


def test_issue_again_says_it_revoked_the_previous_site(engine: sa.Engine, tmp_path: Path) -> None:
    patient = add_patient(engine)
    _run(engine, tmp_path, "issue", "--patient", str(patient))
    code, output = _run(engine, tmp_path, "issue", "--patient", str(patient))
    assert code == 0
    assert "revoked: the previous site" in output


def test_revoke_then_show_finds_no_live_site(engine: sa.Engine, tmp_path: Path) -> None:
    patient = add_patient(engine)
    _run(engine, tmp_path, "issue", "--patient", str(patient))
    code, output = _run(engine, tmp_path, "revoke", "--patient", str(patient))
    assert code == 0
    assert "revoked" in output
    assert _run(engine, tmp_path, "show", "--patient", str(patient))[0] == 1
    assert _run(engine, tmp_path, "revoke", "--patient", str(patient))[0] == 1


def test_issue_for_an_unknown_patient_fails_clearly(engine: sa.Engine, tmp_path: Path) -> None:
    code, output = _run(engine, tmp_path, "issue", "--patient", "999")
    assert code == 2
    assert "unknown patient Patient/999" in output
