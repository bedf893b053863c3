"""The dashboard tests' small store (one opérateur, one DMN, patients on demand)."""

from tests.web.dashboard.conftest import add_patient

__all__ = ["add_patient"]
