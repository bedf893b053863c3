"""The set-up use cases the web pages call: the organisation read back with its checklist, the
ARS receipt with its document, a team member with its log-in account.

Writes of the organisation itself (opérateur, exploitant, DMN, convention, protocol) are the
care pathway's (`services.pathway.setup`), so a form and the JSON API refuse the same things.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from telesurveillance.domain.access import passwords, roles
from telesurveillance.domain.billing import model
from telesurveillance.domain.pathway import checklist
from telesurveillance.domain.regulation import store as regulation_store
from telesurveillance.services.pathway import ports as pathway_ports
from telesurveillance.services.pathway import setup
from telesurveillance.services.security import accounts, admin
from telesurveillance.services.setup import ports

#: The largest receipt document kept (a scanned or downloaded PDF récépissé is far smaller).
MAX_DOCUMENT = 5 * 1024 * 1024
#: What a receipt may be: the PDF of démarches-simplifiées, or a scan.
DOCUMENT_TYPES = {
    "application/pdf": b"%PDF-",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
}


class DocumentError(ValueError):
    """A receipt document we refuse (empty, too large, not a PDF or an image)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Overview:
    """Everything the set-up page shows, read at once."""

    operateur: pathway_ports.Operateur | None
    receipts: Sequence[ports.ArsReceipt]
    members: Sequence[ports.Member]
    exploitants: Sequence[ports.Exploitant]
    dmns: Sequence[pathway_ports.Dmn]
    conventions: Sequence[ports.Convention]
    protocols: Sequence[ports.Cooperation]
    items: Sequence[checklist.Item]
    #: DMN ids whose certificate ends within one billing period (or has ended)
    expiring: frozenset[int]

    @property
    def blocking(self) -> list[checklist.Item]:
        return checklist.blocking(self.items)


def overview(store: ports.Store, regulation: regulation_store.Regulation, day: dt.date) -> Overview:
    """The opérateur of this platform (the first declared) and its registry, with the checklist
    judged on `day`."""
    found = list(store.operateurs())
    operateur = found[0] if found else None
    op_id = operateur.id if operateur is not None else None
    members = list(store.members(op_id)) if op_id is not None else []
    dmns = list(store.dmns())
    conventions = list(store.convention_rows(op_id)) if op_id is not None else []
    protocols = store.protocols(op_id) if op_id is not None else []
    org = checklist.Organisation(
        operateur=(
            checklist.Operateur(operateur.id, operateur.name, operateur.ars_declared_on)
            if operateur is not None
            else None
        ),
        members=[
            checklist.Member(
                m.practitioner.id,
                f"{m.practitioner.given} {m.practitioner.family}".strip(),
                m.practitioner.profession,
                m.practitioner.rpps,
                m.practitioner.speciality,
                m.account_id is not None,
            )
            for m in members
        ],
        dmns=[checklist.Dmn(d.id, d.name, d.exploitant_id, d.device) for d in dmns],
        conventions=[checklist.Convention(c.exploitant_id, _span(c)) for c in conventions],
        protocols=protocols,
    )
    items = checklist.judge(regulation, org, day)
    horizon = day + dt.timedelta(
        days=regulation.get("periodes.duree_jours", int).at_or_first(day).value
    )
    expiring = frozenset(
        d.id
        for d in dmns
        if d.device.certified_until is not None and d.device.certified_until < horizon
    )
    return Overview(
        operateur=operateur,
        receipts=list(store.ars_receipts(op_id)) if op_id is not None else [],
        members=members,
        exploitants=list(store.exploitants()),
        dmns=dmns,
        conventions=conventions,
        protocols=list(store.protocol_rows(op_id)) if op_id is not None else [],
        items=items,
        expiring=expiring,
    )


def _span(convention: ports.Convention) -> model.Convention:
    return model.Convention(convention.signed_on, convention.ends_on)


def operateur_id(store: ports.Store) -> int:
    """The opérateur this platform is set up for (the first declared)."""
    found = list(store.operateurs())
    if not found:
        raise setup.NotFound("no opérateur declared yet")
    return found[0].id


def declare_ars(
    store: ports.Store,
    operateur_id: int,
    received_on: dt.date,
    reference: str | None,
    document: ports.Document | None,
) -> int | None:
    """The ARS receipt (art. R. 162-105 CSS), with the receipt document archived byte for byte
    with its SHA-256 when one is given; the id of the archived receipt (None without document)."""
    if document is None:
        setup.declare_ars(store, operateur_id, received_on, reference)
        return None
    _check_document(document)
    if store.operateur(operateur_id) is None:
        raise setup.NotFound(f"no opérateur {operateur_id}")
    digest = hashlib.sha256(document.content).hexdigest()
    return store.record_ars_with_document(operateur_id, received_on, reference, document, digest)


def _check_document(document: ports.Document) -> None:
    if not document.content:
        raise DocumentError("the receipt document is empty", "document.empty")
    if len(document.content) > MAX_DOCUMENT:
        raise DocumentError(
            f"the receipt document is larger than {MAX_DOCUMENT // (1024 * 1024)} MiB",
            "document.size",
        )
    magic = DOCUMENT_TYPES.get(document.media_type)
    if magic is None or not document.content.startswith(magic):
        raise DocumentError("the receipt document must be a PDF, PNG or JPEG file", "document.type")


@dataclass(frozen=True, slots=True)
class Login:
    """The log-in account created with a member: user name, initial password, role."""

    username: str
    password: str
    role: roles.Role


#: The roles a member of the care team may hold (scoped roles are not team members).
MEMBER_ROLES = (
    roles.Role.MEDECIN,
    roles.Role.SOIGNANT,
    roles.Role.FACTURATION,
    roles.Role.ADMINISTRATEUR,
)


def add_member(
    store: ports.Store,
    logins: accounts.Store,
    operateur_id: int,
    member: setup.Member,
    login: Login | None,
    now: dt.datetime,
) -> int:
    """A member of the team and, when `login` is given, its account, linked to it.

    The log-in is checked first (role of a team member, user name free, password policy), so a
    refusal writes nothing; the member, then the account and the link are written."""
    if login is not None:
        if login.role not in MEMBER_ROLES:
            raise accounts.AccountError(
                f"a team member cannot hold the role {login.role.value}", "role.scoped"
            )
        username = login.username.strip()
        if not username:
            raise accounts.AccountError("the user name is empty", "username.empty")
        refused = passwords.problems(login.password, username)
        if refused:
            raise accounts.AccountError(
                "password refused: " + "; ".join(refused), "password.policy"
            )
        if logins.account_named(username) is not None:
            raise accounts.AccountError(f"the user name {username!r} is taken", "username.taken")
    member_id = setup.add_member(store, operateur_id, member)
    if login is not None:
        name = f"{member.given.strip()} {member.family.strip()}".strip()
        account_id = accounts.create_account(
            logins, login.username, login.password, login.role, now, display_name=name
        )
        store.link_account(account_id, member_id)
    return member_id


def link_account(store: ports.Store, account_id: int, practitioner_id: int) -> None:
    """Link an existing account to a member (each at most once)."""
    if store.practitioner(practitioner_id) is None:
        raise setup.NotFound(f"no member {practitioner_id}")
    if not store.link_account(account_id, practitioner_id):
        raise accounts.AccountError("this account or this member is linked already")


@dataclass(frozen=True, slots=True)
class Logins:
    """What the accounts page shows: every account, the members with no log-in yet (to link a
    new account to), and the exploitants (to scope an exploitant account)."""

    accounts: Sequence[admin.AccountRow]
    unlinked_members: Sequence[ports.Member]
    exploitants: Sequence[ports.Exploitant]


def logins(store: ports.Store, logins_store: admin.Store) -> Logins:
    found = list(store.operateurs())
    members = list(store.members(found[0].id)) if found else []
    return Logins(
        accounts=logins_store.account_rows(),
        unlinked_members=[m for m in members if m.account_id is None],
        exploitants=store.exploitants(),
    )


@dataclass(frozen=True, slots=True)
class NewLogin:
    username: str
    password: str
    role: roles.Role
    display_name: str = ""
    exploitant_id: int | None = None
    #: the team member this account is (linked once created)
    member_id: int | None = None


def create_login(
    store: ports.Store, logins_store: accounts.Store, login: NewLogin, now: dt.datetime
) -> int:
    """A new account (scoped to an exploitant for that role), linked to a member if named."""
    member = None
    if login.member_id is not None:
        member = store.practitioner(login.member_id)
        if member is None:
            raise accounts.AccountError(f"no member {login.member_id}", "member_id.unknown")
        if login.role not in MEMBER_ROLES:
            raise accounts.AccountError(
                f"a team member cannot hold the role {login.role.value}", "role.scoped"
            )
        team = store.members(member.operateur_id) if member.operateur_id is not None else []
        if any(m.practitioner.id == member.id and m.account_id is not None for m in team):
            raise accounts.AccountError("this member has a log-in already", "member_id.linked")
    if login.exploitant_id is not None and not any(
        e.id == login.exploitant_id for e in store.exploitants()
    ):
        raise accounts.AccountError(f"no exploitant {login.exploitant_id}", "exploitant_id.unknown")
    name = login.display_name.strip()
    if not name and member is not None:
        name = f"{member.given} {member.family}".strip()
    account_id = accounts.create_account(
        logins_store,
        login.username,
        login.password,
        login.role,
        now,
        display_name=name,
        exploitant_id=login.exploitant_id,
    )
    if member is not None and not store.link_account(account_id, member.id):
        raise accounts.AccountError("this member has a log-in already", "member_id.linked")
    return account_id
