"""The set-up checklist: each billing prerequisite blocks until declared, a certificate ending
within a period warns, and the identifiers' check digits are verified on both sides."""

from __future__ import annotations

import datetime as dt

import pytest

from telesurveillance.domain import identity
from telesurveillance.domain.billing import model
from telesurveillance.domain.pathway import checklist, delegation
from telesurveillance.domain.regulation import records, store

DAY = dt.date(2026, 11, 23)


def _dmn(until: dt.date | None) -> checklist.Dmn:
    device = model.Dmn("CardioSuivi", records.Benefit.ORGANISATIONNEL, dt.date(2023, 7, 1), until)
    return checklist.Dmn(1, "CardioSuivi", 7, device)


def _ready(**changes: object) -> checklist.Organisation:
    base: dict[str, object] = {
        "operateur": checklist.Operateur(1, "CH", dt.date(2024, 1, 10)),
        "members": [
            checklist.Member(1, "Anne Martin", "medecin", "10005173140", "cardiologue", True)
        ],
        "dmns": [_dmn(dt.date(2030, 1, 1))],
        "conventions": [checklist.Convention(7, model.Convention(dt.date(2024, 1, 1)))],
        "protocols": [],
    }
    base.update(changes)
    return checklist.Organisation(**base)  # type: ignore[arg-type]


def _status(regulation: store.Regulation, org: checklist.Organisation) -> dict[str, str]:
    return {i.rule: i.status.value for i in checklist.judge(regulation, org, DAY)}


def test_an_empty_platform_is_blocked_by_every_billing_prerequisite(
    regulation: store.Regulation,
) -> None:
    found = _status(regulation, checklist.Organisation(operateur=None))
    assert [r for r, s in found.items() if s == "blocking"] == [
        "prerequisite.ars_declaration",
        "prescription.prescriber_qualification",
        "prerequisite.certificate",
        "prerequisite.convention",
    ]


def test_a_complete_set_up_blocks_nothing(regulation: store.Regulation) -> None:
    items = checklist.judge(regulation, _ready(), DAY)
    assert checklist.blocking(items) == []
    assert all(i.cite for i in items)


def test_an_ars_receipt_dated_after_the_day_still_blocks(regulation: store.Regulation) -> None:
    late = _ready(operateur=checklist.Operateur(1, "CH", DAY + dt.timedelta(days=1)))
    same_day = _ready(operateur=checklist.Operateur(1, "CH", DAY))
    assert _status(regulation, late)["prerequisite.ars_declaration"] == "blocking"
    assert _status(regulation, same_day)["prerequisite.ars_declaration"] == "ok"


def test_a_physician_without_rpps_or_qualification_is_not_a_prescriber(
    regulation: store.Regulation,
) -> None:
    no_rpps = checklist.Member(1, "A", "medecin", None, "cardiologue", True)
    unqualified = checklist.Member(2, "B", "medecin", "10005173140", "dermatologue", True)
    nurse = checklist.Member(3, "C", "infirmier", None, None, True)
    org = _ready(members=[no_rpps, unqualified, nurse])
    assert _status(regulation, org)["prescription.prescriber_qualification"] == "blocking"


def test_a_certificate_ending_within_one_period_warns_and_one_ending_after_does_not(
    regulation: store.Regulation,
) -> None:
    days = regulation.get("periodes.duree_jours", int).at_or_first(DAY).value
    inside = _ready(dmns=[_dmn(DAY + dt.timedelta(days=days - 1))])
    outside = _ready(dmns=[_dmn(DAY + dt.timedelta(days=days))])
    rule = "prerequisite.certificate_expires_in_period"
    assert _status(regulation, inside)[rule] == "warning"
    assert _status(regulation, outside)[rule] == "ok"


def test_an_expired_certificate_blocks(regulation: store.Regulation) -> None:
    expired = _ready(dmns=[_dmn(DAY - dt.timedelta(days=1))])
    valid_today = _ready(dmns=[_dmn(DAY)])
    assert _status(regulation, expired)["prerequisite.certificate"] == "blocking"
    assert _status(regulation, valid_today)["prerequisite.certificate"] == "ok"


def test_a_convention_ending_on_the_day_no_longer_covers_it(regulation: store.Regulation) -> None:
    ended = checklist.Convention(7, model.Convention(dt.date(2024, 1, 1), DAY))
    ending_tomorrow = checklist.Convention(
        7, model.Convention(dt.date(2024, 1, 1), DAY + dt.timedelta(days=1))
    )
    assert _status(regulation, _ready(conventions=[ended]))["prerequisite.convention"] == (
        "blocking"
    )
    assert _status(regulation, _ready(conventions=[ending_tomorrow]))[
        "prerequisite.convention"
    ] == ("ok")


def test_a_convention_with_another_exploitant_does_not_count(regulation: store.Regulation) -> None:
    other = checklist.Convention(8, model.Convention(dt.date(2024, 1, 1)))
    assert _status(regulation, _ready(conventions=[other]))["prerequisite.convention"] == (
        "blocking"
    )


def test_nurses_without_a_protocol_and_members_without_log_in_are_warnings(
    regulation: store.Regulation,
) -> None:
    nurse = checklist.Member(2, "Inès Test", "infirmier", None, None, False)
    org = _ready(members=[*_ready().members, nurse])
    found = _status(regulation, org)
    assert found["delegation.protocol"] == "warning"
    assert found["setup.member_accounts"] == "warning"
    protocol = delegation.CooperationProtocol(
        "Clôture", delegation.Role.SOIGNANT, frozenset({delegation.Task.ALERT_CLOSURE}), DAY
    )
    assert _status(regulation, _ready(members=[*_ready().members, nurse], protocols=[protocol]))[
        "delegation.protocol"
    ] == ("ok")


def test_an_rpps_key_is_checked_on_both_sides() -> None:
    assert identity.rpps_keyed("10005173140") == "10005173140"
    with pytest.raises(identity.IdentifierError) as refused:
        identity.rpps_keyed("10005173141")
    assert refused.value.code == "rpps.key"


def test_a_finess_key_is_checked_outside_corsica() -> None:
    assert identity.finess_keyed("750803447") == "750803447"
    with pytest.raises(identity.IdentifierError) as refused:
        identity.finess_keyed("750803448")
    assert refused.value.code == "finess.key"
    assert identity.finess_keyed("2A0001234") == "2A0001234"
