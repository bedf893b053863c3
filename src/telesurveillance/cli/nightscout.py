"""`telesurveillance nightscout issue|show|revoke --patient ID`: a patient's Nightscout site.

`issue` prints the site's base URL and its secret — shown once, never stored (only its
digests are) — and how to enter them in the uploaders; issuing again revokes the previous
site. `revoke` stops the site at once: its uploader gets 401 from the next call.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from telesurveillance.adapters.nightscout import credentials
from telesurveillance.cli import common, i18n
from telesurveillance.services.nightscout import sites

app = typer.Typer(help="Nightscout upload sites: a per-patient URL and secret for uploaders.")

#: Where the server is reached from the patients' phones (printed in the site's URL).
BASE_URL_ENV = "TELESURVEILLANCE_PUBLIC_URL"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"

Patient = Annotated[int, typer.Option("--patient", help="The patient (its id).", min=1)]


def site_url(base_url: str, site: sites.Site) -> str:
    return f"{base_url.rstrip('/')}/nightscout/{site.key}"


@app.command("issue")
def issue(
    patient: Patient,
    label: Annotated[str, typer.Option(help="What the site is for (e.g. 'xDrip+ phone').")] = "",
    units: Annotated[str, typer.Option(help="The site's units: mg/dL or mmol/L.")] = "mg/dL",
    base_url: Annotated[
        str, typer.Option(envvar=BASE_URL_ENV, help="The server's public URL.")
    ] = DEFAULT_BASE_URL,
) -> None:
    """Issue the patient's site: its URL and secret (shown once); the previous one is revoked."""
    store = common.store()
    secret = credentials.issue(label or f"patient{patient}")
    try:
        issued = sites.issue(
            store.nightscout_sites,
            patient_id=patient,
            secret=secret,
            now=dt.datetime.now(dt.UTC),
            issued_by="command line",
            label=label,
            units=units,
        )
    except sites.SiteError as error:
        common.err.print(f"[red]{error}[/]", highlight=False)
        raise typer.Exit(2) from None
    url = site_url(base_url, issued.site)
    scheme, _, rest = url.partition("://")
    t = i18n.t
    lines = [
        t("nightscout.site", patient=patient, key=issued.site.key),
        f"URL:    {url}",
        t("nightscout.secret", secret=issued.secret),
        f"xDrip+ (Cloud Upload > Nightscout > Base URL): {scheme}://{issued.secret}@{rest}/api/v1/",
        t("nightscout.loop", root=f"{scheme}://{rest.split('/', 1)[0]}"),
        t("nightscout.bridge"),
        t("nightscout.see"),
    ]
    if issued.revoked is not None:
        lines.append(t("nightscout.revoked_previous", key=issued.revoked.key))
    for line in lines:
        common.out.print(line, highlight=False, soft_wrap=True)


@app.command("show")
def show(
    patient: Patient,
    base_url: Annotated[
        str, typer.Option(envvar=BASE_URL_ENV, help="The server's public URL.")
    ] = DEFAULT_BASE_URL,
) -> None:
    """The patient's live site (its secret cannot be shown: issue a new one if it is lost)."""
    site = common.store().nightscout_sites.live_for_patient(patient)
    if site is None:
        common.out.print(i18n.t("nightscout.none", patient=patient), highlight=False)
        raise typer.Exit(1)
    used = (
        site.last_used_at.isoformat(timespec="minutes")
        if site.last_used_at
        else i18n.t("nightscout.never")
    )
    common.out.print(
        i18n.t(
            "nightscout.show",
            patient=patient,
            url=site_url(base_url, site),
            units=site.units,
            issued=site.issued_at.isoformat(timespec="minutes"),
            by=site.issued_by,
            used=used,
        ),
        highlight=False,
    )


@app.command("revoke")
def revoke(patient: Patient) -> None:
    """Revoke the patient's site: its uploader is refused from its next call."""
    site = sites.revoke(
        common.store().nightscout_sites, patient_id=patient, now=dt.datetime.now(dt.UTC)
    )
    if site is None:
        common.err.print(f"[red]{i18n.t('nightscout.none', patient=patient)}[/]", highlight=False)
        raise typer.Exit(1)
    common.out.print(i18n.t("nightscout.revoked", patient=patient, key=site.key), highlight=False)


def register(main: typer.Typer) -> None:
    """Add this area's commands to the `telesurveillance` app."""
    main.add_typer(app, name="nightscout")
