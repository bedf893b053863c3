"""CLI commands of the care pathway (`telesurveillance pathway ...`): set up an opérateur, an
exploitant, a DMN and a convention, include a patient, prescribe, print the ordonnance PDF,
list follow-up tasks, stop monitoring and print the end-of-care report.

A refusal prints the rule and its citation and exits 1; an invalid value exits 2.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from telesurveillance.adapters.pdf import render
from telesurveillance.cli import common, i18n
from telesurveillance.domain import calendar, identity
from telesurveillance.domain.pathway import eligibility, refusals
from telesurveillance.domain.regulation import catalogue, records
from telesurveillance.domain.regulation import store as regulation_store
from telesurveillance.services.pathway import care, documents, followup, ports, setup

pathway_app = typer.Typer(help="Care pathway: organisation, inclusion, prescription, end.")

DateOpt = Annotated[str | None, typer.Option(help="Date YYYY-MM-DD (default: today, Paris).")]


def _store() -> ports.Store:
    """The pathway port of the configured store."""
    return common.store().pathway


def _day(value: str | None) -> dt.date:
    if value is None:
        return calendar.paris_day(dt.datetime.now(dt.UTC))
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        common.err.print(f"[red]{i18n.t('pathway.not_a_date', value=repr(value))}[/]")
        raise typer.Exit(2) from None


@contextlib.contextmanager
def _mapped() -> Iterator[None]:
    try:
        yield
    except refusals.Refused as refused:
        common.err.print(
            f"[red]{i18n.t('pathway.refused')}[/] ({refused.rule}): {refused}", highlight=False
        )
        raise typer.Exit(1) from None
    except (setup.NotFound, care.Conflict) as problem:
        common.err.print(f"[red]{problem}[/]", highlight=False)
        raise typer.Exit(1) from None
    except (identity.IdentifierError, ValueError) as invalid:
        common.err.print(f"[red]{i18n.t('pathway.invalid')}[/] {invalid}", highlight=False)
        raise typer.Exit(2) from None


def _created(what: str, found: int) -> None:
    common.out.print(f"{what} {found}", highlight=False)


@pathway_app.command("operateur-add")
def operateur_add(
    name: str,
    kind: Annotated[str, typer.Option(help="liberal, etablissement, centre_de_sante, msp, …")],
    finess: Annotated[str | None, typer.Option()] = None,
    siret: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Create an opérateur; prints its id."""
    with _mapped():
        _created(
            "operateur",
            setup.add_operateur(_store(), name, kind, finess=finess, siret=siret),
        )


@pathway_app.command("member-add")
def member_add(
    operateur_id: int,
    family: Annotated[str, typer.Option()],
    profession: Annotated[str, typer.Option(help="medecin, infirmier, …")],
    given: Annotated[str, typer.Option()] = "",
    rpps: Annotated[str | None, typer.Option()] = None,
    speciality: Annotated[str | None, typer.Option(help="e.g. cardiologue, diabetologue")] = None,
) -> None:
    """Add a professional to an opérateur's team (a physician needs an RPPS)."""
    member = setup.Member(family, given, profession, rpps, speciality)
    with _mapped():
        _created("practitioner", setup.add_member(_store(), operateur_id, member))


@pathway_app.command("ars-declare")
def ars_declare(
    operateur_id: int,
    received_on: Annotated[str, typer.Argument(help="Date of the récépissé, YYYY-MM-DD.")],
    reference: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Record the ARS declaration receipt: billing is open from its date."""
    with _mapped():
        setup.declare_ars(_store(), operateur_id, _day(received_on), reference)
    common.out.print(i18n.t("pathway.ars", id=operateur_id, day=received_on), highlight=False)


@pathway_app.command("exploitant-add")
def exploitant_add(name: str, siret: Annotated[str | None, typer.Option()] = None) -> None:
    """Create an exploitant; prints its id."""
    with _mapped():
        _created("exploitant", setup.add_exploitant(_store(), name, siret))


@pathway_app.command("dmn-add")
def dmn_add(
    exploitant_id: int,
    name: Annotated[str, typer.Argument(help="Brand name, as on the prescription.")],
    benefit: Annotated[records.Benefit, typer.Option()],
    indication: Annotated[catalogue.Indication | None, typer.Option()] = None,
    latm_code: Annotated[str | None, typer.Option()] = None,
    generic_line: Annotated[str | None, typer.Option()] = None,
    certified_from: DateOpt = None,
    certified_until: Annotated[
        str | None, typer.Option(help="Last valid day of the ANS certificate.")
    ] = None,
) -> None:
    """Add a DMN to the catalogue; prints its id."""
    dmn = setup.NewDmn(
        exploitant_id=exploitant_id,
        name=name,
        benefit=benefit.value,
        indication=indication.value if indication else None,
        generic_line=generic_line,
        latm_code=latm_code,
        certified_from=_day(certified_from) if certified_from else None,
        certified_until=_day(certified_until) if certified_until else None,
    )
    with _mapped():
        _created("dmn", setup.add_dmn(_store(), dmn))


@pathway_app.command("convention-sign")
def convention_sign(
    operateur_id: int,
    exploitant_id: int,
    signed_on: Annotated[str, typer.Option()],
    ends_on: Annotated[str | None, typer.Option()] = None,
    prefilter: Annotated[
        bool, typer.Option(help="The exploitant pre-filters artefactual alerts.")
    ] = False,
) -> None:
    """Record the convention opérateur–exploitant; prints its id."""
    with _mapped():
        found = setup.sign_convention(
            _store(),
            operateur_id,
            exploitant_id,
            _day(signed_on),
            ends_on=_day(ends_on) if ends_on else None,
            prefilter_delegated=prefilter,
        )
    _created("convention", found)


@pathway_app.command("include")
def include(
    operateur_id: Annotated[int, typer.Option("--operateur")],
    indication: Annotated[catalogue.Indication, typer.Option()],
    dmn_id: Annotated[int, typer.Option("--dmn")],
    sous_population: Annotated[str, typer.Option(help="Sub-population id of the listing.")],
    family: Annotated[str, typer.Option()],
    birth_date: Annotated[str, typer.Option()],
    given: Annotated[str, typer.Option()] = "",
    nir: Annotated[str | None, typer.Option()] = None,
    sex: Annotated[str, typer.Option()] = "unknown",
    coverage: Annotated[str, typer.Option(help="standard, ald, regime_special")] = "standard",
    starts_on: DateOpt = None,
    consent_on: Annotated[str | None, typer.Option(help="Date the patient consented.")] = None,
    consent_method: Annotated[str | None, typer.Option(help="oral, ecrit, electronique")] = None,
    attest_all: Annotated[
        bool,
        typer.Option(help="The physician attests every criterion of the sub-population."),
    ] = False,
    attested_by: Annotated[int | None, typer.Option()] = None,
    device_serial: Annotated[str | None, typer.Option(help="Serial of the device handed.")] = None,
    synthetic: Annotated[bool, typer.Option(help="Label the patient as synthetic.")] = False,
) -> None:
    """Include a patient (prerequisites, eligibility, consent are checked); prints the ids."""
    day = _day(starts_on)
    regulation = regulation_store.packaged()
    criteres: frozenset[str] = frozenset()
    if attest_all:
        groups = regulation.indication(indication, "eligibilite", records.Eligibilite).get(day)
        for group in groups.value.sous_populations if groups else ():
            if group.id == sous_population:
                criteres = frozenset(group.criteres)
    request = care.Inclusion(
        operateur_id=operateur_id,
        indication=indication.value,
        dmn_id=dmn_id,
        starts_on=day,
        consent_on=_day(consent_on) if consent_on else None,
        consent_method=consent_method,
        attestation=eligibility.Attestation(sous_population, criteres),
        patient=ports.NewPatient(
            nir=nir,
            nir_type="NH" if nir else None,
            family=family,
            given=given,
            birth_date=_day(birth_date),
            sex=sex,
            coverage=coverage,
            synthetic=synthetic,
        ),
        attested_by=attested_by,
        device_serial=device_serial,
    )
    with _mapped():
        done = care.include(_store(), regulation, request, _day(None))
    common.out.print(
        f"patient {done.patient_id} prise_en_charge {done.prise_en_charge_id}", highlight=False
    )


@pathway_app.command("prescribe")
def prescribe(
    pec_id: int,
    prescriber_id: Annotated[int, typer.Option("--prescriber")],
    months: Annotated[int, typer.Option(min=1)],
    on: DateOpt = None,
) -> None:
    """Prescribe (or renew) telemonitoring; prints the prescription id."""
    with _mapped():
        found = care.prescribe(
            _store(), regulation_store.packaged(), pec_id, prescriber_id, _day(on), months
        )
    _created("prescription", found)


@pathway_app.command("ordonnance")
def ordonnance(
    pec_id: int,
    out: Annotated[Path, typer.Option("--out", help="PDF file to write.")],
    prescription_id: Annotated[int | None, typer.Option("--prescription")] = None,
) -> None:
    """Write the ordonnance PDF (latest prescription unless --prescription)."""
    with _mapped():
        content = documents.issue_ordonnance(
            _store(), regulation_store.packaged(), pec_id, render.ordonnance, prescription_id
        )
    out.write_bytes(content)
    common.out.print(i18n.t("pathway.ordonnance", out=out), highlight=False)


@pathway_app.command("tasks")
def tasks_(pec_id: int, on: DateOpt = None) -> None:
    """List the follow-up tasks of a prise en charge."""
    with _mapped():
        found = followup.task_list(_store(), regulation_store.packaged(), pec_id, _day(on))
    for task in found:
        common.out.print(
            f"{task.due_on.isoformat()}  {task.kind.value:<28} {task.status.value:<8} "
            f"{task.detail}",
            highlight=False,
        )


@pathway_app.command("stop")
def stop(
    pec_id: int,
    reason: Annotated[
        str,
        typer.Option(
            help="refus_patient, probleme_technique, donnees_insuffisantes, hospitalisation, "
            "deces, fin_de_prescription"
        ),
    ],
    on: DateOpt = None,
) -> None:
    """Stop monitoring with a reason."""
    with _mapped():
        care.stop(_store(), regulation_store.packaged(), pec_id, _day(on), reason)
    common.out.print(i18n.t("pathway.stopped", id=pec_id, reason=reason), highlight=False)


@pathway_app.command("end-report")
def end_report(
    pec_id: int, out: Annotated[Path, typer.Option("--out", help="PDF file to write.")]
) -> None:
    """Write the end-of-care report PDF (monitoring must be stopped)."""
    with _mapped():
        content = documents.issue_end_report(
            _store(), regulation_store.packaged(), pec_id, _day(None), render.end_report
        )
    out.write_bytes(content)
    common.out.print(i18n.t("pathway.end_report", out=out), highlight=False)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the `telesurveillance` app."""
    app.add_typer(pathway_app, name="pathway")
