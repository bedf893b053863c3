"""The patient register: create, find, edit (with the history of who changed what and when).

Identity is checked before anything is stored: the NIR with its key (python-stdnum `fr.nir`) and
its type (INS-NIR: qualified INS; NH: billing NIR only; INS-NIA: temporary identifier), a birth
date not in the future, the sex and coverage values billing reads. Contact details are
normalised (phone numbers compact) and every refusal names its field (`Invalid.code` is
`field.reason`) so the form shows it next to the field and keeps what was typed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from telesurveillance.domain import identity
from telesurveillance.services.pathway import care, setup
from telesurveillance.services.pathway import patient_ports as ports

Invalid = setup.Invalid
NotFound = setup.NotFound
Conflict = care.Conflict

NIR_TYPES = ("INS-NIR", "NH", "INS-NIA")
SEXES = care.SEXES
COVERAGES = care.COVERAGES
SEARCH_LIMIT = 50
#: The oldest birth date accepted, in years before today (a typing error guard).
MAX_AGE = 125

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_NAME_MAX = 100
_TEXT_MAX = 200
_ADDRESS_MAX = 500


@dataclasses.dataclass(frozen=True, slots=True)
class Typed:
    """The form as typed (text), read by `check` into an identity and a contact."""

    family: str
    given: str = ""
    birth_date: str = ""
    sex: str = "unknown"
    coverage: str = "standard"
    nir: str = ""
    nir_type: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    medecin_traitant: str = ""
    aidant: str = ""
    aidant_phone: str = ""
    confiance: str = ""
    confiance_phone: str = ""


def age(born: dt.date, today: dt.date) -> int:
    """Age in whole years on `today` (a birthday on 29 February counts on 1 March)."""
    years = today.year - born.year
    return years - ((today.month, today.day) < (born.month, born.day))


def check(typed: Typed, today: dt.date) -> tuple[ports.Identity, ports.Contact]:
    """The identity and contact the form describes, or `Invalid` naming the first bad field."""
    return _identity(typed, today), _contact(typed)


def _identity(typed: Typed, today: dt.date) -> ports.Identity:
    family = _text(typed.family, "family", _NAME_MAX, required=True)
    given = _text(typed.given, "given", _NAME_MAX) or ""
    born = _birth_date(typed.birth_date, today)
    if typed.sex not in SEXES:
        raise Invalid("sex.unknown", f"sex {typed.sex!r}: one of {', '.join(SEXES)}")
    if typed.coverage not in COVERAGES:
        raise Invalid("coverage.unknown", f"coverage {typed.coverage!r}")
    nir, nir_type = _nir(typed.nir, typed.nir_type)
    assert family is not None
    return ports.Identity(nir, nir_type, family, given, born, typed.sex, typed.coverage)


def _nir(value: str, kind: str) -> tuple[str | None, str | None]:
    if not value.strip():
        if kind.strip():
            raise Invalid("nir.required", "the identifier's type is given without the number")
        return None, None
    if kind not in NIR_TYPES:
        raise Invalid("nir_type.required", f"the identifier's type: one of {', '.join(NIR_TYPES)}")
    return identity.nir(value), kind


def _birth_date(text: str, today: dt.date) -> dt.date:
    if not text.strip():
        raise Invalid("birth_date.required", "the birth date is required")
    try:
        born = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid("birth_date.date", f"{text!r} is not a date") from None
    if born > today:
        raise Invalid("birth_date.future", "the birth date is in the future")
    if age(born, today) > MAX_AGE:
        raise Invalid("birth_date.too_old", f"born more than {MAX_AGE} years ago")
    return born


def _contact(typed: Typed) -> ports.Contact:
    email = _text(typed.email, "email", _TEXT_MAX)
    if email is not None and not _EMAIL.fullmatch(email):
        raise Invalid("email.format", f"e-mail {email!r}: expected name@domain")
    return ports.Contact(
        phone=phone(typed.phone, "phone"),
        email=email,
        address=_text(typed.address, "address", _ADDRESS_MAX),
        medecin_traitant=_text(typed.medecin_traitant, "medecin_traitant", _TEXT_MAX),
        aidant=_text(typed.aidant, "aidant", _TEXT_MAX),
        aidant_phone=phone(typed.aidant_phone, "aidant_phone"),
        confiance=_text(typed.confiance, "confiance", _TEXT_MAX),
        confiance_phone=phone(typed.confiance_phone, "confiance_phone"),
    )


def phone(text: str, field: str) -> str | None:
    """A phone number compact: 10 digits starting with 0 (French numbering plan) or `+` and
    8 to 15 digits (E.164); None if empty."""
    compact = _PHONE_SEPARATORS.sub("", text)
    if not compact:
        return None
    if re.fullmatch(r"0\d{9}", compact) or re.fullmatch(r"\+\d{8,15}", compact):
        return compact
    raise Invalid(f"{field}.format", f"phone {text!r}: 10 digits (0…) or +country code")


def _text(text: str, field: str, limit: int, *, required: bool = False) -> str | None:
    value = " ".join(text.split())
    if not value:
        if required:
            raise Invalid(f"{field}.required", f"{field} is required")
        return None
    if len(value) > limit:
        raise Invalid(f"{field}.too_long", f"{field}: at most {limit} characters")
    return value


def create(
    store: ports.Store,
    typed: Typed,
    operateur_id: int | None,
    who: str,
    now: dt.datetime,
    today: dt.date,
) -> int:
    """A new patient; its history starts with who created it and when."""
    found, contact = check(typed, today)
    _unique_nir(store, found.nir, None)
    return store.create_patient(
        found, contact, operateur_id, ports.Change(now, who, "created", None, None)
    )


def edit(
    store: ports.Store,
    patient_id: int,
    version: int,
    typed: Typed,
    who: str,
    now: dt.datetime,
    today: dt.date,
) -> list[ports.Change]:
    """Apply the form to the patient as read at `version`; the fields that changed are recorded
    (none changed: nothing is written). `Conflict` if someone wrote in between."""
    record = store.patient_record(patient_id)
    if record is None:
        raise NotFound(f"no patient {patient_id}")
    found, contact = check(typed, today)
    _unique_nir(store, found.nir, patient_id)
    changes = [
        ports.Change(now, who, name, _shown(before), _shown(after))
        for name, before, after in _differences(record, found, contact)
    ]
    if not changes:
        return []
    if not store.update_patient(patient_id, version, found, contact, changes):
        raise Conflict(f"patient {patient_id} changed meanwhile: read it again")
    return changes


def _differences(
    record: ports.Record, found: ports.Identity, contact: ports.Contact
) -> list[tuple[str, object, object]]:
    out: list[tuple[str, object, object]] = []
    for old, new in ((record.identity, found), (record.contact, contact)):
        for f in dataclasses.fields(old):
            before, after = getattr(old, f.name), getattr(new, f.name)
            if before != after:
                out.append((f.name, before, after))
    return out


def _shown(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _unique_nir(store: ports.Store, nir: str | None, patient_id: int | None) -> None:
    if nir is None:
        return
    owner = store.nir_owner(nir)
    if owner is not None and owner != patient_id:
        raise Invalid("nir.taken", f"NIR already recorded for patient {owner}")


def search(store: ports.Store, text: str) -> list[ports.Record]:
    """Patients matching every word typed (names, NIR); a date (`JJ/MM/AAAA` or ISO) among the
    words matches the birth date."""
    words: list[str] = []
    born: dt.date | None = None
    for word in text.split()[:6]:
        day = _as_day(word)
        if day is not None:
            born = day
        else:
            words.append(word.replace(" ", "")[:100])
    return store.search_patients(words, born, SEARCH_LIMIT)


def _as_day(word: str) -> dt.date | None:
    found = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", word)
    try:
        if found:
            return dt.date(int(found[3]), int(found[2]), int(found[1]))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", word):
            return dt.date.fromisoformat(word)
    except ValueError:
        return None
    return None


def record(store: ports.Store, patient_id: int) -> ports.Record:
    found = store.patient_record(patient_id)
    if found is None:
        raise NotFound(f"no patient {patient_id}")
    return found


def history(store: ports.Store, patient_id: int) -> list[ports.Change]:
    """Every change to the patient, newest first."""
    return store.patient_changes(patient_id)


def typed_from(found: ports.Record) -> Typed:
    """The form filled with the record (what the edit page shows)."""
    i, c = found.identity, found.contact
    return Typed(
        family=i.family,
        given=i.given,
        birth_date=i.birth_date.isoformat(),
        sex=i.sex,
        coverage=i.coverage,
        nir=i.nir or "",
        nir_type=i.nir_type or "",
        **{f.name: getattr(c, f.name) or "" for f in dataclasses.fields(c)},
    )
