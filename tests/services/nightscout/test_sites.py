"""Nightscout sites: issued with a secret kept only as digests, one live site per patient,
found by the key and any digest of its secret or by the SHA-1 alone, revoked for good."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import sqlalchemy as sa

from telesurveillance import composition
from telesurveillance.adapters.sql.nightscout import tables
from telesurveillance.services.nightscout import sites
from tests.web.nightscout.conftest import add_patient

NOW = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
SECRET = "patient-0123456789abcdef"


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _sha512(text: str) -> str:
    return hashlib.sha512(text.encode()).hexdigest()


def _store(engine: sa.Engine) -> sites.Store:
    return composition.over(engine).nightscout_sites


def _issue(engine: sa.Engine, patient: int, secret: str = SECRET) -> sites.Issued:
    return sites.issue(
        _store(engine), patient_id=patient, secret=secret, now=NOW, issued_by="dr test"
    )


def test_the_secret_is_never_stored(engine: sa.Engine) -> None:
    issued = _issue(engine, add_patient(engine))
    with engine.connect() as conn:
        row = conn.execute(sa.select(tables.nightscout_sites)).one()
    stored = " ".join(str(v) for v in row)
    assert SECRET not in stored
    assert _sha1(SECRET) not in stored  # what api-secret carries is a credential too
    assert issued.secret == SECRET
    assert len(issued.site.key) >= 16


def test_issuing_again_revokes_the_patients_previous_site(engine: sa.Engine) -> None:
    patient = add_patient(engine)
    first = _issue(engine, patient)
    second = _issue(engine, patient, "patient-fedcba9876543210")
    assert second.revoked == first.site
    store = _store(engine)
    assert store.live_for_patient(patient) == second.site
    found = sites.find(store, key=first.site.key, sha1_hex=_sha1(SECRET), sha512_hex=None, now=NOW)
    assert found is None


def test_the_key_and_either_digest_find_the_site(engine: sa.Engine) -> None:
    issued = _issue(engine, add_patient(engine))
    store, key = _store(engine), issued.site.key
    by_sha1 = sites.find(store, key=key, sha1_hex=_sha1(SECRET), sha512_hex=None, now=NOW)
    by_sha512 = sites.find(store, key=key, sha1_hex=None, sha512_hex=_sha512(SECRET), now=NOW)
    assert by_sha1 is not None
    assert by_sha512 is not None
    assert by_sha1.id == by_sha512.id == issued.site.id


def test_the_sha1_alone_finds_the_site_and_the_sha512_alone_does_not(engine: sa.Engine) -> None:
    issued = _issue(engine, add_patient(engine))
    store = _store(engine)
    found = sites.find(store, key=None, sha1_hex=_sha1(SECRET).upper(), sha512_hex=None, now=NOW)
    assert found is not None
    assert found.patient_id == issued.site.patient_id
    alone = sites.find(store, key=None, sha1_hex=None, sha512_hex=_sha512(SECRET), now=NOW)
    assert alone is None


def test_a_wrong_secret_or_another_sites_key_finds_nothing(engine: sa.Engine) -> None:
    mine = _issue(engine, add_patient(engine))
    other = _issue(engine, add_patient(engine), "other-0123456789abcdef")
    store = _store(engine)
    wrong = sites.find(
        store, key=mine.site.key, sha1_hex=_sha1("other-0123456789abcdef"), sha512_hex=None, now=NOW
    )
    assert wrong is None
    unknown = sites.find(store, key="nope", sha1_hex=_sha1(SECRET), sha512_hex=None, now=NOW)
    assert unknown is None
    assert other.site.key != mine.site.key


def test_a_revoked_site_opens_nothing(engine: sa.Engine) -> None:
    patient = add_patient(engine)
    issued = _issue(engine, patient)
    store = _store(engine)
    revoked = sites.revoke(store, patient_id=patient, now=NOW)
    assert revoked is not None
    assert revoked.id == issued.site.id
    assert sites.revoke(store, patient_id=patient, now=NOW) is None
    assert sites.find(store, key=None, sha1_hex=_sha1(SECRET), sha512_hex=None, now=NOW) is None


def test_revoking_twice_at_once_revokes_once(engine: sa.Engine) -> None:
    issued = _issue(engine, add_patient(engine))
    store = _store(engine)
    assert store.revoke(issued.site.id, NOW) is True
    assert store.revoke(issued.site.id, NOW) is False


@pytest.mark.parametrize(
    ("secret", "ok"), [("a" * (sites.MIN_SECRET_LENGTH - 1), False), ("a" * 12, True)]
)
def test_a_secret_shorter_than_nightscouts_minimum_is_refused(
    engine: sa.Engine, secret: str, ok: bool
) -> None:
    patient = add_patient(engine)
    if ok:
        assert _issue(engine, patient, secret).site.patient_id == patient
    else:
        with pytest.raises(sites.SiteError, match="at least 12"):
            _issue(engine, patient, secret)


def test_an_unknown_patient_or_unit_is_refused(engine: sa.Engine) -> None:
    with pytest.raises(sites.SiteError, match="unknown patient"):
        _issue(engine, 999)
    with pytest.raises(sites.SiteError, match="units"):
        sites.issue(
            _store(engine),
            patient_id=add_patient(engine),
            secret=SECRET,
            now=NOW,
            issued_by="x",
            units="g/L",
        )


def test_use_is_recorded_at_most_every_few_minutes(engine: sa.Engine) -> None:
    issued = _issue(engine, add_patient(engine))
    store = _store(engine)
    key = issued.site.key
    sites.find(store, key=key, sha1_hex=_sha1(SECRET), sha512_hex=None, now=NOW)
    later = NOW + sites.TOUCH_EVERY - dt.timedelta(seconds=1)
    sites.find(store, key=key, sha1_hex=_sha1(SECRET), sha512_hex=None, now=later)
    found = store.live_for_patient(issued.site.patient_id)
    assert found is not None
    assert found.last_used_at == NOW
    beyond = NOW + sites.TOUCH_EVERY + dt.timedelta(seconds=1)
    sites.find(store, key=key, sha1_hex=_sha1(SECRET), sha512_hex=None, now=beyond)
    found = store.live_for_patient(issued.site.patient_id)
    assert found is not None
    assert found.last_used_at == beyond
