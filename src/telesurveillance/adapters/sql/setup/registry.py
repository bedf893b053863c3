"""`services.setup.ports.Store` over SQL: the care pathway's store plus the registry read back
for the set-up pages, the ARS receipt with its document, and the account–member link."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.pathway import read
from telesurveillance.adapters.sql.pathway import store as pathway_store
from telesurveillance.adapters.sql.pathway import tables as tp
from telesurveillance.adapters.sql.security import tables as ts
from telesurveillance.adapters.sql.setup import tables as tset
from telesurveillance.services.pathway import ports as pathway_ports
from telesurveillance.services.setup import ports

as_date = read.as_date


class SqlSetup(pathway_store.SqlPathway):
    def operateurs(self) -> Sequence[pathway_ports.Operateur]:
        with self.engine.connect() as conn:
            ids = conn.execute(
                sa.select(tables.operateurs.c.id).order_by(tables.operateurs.c.id)
            ).scalars()
            found = list(ids)
        return [o for o in (self.operateur(i) for i in found) if o is not None]

    def members(self, operateur_id: int) -> Sequence[ports.Member]:
        p, link, a = tables.practitioners, tset.setup_account_members, ts.accounts
        query = (
            sa.select(p, link.c.account_id, a.c.username)
            .select_from(p)
            .outerjoin(link, link.c.practitioner_id == p.c.id)
            .outerjoin(a, a.c.id == link.c.account_id)
            .where(p.c.operateur_id == operateur_id)
            .order_by(p.c.family, p.c.given, p.c.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            ports.Member(
                pathway_ports.Practitioner(
                    r["id"],
                    r["family"],
                    r["given"],
                    r["rpps"],
                    r["profession"],
                    r["speciality"],
                    r["operateur_id"],
                ),
                r["account_id"],
                r["username"],
            )
            for r in rows
        ]

    def exploitants(self) -> Sequence[ports.Exploitant]:
        e = tables.exploitants
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(e.c.id, e.c.name, e.c.siret).order_by(e.c.name, e.c.id))
            return [ports.Exploitant(r.id, r.name, r.siret) for r in rows]

    def dmns(self) -> Sequence[pathway_ports.Dmn]:
        with self.engine.connect() as conn:
            ids = list(
                conn.execute(sa.select(tables.dmns.c.id).order_by(tables.dmns.c.id)).scalars()
            )
        return [d for d in (self.dmn(i) for i in ids) if d is not None]

    def convention_rows(self, operateur_id: int) -> Sequence[ports.Convention]:
        c, e = tables.conventions, tables.exploitants
        query = (
            sa.select(c, e.c.name.label("exploitant_name"))
            .join(e, e.c.id == c.c.exploitant_id)
            .where(c.c.operateur_id == operateur_id)
            .order_by(c.c.signed_on, c.c.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            ports.Convention(
                r["id"],
                r["exploitant_id"],
                r["exploitant_name"],
                as_date(r["signed_on"]),
                as_date(r["ends_on"]),
                bool(r["prefilter_delegated"]),
            )
            for r in rows
        ]

    def protocol_rows(self, operateur_id: int) -> Sequence[ports.Cooperation]:
        t = tp.pathway_protocols
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t).where(t.c.operateur_id == operateur_id).order_by(t.c.id)
            ).mappings()
            return [
                ports.Cooperation(
                    r["id"],
                    r["name"],
                    r["role"],
                    tuple(v for v in r["tasks"].split(",") if v),
                    as_date(r["declared_on"]) or dt.date.min,
                    as_date(r["ends_on"]),
                )
                for r in rows
            ]

    def ars_receipts(self, operateur_id: int) -> Sequence[ports.ArsReceipt]:
        d, doc = tp.pathway_ars_declarations, tset.setup_ars_documents
        query = (
            sa.select(d.c.id, d.c.received_on, d.c.reference, doc.c.filename, doc.c.sha256)
            .select_from(d)
            .outerjoin(doc, doc.c.declaration_id == d.c.id)
            .where(d.c.operateur_id == operateur_id)
            .order_by(d.c.id.desc())
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            ports.ArsReceipt(
                r.id, as_date(r.received_on) or dt.date.min, r.reference, r.filename, r.sha256
            )
            for r in rows
        ]

    def ars_document(self, receipt_id: int) -> ports.Document | None:
        doc = tset.setup_ars_documents
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(doc.c.filename, doc.c.media_type, doc.c.content).where(
                    doc.c.declaration_id == receipt_id
                )
            ).first()
        if row is None:
            return None
        return ports.Document(row.filename, row.media_type, bytes(row.content))

    def record_ars_with_document(
        self,
        operateur_id: int,
        received_on: dt.date,
        reference: str | None,
        document: ports.Document,
        sha256: str,
    ) -> int:
        d = tp.pathway_ars_declarations
        with database.writing(self.engine) as conn:
            receipt_id = conn.execute(
                sa.insert(d)
                .values(operateur_id=operateur_id, received_on=received_on, reference=reference)
                .returning(d.c.id)
            ).scalar_one()
            conn.execute(
                sa.insert(tset.setup_ars_documents).values(
                    declaration_id=receipt_id,
                    filename=document.filename[:200],
                    media_type=document.media_type[:100],
                    sha256=sha256,
                    content=document.content,
                )
            )
            conn.execute(
                sa.update(tables.operateurs)
                .where(tables.operateurs.c.id == operateur_id)
                .values(ars_declared_on=received_on)
            )
        return int(receipt_id)

    def link_account(self, account_id: int, practitioner_id: int) -> bool:
        link = tset.setup_account_members
        with database.writing(self.engine) as conn:
            taken = conn.execute(
                sa.select(link.c.account_id).where(
                    sa.or_(
                        link.c.account_id == account_id, link.c.practitioner_id == practitioner_id
                    )
                )
            ).first()
            if taken is not None:
                return False
            conn.execute(
                sa.insert(link).values(account_id=account_id, practitioner_id=practitioner_id)
            )
        return True
