"""schemathesis over the whole OpenAPI description of the real app, authenticated as the
administrateur (who may call every route): no 5xx, and responses match their schemas.

Bounded: `EXAMPLES` generated requests per operation and backend (derandomized, so a failure
reproduces), to keep the whole run within the test command's time budget. schemathesis' own
pytest plugin does not run under pytest 9, so the operations are driven here with hypothesis.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from telesurveillance import config
from telesurveillance.adapters.sql.security import accounts as security_accounts
from telesurveillance.domain.access import roles
from telesurveillance.services.security import accounts
from telesurveillance.web import app
from telesurveillance.web.security import hardening

EXAMPLES = 8


def test_no_operation_answers_5xx_or_breaks_its_schema(engine: sa.Engine, tmp_path: Path) -> None:
    options = hardening.Options(secure_cookies=False, token_rate=1e6, token_burst=1e6)
    settings_ = config.Settings(database_url=str(engine.url), data_dir=tmp_path)
    built = app.create_app(settings_, engine=engine, security_options=options)
    _, secret = accounts.create_token(
        security_accounts.SqlAccounts(engine), roles.Role.ADMINISTRATEUR, dt.datetime.now(dt.UTC)
    )
    headers = {"Authorization": f"Bearer {secret}"}
    api = schemathesis.openapi.from_asgi("/openapi.json", built, headers=headers)
    failures: list[str] = []
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) > 20
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def fuzz(case: schemathesis.Case) -> None:
            case.call_and_validate(
                headers=headers,
                checks=[checks.not_a_server_error, checks.response_schema_conformance],
            )

        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as exc:  # report every operation's failures
            failures.append(f"{operation.label}: {str(exc)[:800]}")
    assert failures == [], "\n\n".join(failures)
