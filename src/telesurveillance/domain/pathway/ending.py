"""End of monitoring: a dated stop with a reason (B8: coverage stops with the monitoring)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from telesurveillance.domain.pathway import refusals
from telesurveillance.domain.regulation import store

Refused = refusals.Refused


class StopReason(StrEnum):
    PATIENT_REFUSAL = "refus_patient"
    TECHNICAL_PROBLEM = "probleme_technique"
    INSUFFICIENT_DATA = "donnees_insuffisantes"
    HOSPITALISATION = "hospitalisation"
    DEATH = "deces"
    END_OF_PRESCRIPTION = "fin_de_prescription"


LABELS_FR = {
    StopReason.PATIENT_REFUSAL: "refus du patient",
    StopReason.TECHNICAL_PROBLEM: "problème technique",
    StopReason.INSUFFICIENT_DATA: "données insuffisantes",
    StopReason.HOSPITALISATION: "hospitalisation",
    StopReason.DEATH: "décès",
    StopReason.END_OF_PRESCRIPTION: "fin de prescription",
}


def require_stop(
    regulation: store.Regulation,
    starts_on: dt.date,
    stopped_on: dt.date | None,
    day: dt.date,
) -> None:
    """A prise en charge stops once, on or after its start."""
    rule = "monitoring.stopped"
    if stopped_on is not None:
        raise Refused(
            rule,
            f"monitoring already stopped on {stopped_on.isoformat()}",
            refusals.rule_cite(regulation, rule, day),
        )
    if day < starts_on:
        raise Refused(
            "monitoring.stop_before_start",
            f"cannot stop on {day.isoformat()}, before the start on {starts_on.isoformat()}",
            refusals.rule_cite(regulation, rule, day),
        )
