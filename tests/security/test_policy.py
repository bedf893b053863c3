"""Pure rules of the access domain: password policy, token bucket, the permission table."""

from __future__ import annotations

import pytest

from telesurveillance.domain.access import bucket, matrix, passwords, roles


def test_a_password_of_eleven_characters_is_refused() -> None:
    assert passwords.problems("Ab1!efghijk") == ["at least 12 characters"]


def test_a_password_of_twelve_characters_with_four_classes_is_accepted() -> None:
    assert passwords.problems("Ab1!efghijkl") == []


def test_a_short_password_missing_a_class_is_refused() -> None:
    assert passwords.problems("abcdefghij1!") == [
        "below 20 characters it must contain an upper-case letter"
    ]


def test_a_passphrase_of_twenty_characters_needs_no_class_rule() -> None:
    assert passwords.problems("correct horse batter") == []
    assert passwords.problems("correct horse batte") != []


def test_a_password_containing_the_user_name_is_refused() -> None:
    assert "must not contain the user name" in passwords.problems("Xdupont!2024abc", "Dupont")


def test_a_huge_password_is_refused_before_hashing() -> None:
    assert passwords.problems("a" * (passwords.MAX_LENGTH + 1)) != []


def test_the_bucket_allows_a_burst_then_refuses_with_the_time_to_wait() -> None:
    limit = bucket.Bucket.full(rate=2.0, burst=3.0, now=0.0)
    assert [limit.take(0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limit.take(0.0) == pytest.approx(0.5)


def test_the_bucket_refills_at_its_rate() -> None:
    limit = bucket.Bucket.full(rate=2.0, burst=1.0, now=0.0)
    assert limit.take(0.0) == 0.0
    assert limit.take(0.49) > 0.0
    assert limit.take(0.5) == 0.0


def test_the_packaged_table_loads_and_names_valid_roles() -> None:
    table = matrix.packaged()
    assert "fhir.metadata" in table.public
    for rule in table.rules.values():
        assert rule.allow <= frozenset(roles.Role)


def test_every_patient_data_route_open_to_patients_says_where_the_patient_is_named() -> None:
    # Otherwise a patient could read or write another patient's data through it.
    table = matrix.packaged()
    unscoped = [
        r.name
        for r in table.rules.values()
        if r.patient_data
        and (roles.Role.PATIENT in r.allow or r.device)
        and not (r.patient_params or r.patient_in_body or r.patient_self)
    ]
    assert unscoped == []


def test_a_route_acting_on_the_callers_own_patient_is_open_to_patients_only() -> None:
    # `patient_self`: the handler takes the patient from the principal, so a principal with no
    # patient (the care team) must never reach it, and no such route may take a device token.
    table = matrix.packaged()
    own = [r for r in table.rules.values() if r.patient_self]
    assert len(own) >= 3
    assert [r.name for r in own if r.allow != {roles.Role.PATIENT} or r.device] == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("routes: {a: {allow: [medecin]}}", "required"),
        ("routes: {a: {allow: [chef], patient_data: false}}", "unknown role"),
        ("routes: {a: {allow: any, patient_data: false, colour: red}}", "unknown keys"),
        ("public: [a]\nroutes: {a: {allow: any, patient_data: false}}", "both public"),
        ("routes: {a: {allow: any, patient_data: false, action: Z}}", "action"),
        ("routes: {a: {allow: any, patient_data: false, audited: yes please}}", "audited"),
        ("other: 1", "expected the keys"),
    ],
)
def test_a_malformed_table_is_refused(text: str, message: str) -> None:
    with pytest.raises(matrix.MatrixError, match=message):
        matrix.parse(text)


def test_a_device_token_is_refused_every_route_not_marked_device() -> None:
    table = matrix.parse(
        "routes:\n"
        "  write: {allow: [patient], patient_data: true, device: true, patient_in_body: true}\n"
        "  read: {allow: [patient], patient_data: true, patient_param: patient}\n"
    )
    device = roles.Principal(roles.Kind.TOKEN, 1, "d", roles.Role.PATIENT, 7, device=True)
    assert table.decide("write", device) is matrix.Decision.ALLOW
    assert table.decide("read", device) is matrix.Decision.FORBIDDEN


def test_an_anonymous_caller_is_unauthenticated_except_on_public_routes() -> None:
    table = matrix.parse("public: [open]\nroutes: {}")
    assert table.decide("open", None) is matrix.Decision.ALLOW
    assert table.decide("closed", None) is matrix.Decision.UNAUTHENTICATED


def test_every_administration_write_is_audited_and_its_pages_are_not() -> None:
    table = matrix.packaged()
    writes = [
        r.name
        for r in table.rules.values()
        if r.name.startswith(("dashboard.admin_", "dashboard.setup_"))
        and not r.name.endswith(("_accounts", "_tokens", "_audit", "_audit_export", "_document"))
    ]
    assert len(writes) == 11
    assert [n for n in writes if not table.rules[n].traced] == []
    assert not table.rules["dashboard.admin_accounts"].traced
