"""The bodies uploaders and followers read back.

- `status.json` (`lib/api/status.js`): xDrip+ stores it and refuses versions 0.6–0.8; py-nightscout
  reads `status`, `version`, `name`, `apiEnabled`, `settings`; Nightscout sends `serverTime`,
  `serverTimeEpoch`, `careportalEnabled`, `boluscalcEnabled`, `extendedSettings`, `authorized`.
- a `POST` answers `200` with the documents as stored, each with its `_id`, as many and in the
  same order as sent: Loop (NightscoutKit `postToNS`) fails the batch and retries otherwise, and
  only accepts status 200.
- errors: `{status, message, description}` (`lib/middleware/send-json-status.js`), 401
  `Unauthorized` / `Invalid/Missing` for a bad credential.
- `GET /api/v1/experiments/test` is Loop's credential check (`{"status": "ok"}` or 401);
  `GET /api/v1/verifyauth` is nightscout-connect's (`message.canRead`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from telesurveillance.adapters.nightscout import ids

#: The Nightscout API level served (v1 as in Nightscout 15); clients compare version prefixes.
API_VERSION = "15.0.0"
NAME = "telesurveillance"
#: Nightscout writes units as `mg/dl` or `mmol` in its settings.
SETTINGS_UNITS = {"mg/dL": "mg/dl", "mmol/L": "mmol"}


def status(*, now: dt.datetime, units: str = "mg/dL") -> dict[str, Any]:
    """`GET /api/v1/status.json`."""
    instant = now.astimezone(dt.UTC)
    return {
        "status": "ok",
        "name": NAME,
        "version": API_VERSION,
        "serverTime": instant.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "serverTimeEpoch": int(instant.timestamp() * 1000),
        "apiEnabled": True,
        "careportalEnabled": True,
        "boluscalcEnabled": False,
        "settings": {
            "units": SETTINGS_UNITS[units],
            "timeFormat": 24,
            "language": "fr",
            "enable": ["careportal"],
            "authDefaultRoles": "denied",
        },
        "extendedSettings": {},
        "authorized": None,
        "runtimeState": "loaded",
    }


def echo(
    documents: Sequence[Mapping[str, Any]], entry_ids: Sequence[str | None]
) -> list[dict[str, Any]]:
    """The `POST` answer: every document as sent, with the `_id` it is known by (the stored
    reading's id, else `ids.document_id`)."""
    answer = []
    for document, given in zip(documents, entry_ids, strict=True):
        out = dict(document)
        out["_id"] = given or ids.document_id(document)
        answer.append(out)
    return answer


def error(code: int, message: str, description: str = "") -> dict[str, Any]:
    return {"status": code, "message": message, "description": description}


def unauthorised() -> dict[str, Any]:
    return error(401, "Unauthorized", "Invalid/Missing")


def experiments_test() -> dict[str, Any]:
    return {"status": "ok"}


def verifyauth(*, authorised: bool) -> dict[str, Any]:
    return {
        "status": 200,
        "message": {
            "canRead": authorised,
            "canWrite": authorised,
            "isAdmin": False,
            "message": "OK" if authorised else "UNAUTHORIZED",
            "rolefound": "FOUND" if authorised else "NOTFOUND",
            "permissions": "ROLE" if authorised else "DEFAULT",
        },
    }
