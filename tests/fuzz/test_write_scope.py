"""Fuzzing the authorisation of writes: any body, any framing, any content type, any route.

Bodies are single JSON resources (compact or spread over lines), NDJSON (CRLF, blank lines, a
byte order mark, documents spread over lines, an Observation smuggled on a line of its own
inside another), and Bundles (batch or transaction, `urn:uuid:` references) with mixed
subjects; they are sent to any write route of the FHIR API with any content type, by a patient
token, a device token, a médecin and a soignant. After each request: no 5xx; a patient or device
token has written no reading outside its patient and no registry row; a soignant no
Practitioner or Organization, a médecin no Organization (the role × route table).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telesurveillance import config
from telesurveillance.adapters.sql.security import accounts as security_accounts
from telesurveillance.domain.access import roles
from telesurveillance.services.security import accounts
from telesurveillance.web import app
from telesurveillance.web.security import hardening
from tests.web.fhir import resources

A, B, NOBODY = 1, 2, 424242
EXAMPLES = 60
REGISTRY = ("patients", "practitioners", "operateurs", "exploitants", "devices")
#: Rows each principal must never add (beyond its own patient's readings).
NEVER = {
    "patient": {*REGISTRY, "readings of others"},
    "device": {*REGISTRY, "readings of others"},
    "soignant": {"practitioners", "operateurs", "exploitants"},
    "medecin": {"operateurs", "exploitants"},
}
ROUTES = ["/fhir/Observation", "/fhir/QuestionnaireResponse", "/fhir", "/fhir/$import"]
MEDIA_TYPES = [
    None,
    "application/fhir+json",
    "application/json",
    "application/fhir+json; charset=utf-8",
    "application/fhir+ndjson",
    "application/ndjson",
    "application/x-ndjson",
    "text/plain",
    "application/octet-stream",
    "multipart/form-data",
]

subjects = st.sampled_from(
    [f"Patient/{A}", f"Patient/{B}", f"Patient/{B}", f"Patient/{NOBODY}", "urn:uuid:p1"]
)
instants = st.integers(0, 600).map(
    lambda m: (dt.datetime(2026, 2, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=m)).isoformat()
)


@st.composite
def readings_resources(draw: st.DrawFn) -> dict[str, Any]:
    subject, at = draw(subjects), draw(instants)
    kind = draw(st.sampled_from(["weight", "noted", "pressure", "questionnaire"]))
    if kind == "questionnaire":
        return {**resources.questionnaire_response(subject), "authored": at}
    if kind == "pressure":
        return resources.blood_pressure(subject, at)
    found = resources.weight(subject, at)
    if kind == "noted":  # off the fast path: the model path parses it
        found["note"] = [{"text": "x\ny"}]
    return found


@st.composite
def registry_resources(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(0, 10**6))
    kind = draw(st.sampled_from(["Patient", "Practitioner", "Organization", "Device"]))
    made: dict[str, Any] = {
        "Patient": resources.patient(nir=None, family=f"FUZZ{n}"),
        "Practitioner": {
            "resourceType": "Practitioner",
            "identifier": [{"system": "https://rpps.esante.gouv.fr", "value": f"{n:011}"}],
            "name": [{"family": f"FUZZ{n}"}],
        },
        "Organization": resources.organization(draw(st.sampled_from(["operateur", "exploitant"]))),
        "Device": {
            "resourceType": "Device",
            "identifier": [{"system": "urn:fuzz", "value": f"SN-{n}"}],
            "status": "active",
            "patient": {"reference": draw(subjects)},
        },
    }
    return dict(made[kind])


any_resource = st.one_of(readings_resources(), readings_resources(), registry_resources())


def _dumps(resource: Any, spread: bool) -> str:
    return json.dumps(resource, indent=1 if spread else None)


@st.composite
def smuggled(draw: st.DrawFn) -> str:
    """One JSON document about A, spread over lines so that some lines are whole resources of
    their own (the attack of issue 12: read whole, it is about A; cut at line feeds, a line is
    about another patient). The contained resources sit each on a line, commas on lines of
    their own."""
    carrier = draw(readings_resources())
    inner = draw(st.lists(readings_resources(), min_size=1, max_size=3))
    mine = {**carrier, "subject": {"reference": f"Patient/{A}"}, "contained": ["@"]}
    head = json.dumps(mine).split('"@"')[0]
    return head + "\n ,\n".join(f"\n {json.dumps(r)}" for r in inner) + "\n]}"


@st.composite
def ndjson_bodies(draw: st.DrawFn) -> str:
    lines = draw(
        st.lists(
            st.one_of(
                st.builds(_dumps, any_resource, st.booleans()),
                smuggled(),
                st.just(""),
                st.just("{not json"),
            ),
            min_size=1,
            max_size=5,
        )
    )
    text = draw(st.sampled_from(["\n", "\r\n"])).join(lines)
    return draw(st.sampled_from(["", "\ufeff"])) + text + draw(st.sampled_from(["", "\n"]))


@st.composite
def bundle_bodies(draw: st.DrawFn) -> str:
    entries = []
    for resource in draw(st.lists(any_resource, min_size=1, max_size=4)):
        entry: dict[str, Any] = {
            "resource": resource,
            "request": {"method": "POST", "url": resource["resourceType"]},
        }
        if resource["resourceType"] == "Patient" and draw(st.booleans()):
            entry["fullUrl"] = "urn:uuid:p1"
        entries.append(entry)
    kind = draw(st.sampled_from(["batch", "transaction"]))
    bundle = {"resourceType": "Bundle", "type": kind, "entry": entries}
    return _dumps(bundle, draw(st.booleans()))


#: The route and content type a framing is meant for; any other, a quarter of the time.
NATURAL = {
    "single": ("/fhir/Observation", "application/fhir+json"),
    "ndjson": ("/fhir/$import", "application/fhir+ndjson"),
    "bundle": ("/fhir", "application/fhir+json"),
}


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, str | None]:
    """(route, body, content type) of one write."""
    framing = draw(st.sampled_from(["single", "smuggled", "ndjson", "bundle"]))
    if framing == "single":
        body = _dumps(draw(any_resource), draw(st.booleans()))
    elif framing == "smuggled":
        body, framing = draw(smuggled()), draw(st.sampled_from(["single", "ndjson"]))
    elif framing == "ndjson":
        body = draw(ndjson_bodies())
    else:
        body = draw(bundle_bodies())
    route, media_type = NATURAL[framing]
    if draw(st.integers(0, 3)) == 0:
        route = draw(st.sampled_from(ROUTES))
    chosen: str | None = media_type
    if draw(st.integers(0, 3)) == 0:
        chosen = draw(st.sampled_from(MEDIA_TYPES))
    return route, body, chosen


def _token(engine: sa.Engine, role: str, patient_id: int | None, device: bool) -> str:
    secret = accounts.TOKEN_PREFIX + secrets.token_urlsafe(32)
    security_accounts.SqlAccounts(engine).add_token(
        accounts.digest(secret),
        f"fuzz {role}",
        roles.Role(role),
        patient_id,
        None,
        device,
        dt.datetime.now(dt.UTC),
        None,
    )
    return secret


def _counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        found = {
            t: int(conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one())
            for t in REGISTRY
        }
        others = sa.text("SELECT count(*) FROM readings WHERE patient_id <> :a")
        found["readings of others"] = int(conn.execute(others, {"a": A}).scalar_one())
    return found


class Site:
    """The app over the test store, patients A and B, a token per principal."""

    def __init__(self, engine: sa.Engine, tmp_path: Path) -> None:
        options = hardening.Options(secure_cookies=False, token_rate=1e6, token_burst=1e6)
        settings_ = config.Settings(database_url=str(engine.url), data_dir=tmp_path)
        self.engine = engine
        self.client = TestClient(
            app.create_app(settings_, engine=engine, security_options=options),
            raise_server_exceptions=False,
        )
        admin = {"Authorization": "Bearer " + _token(engine, "administrateur", None, False)}
        for family in ("AAA", "BBB"):
            created = self.client.post(
                "/fhir/Patient", json=resources.patient(nir=None, family=family), headers=admin
            )
            assert created.status_code == 201
        self.tokens = {
            "patient": _token(engine, "patient", A, False),
            "device": _token(engine, "patient", A, True),
            "medecin": _token(engine, "medecin", None, False),
            "soignant": _token(engine, "soignant", None, False),
        }

    def write(self, who: str, route: str, body: str, media_type: str | None) -> None:
        """Send the write; check no 5xx and nothing outside `who`'s rights was written."""
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        if media_type is not None:
            headers["Content-Type"] = media_type
        before = _counts(self.engine)
        answer = self.client.post(route, content=body.encode(), headers=headers)
        assert answer.status_code < 500, (who, route, media_type, answer.text)
        after = _counts(self.engine)
        grown = {name for name in before if after[name] > before[name]}
        assert not grown & NEVER[who], (who, route, media_type, grown, body)


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def test_no_token_ever_writes_outside_its_rights_nor_gets_a_5xx(
    engine: sa.Engine, tmp_path: Path
) -> None:
    site = Site(engine, tmp_path)

    @FUZZ
    @given(
        who=st.sampled_from(["patient", "device", "patient", "device", "medecin", "soignant"]),
        request=requests(),
    )
    def write(who: str, request: tuple[str, str, str | None]) -> None:
        route, body, media_type = request
        site.write(who, route, body, media_type)

    write()


@st.composite
def spread_lines(draw: st.DrawFn) -> str:
    """NDJSON whose documents may span lines: a smuggling carrier, resources spread over
    lines (their inner lines start with spaces), whole resources, with CRLF and a BOM."""
    parts = draw(
        st.lists(
            st.one_of(smuggled(), st.builds(_dumps, readings_resources(), st.booleans())),
            min_size=1,
            max_size=3,
        )
    )
    text = draw(st.sampled_from(["\n", "\r\n", "\n\n"])).join(parts)
    return draw(st.sampled_from(["", "\ufeff"])) + text


def test_a_scoped_token_never_writes_for_another_patient_whatever_the_lines_hold(
    engine: sa.Engine, tmp_path: Path
) -> None:
    site = Site(engine, tmp_path)
    json_types = [t for t in MEDIA_TYPES if t is not None and "json" in t]

    @FUZZ
    @given(
        who=st.sampled_from(["patient", "device"]),
        route=st.sampled_from(["/fhir/$import", "/fhir/$import", *ROUTES]),
        body=spread_lines(),
        media_type=st.sampled_from(json_types),
    )
    def write(who: str, route: str, body: str, media_type: str) -> None:
        site.write(who, route, body, media_type)

    write()
