"""Billing rows as CSV (semicolon-separated, UTF-8 with BOM, as French spreadsheets expect) and
as JSON (invoices with their lines)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Sequence

from telesurveillance.services.billing import export


def to_csv(rows: Sequence[export.Row]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(export.COLUMNS)
    for row in rows:
        writer.writerow(dataclasses.astuple(row))
    return buffer.getvalue()


def to_json(rows: Sequence[export.Row]) -> str:
    """`{"invoices": [{"invoice", "sheets": [[line, ...], ...]}]}`: the grouping is explicit."""
    invoices = []
    for name, found in export.invoices(rows).items():
        sheets: dict[int, list[dict[str, object]]] = {}
        for row in found:
            sheets.setdefault(row.sheet, []).append(dataclasses.asdict(row))
        invoices.append({"invoice": name, "sheets": [sheets[k] for k in sorted(sheets)]})
    return json.dumps({"invoices": invoices}, ensure_ascii=False, indent=2)
