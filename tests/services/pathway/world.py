"""A small organisation in the store for the pathway tests: one opérateur (ARS declared, one
convention), one exploitant, a certified DMN per indication, a physician per qualification."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from stdnum import luhn

from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.pathway import store as pathway_store
from telesurveillance.domain.pathway import eligibility
from telesurveillance.domain.regulation import catalogue, records, store
from telesurveillance.services.pathway import care, ports, setup

Indication = catalogue.Indication

#: Every indication is listed on this day (implants from 2024-03-31).
START = dt.date(2024, 6, 3)
DECLARED = dt.date(2024, 1, 15)

#: indication → (prescriber qualification, sub-population, months of the initial prescription)
SPEC: dict[Indication, tuple[str, str, int]] = {
    Indication.INSUFFISANCE_CARDIAQUE: ("cardiologue", "ic_chronique", 6),
    Indication.INSUFFISANCE_RENALE: ("nephrologue", "dialyse_domicile", 12),
    Indication.INSUFFISANCE_RESPIRATOIRE: ("pneumologue", "vni", 3),
    Indication.DIABETE: ("diabetologue", "dt1", 3),
    Indication.DIABETE_GESTATIONNEL: ("gynecologue", "dg_insuline", 2),
    Indication.PROTHESES_CARDIAQUES_IMPLANTABLES: ("cardiologue_rythmologue", "dai", 12),
    Indication.ONCOLOGIE: ("oncologue", "traitement_systemique", 6),
}

DMN_NAMES = {i: f"TéléSuivi {i.value.replace('_', ' ').title()}" for i in Indication}


def nir(first13: str) -> str:
    """A valid NIR from its 13 first digits (key = 97 − n mod 97)."""
    return f"{first13}{97 - int(first13) % 97:02d}"


@dataclass
class World:
    store: pathway_store.SqlPathway
    engine: sa.Engine
    operateur_id: int
    exploitant_id: int
    dmns: dict[Indication, int] = field(default_factory=dict)
    physicians: dict[str, int] = field(default_factory=dict)
    nurse_id: int = 0
    counter: int = 0


def build(
    engine: sa.Engine,
    *,
    declared_on: dt.date | None = DECLARED,
    convention: tuple[dt.date, dt.date | None] | None = (dt.date(2024, 1, 2), None),
    certified_until: dt.date | None = None,
) -> World:
    store_ = pathway_store.SqlPathway(engine)
    op = setup.add_operateur(
        store_, "Centre de télésurveillance SYNTHÉTIQUE", "centre_de_sante", siret="73282932000074"
    )
    if declared_on is not None:
        setup.declare_ars(store_, op, declared_on, "DS-2024-0001")
    expl = setup.add_exploitant(store_, "Exploitant SYNTHÉTIQUE")
    if convention is not None:
        setup.sign_convention(
            store_, op, expl, convention[0], ends_on=convention[1], prefilter_delegated=True
        )
    world = World(store_, engine, op, expl)
    for indication in Indication:
        world.dmns[indication] = setup.add_dmn(
            store_,
            setup.NewDmn(
                exploitant_id=expl,
                name=DMN_NAMES[indication],
                benefit=records.Benefit.ORGANISATIONNEL.value,
                indication=indication.value,
                certified_from=dt.date(2023, 12, 1),
                certified_until=certified_until,
            ),
        )
    for k, (speciality, _, _) in enumerate(sorted(set(SPEC.values()))):
        world.physicians[speciality] = setup.add_member(
            store_,
            op,
            setup.Member(
                family=f"Médecin{k}",
                given="Claire",
                profession="medecin",
                # a valid RPPS: ten digits and their Luhn key (checked since issue 15)
                rpps=f"1000000{k:03d}" + luhn.calc_check_digit(f"1000000{k:03d}"),
                speciality=speciality,
            ),
        )
    world.nurse_id = setup.add_member(
        store_, op, setup.Member(family="Infirmier", given="Luc", profession="infirmier")
    )
    return world


def attestation(
    regulation: store.Regulation, indication: Indication, day: dt.date = START
) -> eligibility.Attestation:
    group_id = SPEC[indication][1]
    groups = regulation.indication(indication, "eligibilite", records.Eligibilite).at(day)
    group = next(g for g in groups.value.sous_populations if g.id == group_id)
    return eligibility.Attestation(group_id, frozenset(group.criteres))


def inclusion(
    world: World,
    regulation: store.Regulation,
    indication: Indication,
    *,
    born_on: dt.date = dt.date(1961, 4, 12),
    consent_on: dt.date | None = START,
    pecan: bool = False,
    starts_on: dt.date = START,
) -> care.Inclusion:
    world.counter += 1
    sex = "2" if indication is Indication.DIABETE_GESTATIONNEL else "1"
    return care.Inclusion(
        operateur_id=world.operateur_id,
        indication=indication.value,
        dmn_id=world.dmns[indication],
        starts_on=starts_on,
        consent_on=consent_on,
        consent_method="ecrit",
        attestation=attestation(regulation, indication, starts_on),
        patient=ports.NewPatient(
            nir=nir(f"{sex}610475{world.counter:06d}"),
            nir_type="NH",
            family=f"Patient{world.counter}",
            given="Sam",
            birth_date=born_on,
            sex="female" if sex == "2" else "male",
            coverage="ald",
            synthetic=True,
        ),
        pecan=pecan,
        attested_by=world.physicians[SPEC[indication][0]],
    )


def prescriber(world: World, indication: Indication) -> int:
    return world.physicians[SPEC[indication][0]]


def add_days(engine: sa.Engine, patient_id: int, start: dt.date, count: int) -> None:
    """Counters of `count` consecutive days with data from `start` (what ingestion writes)."""
    with engine.begin() as conn:
        conn.execute(
            sa.insert(tables.reading_days),
            [
                {"patient_id": patient_id, "day": start + dt.timedelta(days=k), "kind": 1, "n": 1}
                for k in range(count)
            ],
        )
