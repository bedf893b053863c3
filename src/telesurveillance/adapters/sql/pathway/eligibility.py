"""The eligibility attested at inclusion, read back for the billing engine.

The inclusion stores the listing's sub-population and the criteria the physician attested
(`pathway_eligibility`, one row per prise en charge); billing checks them again against the
listing in force on each period's first day (`domain.billing.rules.eligibility`), so the ledger
applies the same rule as the inclusion and the acceptance cases.
"""

from __future__ import annotations

import json
from collections.abc import Collection

import sqlalchemy as sa

from telesurveillance.adapters.sql.pathway import tables as tp
from telesurveillance.domain.billing import model


def attested(
    conn: sa.Connection, pec_ids: Collection[int] | None = None
) -> dict[int, model.Attested]:
    """Prise en charge → its attestation (all of them, or those of `pec_ids`); a prise en
    charge written without the pathway (no row) has none and is checked on age and sex only."""
    el = tp.pathway_eligibility.c
    query = sa.select(el.prise_en_charge_id, el.sous_population, el.criteres)
    if pec_ids is not None:
        query = query.where(el.prise_en_charge_id.in_(list(pec_ids)))
    return {
        pec_id: model.Attested(group, frozenset(_criteres(pec_id, criteres)))
        for pec_id, group, criteres in conn.execute(query)
    }


def _criteres(pec_id: int, stored: str) -> list[str]:
    found = json.loads(stored)
    if not isinstance(found, list) or not all(isinstance(c, str) for c in found):
        raise ValueError(f"pathway_eligibility of prise en charge {pec_id}: not a list of criteria")
    return found
