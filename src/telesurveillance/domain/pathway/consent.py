"""The patient's consent to telemonitoring: recorded with its date and how it was given.

Art. R. 6316-2 CSP: telemedicine acts are performed with the free and informed consent of the
patient; the ministry guide (seed 001) lists consent among the prerequisites of the forfaits.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from telesurveillance.domain.pathway import refusals

Refused = refusals.Refused


class Method(StrEnum):
    ORAL = "oral"
    ECRIT = "ecrit"
    ELECTRONIQUE = "electronique"


def require_consent(given_on: dt.date | None, method: str | None, day: dt.date) -> Method:
    """Consent given, on or before `day`, by a known method."""
    if given_on is None or method is None:
        raise Refused("consent.missing", "the patient's consent is not recorded", refusals.CONSENT)
    if given_on > day:
        raise Refused(
            "consent.after_start",
            f"consent dated {given_on.isoformat()}, after the start on {day.isoformat()}",
            refusals.CONSENT,
        )
    try:
        return Method(method)
    except ValueError:
        known = ", ".join(m.value for m in Method)
        raise Refused(
            "consent.method", f"consent method {method!r} unknown ({known})", refusals.CONSENT
        ) from None
