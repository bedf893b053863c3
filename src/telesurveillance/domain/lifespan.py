"""Plausible birth and death dates of a patient (a wrong date of birth shifts every age-based
eligibility, a date of death ends billing and monitoring).

- a birth date is not in the future, and not more than `MAX_AGE_YEARS` years before today: the
  longest verified human life lasted 122 years and 164 days (Jeanne Calment, 21 February
  1875 – 4 August 1997; J.-M. Robine, M. Allard, "The oldest human", Science 279 (5358), 1998,
  p. 1834, doi:10.1126/science.279.5358.1831h), so 130 years leaves a margin and still refuses a
  year 0001 or 1800 typed by mistake;
- a date of death is not before the birth, nor in the future.

The domain is handed `today` (the Paris day of the request); it never reads the clock.
"""

from __future__ import annotations

import datetime as dt

#: Ages beyond this are refused (see the module docstring for the source).
MAX_AGE_YEARS = 130


def earliest_birth(today: dt.date) -> dt.date:
    """The earliest birth date accepted on `today` (29 February maps to 1 March)."""
    year = today.year - MAX_AGE_YEARS
    try:
        return today.replace(year=year)
    except ValueError:  # 29 February of a year that has none
        return dt.date(year, 3, 1)


def birth_refusal(born_on: dt.date, today: dt.date) -> str | None:
    """Why `born_on` is not a plausible birth date on `today`, or None."""
    if born_on > today:
        return f"the birth date {born_on.isoformat()} is in the future"
    earliest = earliest_birth(today)
    if born_on < earliest:
        return (
            f"the birth date {born_on.isoformat()} is more than {MAX_AGE_YEARS} years ago "
            f"(earliest accepted: {earliest.isoformat()})"
        )
    return None


def death_refusal(died_on: dt.date, born_on: dt.date, today: dt.date) -> str | None:
    """Why `died_on` is not a plausible date of death for a patient born on `born_on`."""
    if died_on < born_on:
        return (
            f"the date of death {died_on.isoformat()} is before the birth date "
            f"{born_on.isoformat()}"
        )
    if died_on > today:
        return f"the date of death {died_on.isoformat()} is in the future"
    return None
