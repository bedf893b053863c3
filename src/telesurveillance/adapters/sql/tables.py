"""Every table of the store, on one `MetaData`: import this module to see the whole schema."""

from __future__ import annotations

from telesurveillance.adapters.sql.schema import metadata

__all__ = ["metadata"]
