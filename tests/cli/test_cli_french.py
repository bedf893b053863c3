"""The command line speaks French by default, English with `--lang en` or
`TELESURVEILLANCE_LANG=en`; its help texts follow; machine-readable outputs do not change."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from telesurveillance import cli
from telesurveillance.cli import i18n
from tests.conftest import CASES

runner = CliRunner()


@pytest.fixture(autouse=True)
def french_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELESURVEILLANCE_LANG", raising=False)


def test_the_rules_table_has_french_headers_by_default() -> None:
    result = runner.invoke(cli.app, ["alerts", "rules", "insuffisance_respiratoire"])
    assert result.exit_code == 0, result.output
    assert "règle" in result.output
    assert "gravité" in result.output


def test_lang_en_gives_the_english_headers() -> None:
    result = runner.invoke(cli.app, ["--lang", "en", "alerts", "rules", "diabete"])
    assert result.exit_code == 0, result.output
    assert "severity" in result.output
    assert "gravité" not in result.output


def test_the_environment_chooses_english_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELESURVEILLANCE_LANG", "en")
    result = runner.invoke(cli.app, ["alerts", "rules", "diabete"])
    assert "severity" in result.output


def test_an_unknown_language_is_refused() -> None:
    result = runner.invoke(cli.app, ["--lang", "de", "alerts", "rules"])
    assert result.exit_code == 2
    assert "--lang" in result.output


def test_a_bad_date_is_refused_in_french() -> None:
    result = runner.invoke(cli.app, ["alerts", "stats", "--start", "hier"])
    assert result.exit_code == 2
    assert "--start : 'hier' n'est pas une date AAAA-MM-JJ" in result.output


def _help(language: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as done:
        cli.command(language)(["alerts", "run", "--help"], prog_name="telesurveillance")
    assert done.value.code == 0
    return " ".join(capsys.readouterr().out.split())


def test_the_help_is_in_french_by_default_and_in_english_on_demand(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    assert "Un balayage et un envoi, puis quitter." in _help("fr", capsys)
    assert "One sweep and one send, then exit." in _help("en", capsys)


def test_the_language_of_the_help_is_read_from_the_command_line() -> None:
    assert i18n.from_argv(["--lang", "en", "demo", "--help"]) == "en"
    assert i18n.from_argv(["--lang=en", "demo"]) == "en"
    assert i18n.from_argv(["demo", "--help"]) == "fr"


def test_every_command_and_option_has_its_french_help() -> None:
    import typer

    assert i18n.localize(typer.main.get_command(cli.app), "fr") == []


def test_every_message_key_used_by_the_command_line_exists() -> None:
    import pathlib
    import re

    folder = pathlib.Path(cli.__file__).parent
    used = set()
    for source in folder.glob("*.py"):
        used |= set(re.findall(r"""i18n\.t\(\s*f?["']([a-z_.]+)["']""", source.read_text()))
    known = i18n.catalog()
    assert used
    assert sorted(k for k in used if k not in known and not k.endswith(".")) == []


def test_the_regulation_check_summary_is_in_french() -> None:
    result = runner.invoke(cli.app, ["regulation", "check", "--today", "2026-01-01"])
    assert "paramètres" in result.output
    assert "valeur(s) encore à confirmer" in result.output


def test_json_outputs_do_not_change_with_the_language() -> None:
    case = CASES / "public" / "01_ic_observant_serie_6.yaml"
    french = runner.invoke(cli.app, ["billing", "case", str(case)])
    english = runner.invoke(cli.app, ["--lang", "en", "billing", "case", str(case)])
    assert french.exit_code == english.exit_code == 0, french.output
    assert french.stdout == english.stdout


def test_numbers_are_written_as_each_language_writes_them() -> None:
    i18n.choose("fr")
    try:
        assert i18n.number(92_147) == "92\u202f147"
        assert i18n.number(5.14, "0.0") == "5,1"
        i18n.choose("en")
        assert i18n.number(92_147) == "92,147"
        assert i18n.number(5.14, "0.0") == "5.1"
    finally:
        i18n.choose(None)
