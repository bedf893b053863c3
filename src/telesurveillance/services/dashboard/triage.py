"""The shared triage queue: every alert not closed, most severe first, then newest first."""

from __future__ import annotations

from dataclasses import dataclass

from telesurveillance.services.dashboard import ports, worklist


@dataclass(frozen=True, slots=True)
class Queue:
    alerts: list[ports.OpenAlert]
    #: patient id → (family name, given name, synthetic)
    names: dict[int, tuple[str, str, bool]]

    @property
    def synthetic(self) -> bool:
        return any(n[2] for n in self.names.values())


def queue(reads: ports.Worklist, directory: ports.Directory) -> Queue:
    alerts = reads.open_alerts()
    names = directory.names({a.patient_id for a in alerts})
    alerts.sort(key=lambda a: (worklist.SEVERITY_RANK.get(a.severity, 9), -a.opened_at))
    return Queue(alerts, names)
