"""The in-process API profile runs end to end on a tiny volume, both paths, with its profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import api_profile


@pytest.mark.parametrize("path", ["bundle", "single"])
def test_the_api_profile_measures_both_paths(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    path: str,
) -> None:
    monkeypatch.setenv("TELESURVEILLANCE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TELESURVEILLANCE_TOKEN_RATE", "1e9")
    monkeypatch.setenv("TELESURVEILLANCE_TOKEN_BURST", "1e9")
    monkeypatch.setenv("PROFILE_OUT", str(tmp_path / "profile.prof"))
    monkeypatch.setattr(api_profile.tempfile, "tempdir", str(tmp_path))  # the work directory
    tiny = ["--bundles", "2", "--size", "10", "--requests", "12", "--clients", "3"]
    api_profile.main([path, *tiny, "--patients", "3", "--profile", "--top", "5"])
    printed = capsys.readouterr().out
    assert ("sqlite bundles:" if path == "bundle" else "sqlite single:") in printed
    assert "µs a re" in printed
    assert "CPU per thread:" in printed
    assert "MainThread" in printed
    assert "cumulative" in printed
