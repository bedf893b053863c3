"""The api-secret header, ?secret=, ?token= and Bearer forms of one patient secret."""

from __future__ import annotations

import hashlib

import pytest

from telesurveillance.adapters.nightscout import credentials

SECRET = "dupont-0123456789abcdef0123456789abcdef"
SHA1 = hashlib.sha1(SECRET.encode()).hexdigest()
SHA512 = hashlib.sha512(SECRET.encode()).hexdigest()


@pytest.mark.parametrize(
    ("headers", "query"),
    [
        ({"api-secret": SHA1}, {}),
        ({"API-SECRET": SHA1.upper()}, {}),
        ({"api-secret": SHA512}, {}),
        ({"api-secret": SECRET}, {}),
        ({"api-secret": f"token={SECRET}"}, {}),
        ({}, {"secret": SHA1}),
        ({}, {"token": SECRET}),
        ({"Authorization": f"Bearer {SECRET}"}, {}),
    ],
)
def test_every_form_uploaders_use_is_accepted(
    headers: dict[str, str], query: dict[str, str]
) -> None:
    assert credentials.authorised(headers, query, SECRET)


@pytest.mark.parametrize(
    ("headers", "query"),
    [
        ({}, {}),
        ({"api-secret": SHA1[:-1] + ("0" if SHA1[-1] != "0" else "1")}, {}),
        ({"api-secret": hashlib.sha1(b"another-secret-value").hexdigest()}, {}),
        ({}, {"token": SHA1}),  # ?token= carries the token itself, not its digest
        ({}, {"secret": SECRET}),  # ?secret= carries the digest, as Nightscout reads it
        ({"Authorization": f"Basic {SECRET}"}, {}),
        ({"api-secret": ""}, {"token": " "}),
    ],
)
def test_anything_else_is_refused(headers: dict[str, str], query: dict[str, str]) -> None:
    assert not credentials.authorised(headers, query, SECRET)


def test_the_patient_is_found_by_the_sha1_of_the_secret_whatever_the_form() -> None:
    forms = [
        credentials.Presented(credentials.Where.HEADER, SHA1.upper()),
        credentials.Presented(credentials.Where.HEADER, SECRET),
        credentials.Presented(credentials.Where.HEADER, f"token={SECRET}"),
        credentials.Presented(credentials.Where.SECRET_QUERY, SHA1),
        credentials.Presented(credentials.Where.TOKEN_QUERY, SECRET),
        credentials.Presented(credentials.Where.BEARER, SECRET),
    ]
    assert {credentials.lookup_digest(form) for form in forms} == {SHA1}


def test_a_sha512_digest_cannot_find_a_patient() -> None:
    form = credentials.Presented(credentials.Where.HEADER, SHA512)
    assert credentials.lookup_digest(form) is None


def test_issued_secrets_are_long_random_and_fit_a_url() -> None:
    first, second = credentials.issue("Dupont Jean"), credentials.issue("Dupont Jean")
    assert first != second
    assert first.startswith("dupontjean-")
    assert len(first) >= credentials.MIN_LENGTH
    assert all(c.isalnum() or c == "-" for c in first)
    assert credentials.issue("éé").startswith("patient-")


def test_presented_lists_each_credential_once_with_where_it_came_from() -> None:
    found = credentials.presented({"Api-Secret": SHA1}, {"token": SECRET, "count": "10"})
    assert found == [
        credentials.Presented(credentials.Where.HEADER, SHA1),
        credentials.Presented(credentials.Where.TOKEN_QUERY, SECRET),
    ]
