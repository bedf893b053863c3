"""Access links in the store: a single-use link opens one session however many uses race;
a reusable one opens one per use until it expires; the secret is never stored."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from telesurveillance import composition
from telesurveillance.adapters.sql.patient_space import tables
from telesurveillance.services.patient_space import links, ports
from tests.web.dashboard.conftest import NOW, TODAY, AddPatient

RACERS = 12


def _race(store: ports.Store, secret: str) -> list[links.Opened | links.LinkError]:
    results: list[links.Opened | links.LinkError] = []
    start = threading.Barrier(RACERS)
    lock = threading.Lock()

    def use() -> None:
        start.wait()
        try:
            found: links.Opened | links.LinkError = links.open_session(store, secret, NOW)
        except links.LinkError as error:
            found = error
        with lock:
            results.append(found)

    threads = [threading.Thread(target=use) for _ in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.parametrize(("single_use", "sessions"), [(True, 1), (False, RACERS)])
def test_concurrent_uses_of_a_link_open_as_many_sessions_as_it_allows(
    engine: sa.Engine, add_patient: AddPatient, single_use: bool, sessions: int
) -> None:
    patient = add_patient("insuffisance_cardiaque", TODAY - dt.timedelta(days=3), [])
    store = composition.over(engine).patient_space
    issued = links.issue(store, patient, 7, single_use, "Dr Test", NOW)
    results = _race(store, issued.secret)
    opened = [r for r in results if isinstance(r, links.Opened)]
    assert len(opened) == sessions
    refused = [r for r in results if isinstance(r, links.LinkError)]
    assert all(r.state is ports.LinkState.USED for r in refused)
    with engine.connect() as conn:
        count = sa.select(sa.func.count()).select_from(tables.patient_link_sessions)
        assert conn.execute(count).scalar_one() == sessions
        stored = conn.execute(sa.select(tables.patient_links)).one()
    assert issued.secret not in " ".join(str(v) for v in stored)


def test_a_link_for_a_patient_that_does_not_exist_is_refused(engine: sa.Engine) -> None:
    store = composition.over(engine).patient_space
    with pytest.raises(links.LinkError):
        links.issue(store, 999_999, 7, False, "Dr Test", NOW)
