"""The judge of writes: each object judged as the route it stands for, and on the patients it
writes; only the judge makes an `Authorised`."""

from __future__ import annotations

import pytest

from telesurveillance.domain.access import matrix, roles, writes

TABLE = matrix.packaged()
Role = roles.Role


def _who(role: Role, patient_id: int | None = None, device: bool = False) -> roles.Principal:
    return roles.Principal(roles.Kind.TOKEN, 1, "t", role, patient_id=patient_id, device=device)


def test_an_authorised_object_cannot_be_made_but_by_the_judge() -> None:
    with pytest.raises(TypeError, match="Judge"):
        writes.Authorised(object(), "fhir.observation.create", frozenset({1}), [])


def test_a_patient_writes_readings_about_itself_only() -> None:
    judge = writes.Judge(TABLE, _who(Role.PATIENT, patient_id=7))
    granted = judge.grant("fhir.observation.create", {7}, "reading of 7")
    assert isinstance(granted, writes.Authorised)
    assert (granted.value, granted.patients, granted.route) == (
        "reading of 7",
        frozenset({7}),
        "fhir.observation.create",
    )
    refused = judge.grant("fhir.observation.create", {7, 8}, "readings of 7 and 8")
    assert isinstance(refused, writes.Refusal)
    assert (refused.why, refused.patients) == (writes.Why.SCOPE, frozenset({8}))
    assert "Patient/8" in refused.message
    assert judge.refused == {8}


def test_a_scoped_principal_may_not_write_patient_data_that_names_no_patient() -> None:
    judge = writes.Judge(TABLE, _who(Role.PATIENT, patient_id=7, device=True))
    refused = judge.grant("fhir.observation.create", set(), "no reading")
    assert isinstance(refused, writes.Refusal)
    assert refused.why is writes.Why.SCOPE


def test_a_device_token_may_only_do_the_device_routes() -> None:
    judge = writes.Judge(TABLE, _who(Role.PATIENT, patient_id=7, device=True))
    assert judge.route("fhir.observation.create") is None
    refused = judge.grant("fhir.practitioner.create", set(), "a practitioner")
    assert isinstance(refused, writes.Refusal)
    assert refused.why is writes.Why.ROLE
    assert "device token" in refused.message


@pytest.mark.parametrize("role", list(Role))
def test_each_role_may_create_what_the_table_lets_its_direct_route_create(role: Role) -> None:
    who = _who(role, patient_id=1 if role is Role.PATIENT else None)
    judge = writes.Judge(TABLE, who)
    for rtype in ("Patient", "Practitioner", "Organization", "Device", "Observation"):
        route = writes.create_route(rtype)
        allowed = TABLE.decide(route, who) is matrix.Decision.ALLOW
        found = judge.grant(route, {1}, rtype)
        assert isinstance(found, writes.Authorised) == allowed, (role, rtype)


def test_the_create_route_of_a_type_is_the_name_of_its_direct_route() -> None:
    for rtype in ("Patient", "Organization", "Observation", "QuestionnaireResponse"):
        assert TABLE.rule(writes.create_route(rtype)) is not None
