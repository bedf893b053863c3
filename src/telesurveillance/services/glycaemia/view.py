"""The diabetes view of the patient page: for a patient followed for diabetes or gestational
diabetes who wears a glucose sensor (CGM), the report of the last 14 days (the period the
International Consensus on Time in Range asks for) read against the targets of the patient's
population."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from telesurveillance.domain.glycaemia import consensus, report
from telesurveillance.domain.measures import reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.services.glycaemia import ports

#: the measurement kind of sensor glucose (`domain/measures/measurements.yaml`)
SENSOR_KIND = "glucose_capteur"


class NoSuchPatient(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class View:
    """The report, or only the window when the sensor sent nothing in it."""

    report: report.Report

    @property
    def empty(self) -> bool:
        return self.report.count == 0


def diabetes_view(
    store: ports.Store,
    patient_id: int,
    now: dt.datetime,
    table: measures.Table | None = None,
    rules: consensus.Consensus | None = None,
) -> View | None:
    """The view, or None when the patient is not followed for diabetes or never wore a
    sensor. Raises `NoSuchPatient`."""
    rules = rules or consensus.packaged()
    kind = (table or measures.packaged()).by_name(SENSOR_KIND)
    indications = store.indications(patient_id)
    if indications is None:
        raise NoSuchPatient(patient_id)
    found = rules.profile_for(indications)
    if found is None:
        return None
    end = reading.millis(now) + 1
    start = end - rules.days * 86_400_000
    instants, values = store.readings(patient_id, kind.id, start, end)
    # readings in the window say the sensor was worn: the look-up is for a silent fortnight
    if not instants and not store.has_readings(patient_id, kind.id):
        return None
    return View(report.assess(rules, found, instants, values, start, end))
