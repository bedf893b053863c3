"""Fuzzing the Nightscout upload API's authorisation: any body, any credential form, any route.

Two patients, A and B, each with a Nightscout site. Uploads go to A's base URL or to the
prefix-less `/api/v1` (Loop), with a credential drawn among: A's secret (as the `api-secret`
SHA-1, `?token=`, `?secret=`, a bearer), B's secret, a wrong secret, none, and a patient API
token of B. Bodies are entries, treatments and device statuses with any fields, including
fields naming another patient (`patient`, `subject`, `userId`), odd types and future dates.

After each request: no 5xx; no registry row was added; the only patient whose readings may grow
is the one the credential opens — A's secret writes only A (whatever the body says), B's secret
on A's base URL writes nothing, B's secret without a base URL writes only B, no credential or a
wrong one writes nothing, and B's patient token writes nothing on A's site.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telesurveillance.adapters.nightscout import credentials
from tests.conftest import ClientFactory
from tests.web.nightscout.conftest import NOW, Opened, add_patient, open_site

EXAMPLES = 80
REGISTRY = ("patients", "practitioners", "operateurs", "exploitants", "devices")
NOW_MS = int(NOW.timestamp() * 1000)

#: Instants around the server's clock: mostly the last two days, some in the future.
dates = st.one_of(
    st.integers(NOW_MS - 2 * 86_400_000, NOW_MS),
    st.integers(NOW_MS, NOW_MS + 86_400_000),
    st.sampled_from([0, -1, 10**15]),
    st.text(max_size=12),
)
values = st.one_of(
    st.integers(-50, 700),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.none(),
    st.booleans(),
)
others = st.sampled_from(["Patient/B", "Patient/2", "B", "2", {"reference": "Patient/B"}])


@st.composite
def plausible(draw: st.DrawFn) -> dict[str, Any]:
    """An entry as uploaders send it (most are stored), with fields naming another patient."""
    kind = draw(st.sampled_from(["sgv", "mbg"]))
    when = draw(st.integers(NOW_MS - 2 * 86_400_000, NOW_MS - 60_000))
    doc: dict[str, Any] = {"type": kind, kind: draw(st.integers(40, 400)), "date": when}
    for field in draw(st.lists(st.sampled_from(["patient", "subject", "userId"]), max_size=2)):
        doc[field] = draw(others)
    return doc


@st.composite
def odd(draw: st.DrawFn) -> dict[str, Any]:
    """Any fields, odd types, future or absurd dates."""
    doc: dict[str, Any] = {}
    kind = draw(st.sampled_from(["sgv", "mbg", "cal", "bogus", None]))
    if kind is not None:
        doc["type"] = kind
    for field in draw(st.lists(st.sampled_from(["sgv", "mbg", "glucose", "slope"]), max_size=2)):
        doc[field] = draw(values)
    when = draw(dates)
    doc[draw(st.sampled_from(["date", "created_at", "mills"]))] = (
        when
        if not isinstance(when, int) or draw(st.booleans())
        else dt.datetime.fromtimestamp(min(max(when, 0), 10**12) / 1000, dt.UTC).isoformat()
    )
    for field in draw(st.lists(st.sampled_from(["patient", "subject", "userId"]), max_size=2)):
        doc[field] = draw(others)
    if draw(st.booleans()):
        doc["_id"] = draw(st.text(max_size=24))
    if draw(st.booleans()):
        doc["device"] = draw(st.sampled_from(["xDrip-DexcomG6", "loop://iPhone", ""]))
    return doc


documents = st.one_of(plausible(), odd())
bodies = st.one_of(
    st.lists(documents, max_size=6),
    st.lists(plausible(), min_size=1, max_size=3),
    documents,
    st.sampled_from(["", "null", "[", '{"sgv": 120', "[1, 2]", '"x"']),
)
routes = st.sampled_from(
    ["/entries", "/entries.json", "/treatments", "/treatments.json", "/devicestatus"]
)
#: Who presents what: (credential form, whose secret).
CREDENTIALS = [
    ("header", "A"),
    ("token", "A"),
    ("secret", "A"),
    ("bearer", "A"),
    ("header", "B"),
    ("token", "B"),
    ("header", "wrong"),
    ("none", "-"),
    ("patient token", "B"),
]


def _counts(engine: sa.Engine, a: int, b: int) -> dict[str, int]:
    with engine.connect() as conn:
        found = {
            t: int(conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one())
            for t in REGISTRY
        }
        for name, patient in (("A", a), ("B", b)):
            query = sa.text("SELECT count(*) FROM readings WHERE patient_id = :p")
            found[name] = int(conn.execute(query, {"p": patient}).scalar_one())
    return found


def _request(
    form: str, whose: str, sites: dict[str, Opened], patient_token: str
) -> tuple[dict[str, str], dict[str, str]]:
    """(headers, query) of the credential."""
    secret = sites[whose].secret if whose in sites else "not-the-secret-of-any-site-at-all"
    if form == "header":
        return {"api-secret": credentials.sha1_hex(secret)}, {}
    if form == "token":
        return {}, {"token": secret}
    if form == "secret":
        return {}, {"secret": credentials.sha1_hex(secret)}
    if form == "bearer":
        return {"Authorization": f"Bearer {secret}"}, {}
    if form == "patient token":
        return {"Authorization": f"Bearer {patient_token}"}, {}
    return {}, {}


def _may_grow(form: str, whose: str, base: str) -> set[str]:
    """The patients whose readings the request may add to."""
    if form in ("none", "patient token") or whose == "wrong":
        return set()
    if whose == "A":
        return {"A"}
    return {"B"} if base == "" else set()  # B's secret opens B's site, not A's URL


def test_a_nightscout_credential_writes_only_its_own_patient_whatever_the_body_says(
    engine: sa.Engine, make_client: ClientFactory
) -> None:
    a, b = add_patient(engine), add_patient(engine)
    sites = {"A": open_site(engine, a), "B": open_site(engine, b)}
    token_client = make_client(role="patient", patient_id=b)
    patient_token = token_client.headers["Authorization"].removeprefix("Bearer ")
    client: TestClient = make_client(authenticated=False, now=lambda: NOW)
    client.headers.pop("Authorization", None)
    seen: set[str] = set()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        credential=st.sampled_from(CREDENTIALS),
        on_site=st.booleans(),
        route=routes,
        body=bodies,
    )
    def upload(credential: tuple[str, str], on_site: bool, route: str, body: Any) -> None:
        form, whose = credential
        base = f"/nightscout/{sites['A'].site.key}" if on_site else ""
        headers, query = _request(form, whose, sites, patient_token)
        content = body if isinstance(body, str) else json.dumps(body)
        headers["Content-Type"] = "application/json"
        before = _counts(engine, a, b)
        answer = client.post(
            f"{base}/api/v1{route}", content=content.encode(), headers=headers, params=query
        )
        assert answer.status_code < 500, (credential, base, route, body, answer.text)
        after = _counts(engine, a, b)
        grown = {name for name in before if after[name] > before[name]}
        allowed = _may_grow(form, whose, base)
        assert grown <= allowed, (credential, base, route, body, grown)
        seen.update(grown)
        if not allowed:
            assert answer.status_code in (401, 403, 404), (credential, base, route, answer.text)

    upload()
    assert seen == {"A", "B"}  # the accepting side was exercised too, for each site
