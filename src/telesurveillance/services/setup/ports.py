"""The set-up area's port: the care pathway's store (it writes the organisation) plus the
registry read back for the set-up pages (implemented by `adapters.sql.setup.registry`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from telesurveillance.services.pathway import ports as pathway_ports


@dataclass(frozen=True, slots=True)
class Member:
    practitioner: pathway_ports.Practitioner
    #: the log-in account linked to this member (its id and user name), if any
    account_id: int | None
    username: str | None


@dataclass(frozen=True, slots=True)
class Exploitant:
    id: int
    name: str
    siret: str | None


@dataclass(frozen=True, slots=True)
class Convention:
    id: int
    exploitant_id: int
    exploitant_name: str
    signed_on: dt.date | None
    ends_on: dt.date | None
    prefilter_delegated: bool


@dataclass(frozen=True, slots=True)
class Cooperation:
    id: int
    name: str
    role: str
    tasks: tuple[str, ...]
    declared_on: dt.date
    ends_on: dt.date | None


@dataclass(frozen=True, slots=True)
class ArsReceipt:
    id: int
    received_on: dt.date
    reference: str | None
    filename: str | None
    sha256: str | None


@dataclass(frozen=True, slots=True)
class Document:
    """A file as received: its name, media type and bytes (hashed when archived)."""

    filename: str
    media_type: str
    content: bytes


class Store(pathway_ports.Store, Protocol):
    def operateurs(self) -> Sequence[pathway_ports.Operateur]: ...
    def members(self, operateur_id: int) -> Sequence[Member]: ...
    def exploitants(self) -> Sequence[Exploitant]: ...
    def dmns(self) -> Sequence[pathway_ports.Dmn]: ...
    def convention_rows(self, operateur_id: int) -> Sequence[Convention]: ...
    def protocol_rows(self, operateur_id: int) -> Sequence[Cooperation]: ...
    def ars_receipts(self, operateur_id: int) -> Sequence[ArsReceipt]: ...
    def ars_document(self, receipt_id: int) -> Document | None: ...
    def record_ars_with_document(
        self,
        operateur_id: int,
        received_on: dt.date,
        reference: str | None,
        document: Document,
        sha256: str,
    ) -> int:
        """The receipt, its document and the opérateur's `ars_declared_on`, in one write."""
        ...

    def link_account(self, account_id: int, practitioner_id: int) -> bool:
        """False if the account or the member is linked already."""
        ...
