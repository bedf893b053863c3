"""Who may acknowledge, close and pre-filter."""

from __future__ import annotations

import pytest

from telesurveillance.domain.alerts import lifecycle

Role = lifecycle.Role


def test_the_care_team_acknowledges() -> None:
    lifecycle.check_acknowledge(Role.MEDECIN)
    lifecycle.check_acknowledge(Role.SOIGNANT)


def test_an_exploitant_cannot_acknowledge() -> None:
    with pytest.raises(lifecycle.Refused):
        lifecycle.check_acknowledge(Role.EXPLOITANT)


def test_a_medecin_closes_medically() -> None:
    lifecycle.check_close(Role.MEDECIN, delegated=False)


def test_a_soignant_closes_only_under_a_cooperation_protocol() -> None:
    with pytest.raises(lifecycle.Refused, match="protocole de coopération"):
        lifecycle.check_close(Role.SOIGNANT, delegated=False)
    lifecycle.check_close(Role.SOIGNANT, delegated=True)


def test_an_exploitant_never_closes_even_under_a_protocol() -> None:
    with pytest.raises(lifecycle.Refused):
        lifecycle.check_close(Role.EXPLOITANT, delegated=True)


def test_the_prefilter_needs_the_exploitant_and_the_delegation() -> None:
    lifecycle.check_prefilter(Role.EXPLOITANT, delegated=True)
    with pytest.raises(lifecycle.Refused, match="convention"):
        lifecycle.check_prefilter(Role.EXPLOITANT, delegated=False)
    with pytest.raises(lifecycle.Refused):
        lifecycle.check_prefilter(Role.MEDECIN, delegated=True)
