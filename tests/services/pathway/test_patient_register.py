"""The patient register: identity checked before it is stored, contact kept, every edit traced."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from telesurveillance.adapters.sql.pathway import patients as sql_patients
from telesurveillance.domain import identity
from telesurveillance.services.pathway import patients

TODAY = dt.date(2026, 11, 30)
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
#: A NIR whose key is right: 97 - (1850575123456 mod 97) = 73 (test value, nobody's)
NIR = "185057512345673"


def _typed(**changes: str) -> patients.Typed:
    base = {
        "family": "Martin",
        "given": "Jeanne",
        "birth_date": "1950-03-14",
        "sex": "female",
        "coverage": "ald",
        "nir": NIR,
        "nir_type": "INS-NIR",
        "phone": "06 12 34 56 78",
        "email": "jeanne.martin@example.org",
        "address": "3 rue des Lilas, 69003 Lyon",
        "medecin_traitant": "Dr Paul Durand",
        "aidant": "Luc Martin (fils)",
        "aidant_phone": "+33 6 98 76 54 32",
    }
    base.update(changes)
    return patients.Typed(**base)


def test_the_nir_test_value_has_a_right_key() -> None:
    assert identity.nir(NIR) == NIR


def test_a_patient_created_keeps_identity_and_contact_and_who_created_it(
    engine: sa.Engine,
) -> None:
    store = sql_patients.SqlPatients(engine)
    new = patients.create(store, _typed(), None, "account/1 dr.house", NOW, TODAY)
    found = patients.record(store, new)
    assert found.identity.nir == NIR
    assert found.identity.nir_type == "INS-NIR"
    assert found.contact.phone == "0612345678"
    assert found.contact.aidant_phone == "+33698765432"
    assert found.contact.confiance is None
    (created,) = patients.history(store, new)
    assert (created.field, created.changed_by) == ("created", "account/1 dr.house")


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("nir", "185057512345674", "nir.key"),
        ("nir_type", "", "nir_type.required"),
        ("family", "  ", "family.required"),
        ("birth_date", "2026-12-01", "birth_date.future"),
        ("birth_date", "31/02/1950", "birth_date.date"),
        ("sex", "F", "sex.unknown"),
        ("phone", "06 12 34", "phone.format"),
        ("email", "jeanne@", "email.format"),
    ],
)
def test_a_bad_field_is_refused_by_name(field: str, value: str, code: str) -> None:
    with pytest.raises((patients.Invalid, identity.IdentifierError)) as refused:
        patients.check(_typed(**{field: value}), TODAY)
    assert refused.value.code == code  # type: ignore[union-attr]


def test_a_birth_date_of_today_is_accepted_and_tomorrow_is_not() -> None:
    born, _ = patients.check(_typed(birth_date=TODAY.isoformat()), TODAY)
    assert born.birth_date == TODAY
    with pytest.raises(patients.Invalid):
        patients.check(_typed(birth_date=(TODAY + dt.timedelta(days=1)).isoformat()), TODAY)


def test_the_age_turns_on_the_birthday_not_the_day_before() -> None:
    born = dt.date(1950, 3, 14)
    assert patients.age(born, dt.date(2026, 3, 13)) == 75
    assert patients.age(born, dt.date(2026, 3, 14)) == 76


def test_a_nir_recorded_for_another_patient_is_refused(engine: sa.Engine) -> None:
    store = sql_patients.SqlPatients(engine)
    patients.create(store, _typed(), None, "a", NOW, TODAY)
    with pytest.raises(patients.Invalid) as refused:
        patients.create(store, _typed(family="Autre"), None, "a", NOW, TODAY)
    assert refused.value.code == "nir.taken"


def test_an_edit_records_each_changed_field_with_who_and_when(engine: sa.Engine) -> None:
    store = sql_patients.SqlPatients(engine)
    new = patients.create(store, _typed(), None, "a", NOW, TODAY)
    later = NOW + dt.timedelta(hours=2)
    changes = patients.edit(
        store,
        new,
        1,
        _typed(phone="0700000000", confiance="Anne Roux"),
        "account/2 nurse",
        later,
        TODAY,
    )
    assert {c.field for c in changes} == {"phone", "confiance"}
    found = patients.record(store, new)
    assert found.contact.phone == "0700000000"
    assert found.version == 2
    newest = patients.history(store, new)[0]
    assert newest.changed_by == "account/2 nurse"
    assert newest.changed_at == later
    phone = next(c for c in patients.history(store, new) if c.field == "phone")
    assert (phone.before, phone.after) == ("0612345678", "0700000000")


def test_an_edit_on_a_stale_version_is_a_conflict_and_writes_nothing(engine: sa.Engine) -> None:
    store = sql_patients.SqlPatients(engine)
    new = patients.create(store, _typed(), None, "a", NOW, TODAY)
    patients.edit(store, new, 1, _typed(given="Jeanne-Marie"), "a", NOW, TODAY)
    with pytest.raises(patients.Conflict):
        patients.edit(store, new, 1, _typed(given="Jeanette"), "b", NOW, TODAY)
    assert patients.record(store, new).identity.given == "Jeanne-Marie"


def test_an_edit_that_changes_nothing_writes_nothing(engine: sa.Engine) -> None:
    store = sql_patients.SqlPatients(engine)
    new = patients.create(store, _typed(), None, "a", NOW, TODAY)
    assert patients.edit(store, new, 1, _typed(), "b", NOW, TODAY) == []
    assert patients.record(store, new).version == 1


def test_search_by_name_part_nir_and_birth_date(engine: sa.Engine) -> None:
    store = sql_patients.SqlPatients(engine)
    jeanne = patients.create(store, _typed(), None, "a", NOW, TODAY)
    other = _typed(family="Martinez", given="Paul", nir="", nir_type="", birth_date="1961-01-02")
    paul = patients.create(store, other, None, "a", NOW, TODAY)
    assert [r.id for r in patients.search(store, "mart")] == [jeanne, paul]
    assert [r.id for r in patients.search(store, "martin 14/03/1950")] == [jeanne]
    assert [r.id for r in patients.search(store, "18505")] == [jeanne]
    assert [r.id for r in patients.search(store, "paul")] == [paul]
    assert patients.search(store, "100%") == []
