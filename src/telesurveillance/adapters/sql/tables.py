"""Every table of the store, on one `MetaData`: import this module to see the whole schema."""

from __future__ import annotations

from telesurveillance.adapters.sql.alerts import tables  # noqa: F401
from telesurveillance.adapters.sql.billing import tables as tables_ledger  # noqa: F401
from telesurveillance.adapters.sql.core.tables import metadata
from telesurveillance.adapters.sql.dashboard import counters as tables_counters  # noqa: F401
from telesurveillance.adapters.sql.followup import tables as tables_followup  # noqa: F401
from telesurveillance.adapters.sql.nightscout import tables as tables_nightscout  # noqa: F401
from telesurveillance.adapters.sql.notes import tables as tables_notes  # noqa: F401
from telesurveillance.adapters.sql.pathway import tables as tables_pathway  # noqa: F401
from telesurveillance.adapters.sql.patient_space import tables as tables_patient_space  # noqa: F401
from telesurveillance.adapters.sql.security import shared as tables_shared  # noqa: F401
from telesurveillance.adapters.sql.security import tables as tables_security  # noqa: F401
from telesurveillance.adapters.sql.setup import tables as tables_setup  # noqa: F401

__all__ = ["metadata"]
