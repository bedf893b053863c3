"""The `telesurveillance pathway` commands walk a patient from set-up to the ordonnance PDF and
the end-of-care report, and print refusals with their rule and citation (exit 1)."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from telesurveillance.cli import app
from tests.services.pathway import world as w
from tests.services.pathway.test_walk import text_of

runner = CliRunner()


def run(engine: sa.Engine, *args: str) -> tuple[int, str]:
    url = engine.url.render_as_string(hide_password=False)
    result = runner.invoke(app, ["pathway", *args], env={"TELESURVEILLANCE_DATABASE_URL": url})
    return result.exit_code, result.output


def last_id(output: str) -> str:
    found: list[str] = re.findall(r"\d+", output)
    assert found, output
    return found[-1]


def test_the_cli_sets_up_includes_prescribes_prints_and_stops(
    engine: sa.Engine, tmp_path: Path
) -> None:
    code, out = run(engine, "operateur-add", "Cabinet SYNTHÉTIQUE", "--kind", "liberal")
    assert code == 0, out
    op = last_id(out)
    code, out = run(
        engine,
        *("member-add", op, "--family", "Roux", "--given", "Inès", "--profession", "medecin"),
        *("--rpps", "10009876540", "--speciality", "diabetologue"),
    )
    assert code == 0, out
    doctor = last_id(out)
    expl = last_id(run(engine, "exploitant-add", "Exploitant SYNTHÉTIQUE")[1])
    code, out = run(
        engine,
        *("dmn-add", expl, "GlucoSuivi", "--benefit", "organisationnel"),
        *("--indication", "diabete", "--certified-from", "2023-12-01"),
    )
    assert code == 0, out
    dmn = last_id(out)
    assert run(engine, "convention-sign", op, expl, "--signed-on", "2024-01-02")[0] == 0
    include = (
        *("include", "--operateur", op, "--indication", "diabete", "--dmn", dmn),
        *("--sous-population", "dt1", "--attest-all", "--family", "Noël", "--given", "Léa"),
        *("--birth-date", "1990-02-01", "--starts-on", "2024-06-03", "--synthetic"),
        *("--consent-on", "2024-06-03", "--consent-method", "oral"),
    )
    code, out = run(engine, *include)
    assert code == 1
    assert "prerequisite.ars_declaration" in out
    assert run(engine, "ars-declare", op, "2024-01-15")[0] == 0
    code, out = run(engine, *include)
    assert code == 0, out
    pec = last_id(out)

    code, out = run(
        engine, "prescribe", pec, "--prescriber", doctor, "--months", "4", "--on", "2024-06-03"
    )
    assert code == 1
    assert "prescription.duration" in out
    code, out = run(
        engine, "prescribe", pec, "--prescriber", doctor, "--months", "3", "--on", "2024-06-03"
    )
    assert code == 0, out

    pdf = tmp_path / "ordonnance.pdf"
    assert run(engine, "ordonnance", pec, "--out", str(pdf))[0] == 0
    text = text_of(pdf.read_bytes())
    for mention in ("Léa NOËL", "34 ans", "3 mois", "GlucoSuivi", "Inès ROUX", "RPPS 10009876540"):
        assert mention in text, mention

    code, out = run(engine, "tasks", pec, "--on", "2024-06-10")
    assert code == 0
    assert "accompagnement_therapeutique" in out
    assert run(engine, "stop", pec, "--reason", "refus_patient", "--on", "2024-07-01")[0] == 0
    report = tmp_path / "fin.pdf"
    assert run(engine, "end-report", pec, "--out", str(report))[0] == 0
    assert "refus du patient" in text_of(report.read_bytes())
    assert w.START.isoformat() == "2024-06-03"
