"""Every table of the store, on one `MetaData`: import this module to see the whole schema."""

from __future__ import annotations

from telesurveillance.adapters.sql import (  # noqa: F401
    tables_alerts,
    tables_ledger,
    tables_notes,
    tables_pathway,
    tables_security,
)
from telesurveillance.adapters.sql.schema import metadata

__all__ = ["metadata"]
