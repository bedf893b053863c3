"""CLI commands of the security area: `user create`, `token create|revoke|list`, `backup`,
`restore`."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer

from telesurveillance.adapters.backup import archive
from telesurveillance.cli import common, i18n
from telesurveillance.domain.access import roles
from telesurveillance.services.security import accounts

user_app = typer.Typer(help="Accounts of the platform's users.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens (Authorization: Bearer).", no_args_is_help=True)

RoleOption = Annotated[
    str,
    typer.Option(
        "--role", help="medecin, soignant, facturation, exploitant, patient, administrateur"
    ),
]
PatientOption = Annotated[
    int | None, typer.Option("--patient", help="Patient id (role patient, device tokens).")
]
ExploitantOption = Annotated[
    int | None, typer.Option("--exploitant", help="Exploitant id (role exploitant).")
]


def _role(value: str) -> roles.Role:
    try:
        return roles.parse(value)
    except ValueError as exc:
        common.err.print(f"[red]{exc}[/]", highlight=False)
        raise typer.Exit(2) from None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Argument(help="Log-in name.")],
    role: RoleOption,
    patient: PatientOption = None,
    exploitant: ExploitantOption = None,
    name: Annotated[str, typer.Option("--name", help="Display name.")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    oidc_only: Annotated[
        bool,
        typer.Option("--oidc-only", help="No password: log-in through OpenID Connect only."),
    ] = False,
) -> None:
    """Create a local account; the password is prompted for (or read with --password-stdin)."""
    chosen = _role(role)
    password: str | None
    if oidc_only:
        password = None
    elif password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt(i18n.t("user.password"), hide_input=True, confirmation_prompt=True)
    store = common.store().accounts
    try:
        account_id = accounts.create_account(
            store,
            username,
            password,
            chosen,
            _now(),
            display_name=name,
            patient_id=patient,
            exploitant_id=exploitant,
        )
    except accounts.AccountError as exc:
        common.err.print(f"[red]{exc}[/]", highlight=False)
        raise typer.Exit(1) from None
    common.out.print(
        i18n.t("user.created", id=account_id, username=username, role=chosen.value),
        highlight=False,
    )


@token_app.command("create")
def token_create(
    role: RoleOption,
    patient: PatientOption = None,
    exploitant: ExploitantOption = None,
    device: Annotated[
        bool, typer.Option("--device", help="Device token: only writes Observations for --patient.")
    ] = False,
    label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "",
    days: Annotated[
        int | None, typer.Option("--days", min=1, help="Expires after this many days.")
    ] = None,
    device_id: Annotated[
        int | None,
        typer.Option(
            "--device-id", help="Device token: the Device it sends for (its DMN counts in billing)."
        ),
    ] = None,
) -> None:
    """Create an API token; the token is printed once, as the last word of the output."""
    chosen = _role(role)
    now = _now()
    expires = now + dt.timedelta(days=days) if days is not None else None
    store = common.store().accounts
    try:
        token_id, secret = accounts.create_token(
            store,
            chosen,
            now,
            label=label,
            patient_id=patient,
            exploitant_id=exploitant,
            device=device,
            expires=expires,
            device_id=device_id,
        )
    except accounts.AccountError as exc:
        common.err.print(f"[red]{exc}[/]", highlight=False)
        raise typer.Exit(1) from None
    kind = i18n.t("token.device" if device else "token.token")
    # plain print: a token must never be wrapped or styled; the secret stays the last word
    shown = i18n.t("token.created", kind=kind, id=token_id, role=chosen.value)
    sys.stdout.write(f"{shown} {secret}\n")


@token_app.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(help="Token id.")]) -> None:
    """Revoke a token: every later request with it answers 401."""
    if not accounts.revoke_token(common.store().accounts, token_id, _now()):
        common.err.print(f"[red]{i18n.t('token.no_live', id=token_id)}[/]", highlight=False)
        raise typer.Exit(1)
    common.out.print(i18n.t("token.revoked", id=token_id), highlight=False)


@token_app.command("list")
def token_list() -> None:
    """List the tokens (never their secret): role, scope, created, revoked, last used."""
    for row in accounts.tokens(common.store().accounts):
        fields = " ".join(f"{k}={v}" for k, v in row.items() if v is not None)
        common.out.print(fields, highlight=False)


def backup(
    destination: Annotated[Path, typer.Argument(help="Backup file to write.")],
) -> None:
    """Back up the configured store (SQLite online backup, or pg_dump for PostgreSQL) to a
    file readable by its owner only (mode 0600)."""
    url = common.settings().database_url
    try:
        archive.backup(url, destination)
    except archive.BackupError as exc:
        common.err.print(f"[red]{exc}[/]", highlight=False)
        raise typer.Exit(1) from None
    common.out.print(
        i18n.t("backup.written", destination=destination, mode=f"{archive.MODE:04o}"),
        highlight=False,
    )


def restore(
    source: Annotated[Path, typer.Argument(help="Backup file to restore.")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Confirm: the current content is replaced.")
    ] = False,
) -> None:
    """Replace the configured store's content by a backup (stop the server first). The whole
    file is checked first: a truncated or damaged backup is refused and the store left as is."""
    if not yes:
        common.err.print(f"[red]{i18n.t('restore.confirm')}[/]")
        raise typer.Exit(2)
    url = common.settings().database_url
    try:
        archive.restore(url, source)
    except archive.BackupError as exc:
        common.err.print(f"[red]{exc}[/]", highlight=False)
        raise typer.Exit(1) from None
    common.out.print(i18n.t("restore.done", source=source), highlight=False)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the `telesurveillance` app."""
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
    app.command("backup")(backup)
    app.command("restore")(restore)
