"""The glycaemia port: what the diabetes view reads (implemented by
`adapters.sql.glycaemia.readings`)."""

from __future__ import annotations

from typing import Protocol


class Store(Protocol):
    def indications(self, patient_id: int) -> set[str] | None:
        """The indications the patient is followed for; None if there is no such patient."""
        ...

    def has_readings(self, patient_id: int, kind_id: int) -> bool:
        """Whether the patient ever transmitted a reading of this kind."""
        ...

    def readings(
        self, patient_id: int, kind_id: int, since_ms: int, until_ms: int
    ) -> tuple[list[int], list[float]]:
        """Instants (UTC ms, in order) and values of the kind in `[since_ms, until_ms)`."""
        ...
