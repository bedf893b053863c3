"""The care pathway store over SQLAlchemy Core (SQLite and PostgreSQL): implements
`services.pathway.care.ports.Store` on the core tables and the pathway side tables (reads in
`pathway_read`). Every write is one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.pathway import read
from telesurveillance.adapters.sql.pathway import tables as tp
from telesurveillance.domain.billing import model
from telesurveillance.domain.pathway import delegation
from telesurveillance.services.pathway import ports


def _pk(result: sa.CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("no primary key returned")
    return int(key[0])


class SqlPathway(read.Reads):
    """`Store` of the care pathway over one engine; every write is one transaction."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def _insert(self, table: sa.Table, **values: Any) -> int:
        with database.writing(self.engine) as conn:
            return _pk(conn.execute(sa.insert(table).values(**values)))

    # --- organisation -------------------------------------------------------------------------

    def add_operateur(
        self, name: str, kind: model.OperateurKind, finess: str | None, siret: str | None
    ) -> int:
        return self._insert(
            tables.operateurs, name=name, kind=kind.value, finess=finess, siret=siret
        )

    def add_practitioner(
        self,
        family: str,
        given: str,
        rpps: str | None,
        profession: str,
        speciality: str | None,
        operateur_id: int | None,
    ) -> int:
        return self._insert(
            tables.practitioners,
            family=family,
            given=given,
            rpps=rpps,
            profession=profession,
            speciality=speciality,
            operateur_id=operateur_id,
        )

    def set_practitioner_contact(
        self, practitioner_id: int, address: str | None, phone: str | None
    ) -> None:
        t = tp.practitioner_contacts
        with database.writing(self.engine) as conn:
            conn.execute(sa.delete(t).where(t.c.practitioner_id == practitioner_id))
            conn.execute(
                sa.insert(t).values(practitioner_id=practitioner_id, address=address, phone=phone)
            )

    def record_ars(self, operateur_id: int, received_on: dt.date, reference: str | None) -> None:
        with database.writing(self.engine) as conn:
            conn.execute(
                sa.insert(tp.pathway_ars_declarations).values(
                    operateur_id=operateur_id, received_on=received_on, reference=reference
                )
            )
            conn.execute(
                sa.update(tables.operateurs)
                .where(tables.operateurs.c.id == operateur_id)
                .values(ars_declared_on=received_on)
            )

    def add_exploitant(self, name: str, siret: str | None) -> int:
        return self._insert(tables.exploitants, name=name, siret=siret)

    def add_dmn(
        self,
        exploitant_id: int,
        name: str,
        generic_line: str | None,
        latm_code: str | None,
        indication: str | None,
        benefit: str,
        certified_from: dt.date | None,
        certified_until: dt.date | None,
    ) -> int:
        return self._insert(
            tables.dmns,
            exploitant_id=exploitant_id,
            name=name,
            generic_line=generic_line,
            latm_code=latm_code,
            indication=indication,
            benefit=benefit,
            certified_from=certified_from,
            certified_until=certified_until,
        )

    def add_convention(
        self,
        operateur_id: int,
        exploitant_id: int,
        signed_on: dt.date,
        ends_on: dt.date | None,
        prefilter_delegated: bool,
    ) -> int:
        return self._insert(
            tables.conventions,
            operateur_id=operateur_id,
            exploitant_id=exploitant_id,
            signed_on=signed_on,
            ends_on=ends_on,
            prefilter_delegated=prefilter_delegated,
        )

    def add_protocol(self, operateur_id: int, protocol: delegation.CooperationProtocol) -> int:
        return self._insert(
            tp.pathway_protocols,
            operateur_id=operateur_id,
            name=protocol.name,
            role=protocol.role.value,
            tasks=",".join(sorted(t.value for t in protocol.tasks)),
            declared_on=protocol.declared_on,
            ends_on=protocol.ends_on,
        )

    # --- care pathway writes -------------------------------------------------------------------

    def include(self, inclusion: ports.NewInclusion) -> tuple[int, int]:
        with database.writing(self.engine) as conn:
            patient_id = inclusion.patient_id
            if patient_id is None:
                new = inclusion.patient
                if new is None:
                    raise ValueError("no patient given")
                patient_id = _pk(
                    conn.execute(
                        sa.insert(tables.patients).values(
                            nir=new.nir,
                            nir_type=new.nir_type,
                            family=new.family,
                            given=new.given,
                            birth_date=new.birth_date,
                            sex=new.sex,
                            coverage=new.coverage,
                            operateur_id=inclusion.operateur_id,
                            synthetic=new.synthetic,
                        )
                    )
                )
            pec_id = _pk(
                conn.execute(
                    sa.insert(tables.prises_en_charge).values(
                        patient_id=patient_id,
                        operateur_id=inclusion.operateur_id,
                        indication=inclusion.indication,
                        dmn_id=inclusion.dmn_id,
                        starts_on=inclusion.starts_on,
                        pecan=inclusion.pecan,
                        consent_on=inclusion.consent_on,
                        consent_method=inclusion.consent_method,
                    )
                )
            )
            conn.execute(
                sa.insert(tp.pathway_consents).values(
                    prise_en_charge_id=pec_id,
                    given_on=inclusion.consent_on,
                    method=inclusion.consent_method,
                    collected_by=inclusion.collected_by,
                )
            )
            conn.execute(
                sa.insert(tp.pathway_eligibility).values(
                    prise_en_charge_id=pec_id,
                    sous_population=inclusion.sous_population,
                    criteres=json.dumps(list(inclusion.criteres), ensure_ascii=False),
                    attested_by=inclusion.attested_by,
                    attested_on=inclusion.starts_on,
                )
            )
            if inclusion.device_serial is not None:
                conn.execute(
                    sa.insert(tables.devices).values(
                        serial=inclusion.device_serial,
                        dmn_id=inclusion.dmn_id,
                        patient_id=patient_id,
                    )
                )
            return patient_id, pec_id

    def add_prescription(
        self, pec_id: int, prescriber_id: int, prescribed_on: dt.date, months: int, renewal: bool
    ) -> int:
        pec = tables.prises_en_charge
        with database.writing(self.engine) as conn:
            found = _pk(
                conn.execute(
                    sa.insert(tables.prescriptions).values(
                        prise_en_charge_id=pec_id,
                        prescriber_id=prescriber_id,
                        prescribed_on=prescribed_on,
                        months=months,
                        renewal=renewal,
                    )
                )
            )
            if not renewal:
                conn.execute(
                    sa.update(pec)
                    .where(pec.c.id == pec_id, pec.c.prescriber_id.is_(None))
                    .values(prescriber_id=prescriber_id, version=pec.c.version + 1)
                )
            return found

    def add_session(self, pec_id: int, held_on: dt.date, given_by: int, topic: str) -> int:
        return self._insert(
            tp.pathway_support_sessions,
            prise_en_charge_id=pec_id,
            held_on=held_on,
            given_by=given_by,
            topic=topic,
        )

    def add_majoration(
        self,
        pec_id: int,
        level: int,
        since: dt.date,
        until: dt.date,
        attested_by: int,
        criterion: str,
    ) -> int:
        return self._insert(
            tables.majorations,
            prise_en_charge_id=pec_id,
            level=level,
            since=since,
            until=until,
            attested_by=attested_by,
            criterion=criterion,
        )

    def mark_task(
        self, pec_id: int, kind: str, due_on: dt.date, done_on: dt.date, done_by: int | None
    ) -> None:
        t = tp.pathway_task_marks
        with database.writing(self.engine) as conn:
            exists = conn.execute(
                sa.select(t.c.id).where(
                    t.c.prise_en_charge_id == pec_id, t.c.kind == kind, t.c.due_on == due_on
                )
            ).first()
            if exists is None:
                conn.execute(
                    sa.insert(t).values(
                        prise_en_charge_id=pec_id,
                        kind=kind,
                        due_on=due_on,
                        done_on=done_on,
                        done_by=done_by,
                    )
                )

    def stop(
        self,
        pec_id: int,
        version: int,
        stopped_on: dt.date,
        reason: str,
        died_on: dt.date | None,
    ) -> bool:
        pec = tables.prises_en_charge
        with database.writing(self.engine) as conn:
            changed = conn.execute(
                sa.update(pec)
                .where(pec.c.id == pec_id, pec.c.version == version, pec.c.stopped_on.is_(None))
                .values(stopped_on=stopped_on, stop_reason=reason, version=pec.c.version + 1)
            ).rowcount
            if changed != 1:
                return False
            if died_on is not None:
                patient_id = conn.execute(
                    sa.select(pec.c.patient_id).where(pec.c.id == pec_id)
                ).scalar_one()
                p = tables.patients
                conn.execute(
                    sa.update(p)
                    .where(p.c.id == patient_id, p.c.died_on.is_(None))
                    .values(died_on=died_on, version=p.c.version + 1)
                )
            return True

    def add_document(
        self, pec_id: int, kind: str, prescription_id: int | None, content: bytes
    ) -> int:
        return self._insert(
            tp.pathway_documents,
            prise_en_charge_id=pec_id,
            kind=kind,
            prescription_id=prescription_id,
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
        )
