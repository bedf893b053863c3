"""Every acceptance case (public copies and the project's own) matches its expectation."""

from __future__ import annotations

from pathlib import Path

import pytest

from telesurveillance.adapters.cases import loader
from telesurveillance.domain.billing import engine
from telesurveillance.domain.regulation import store
from tests.conftest import CASES, SHARED_CASES

CASE_FILES = sorted(CASES.rglob("*.yaml"))


def test_there_are_public_and_project_cases() -> None:
    assert len(list((CASES / "public").glob("*.yaml"))) >= 14


def test_public_copies_match_the_shared_cases_when_present() -> None:
    if not SHARED_CASES.is_dir():
        pytest.skip("../shared/cases is not beside this checkout")
    for shared in SHARED_CASES.glob("*.yaml"):
        copy = CASES / "public" / shared.name
        assert copy.read_text(encoding="utf-8") == shared.read_text(encoding="utf-8"), shared.name


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_case_matches_its_expectation(path: Path, regulation: store.Regulation) -> None:
    case = loader.parse(path.read_text(encoding="utf-8"))
    assert case.expect is not None, "an acceptance case states what it expects"
    judged = engine.judge(regulation, case.situation, case.as_of)
    assert loader.mismatches(case, judged) == []
