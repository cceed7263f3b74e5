"""login, logout, whoami: team-mode identity."""

from __future__ import annotations

import sys
from typing import Any

import typer

from driftctl.cli import runtime


def read_password(*, confirm: bool) -> str:
    """The password: prompted without echo on a terminal, else the first line of stdin."""
    from driftctl.errors import ValidationError

    if sys.stdin.isatty():
        # The prompt goes to stderr so `TOKEN=$(driftctl login ... --print-token)` stays clean.
        value: str = typer.prompt(
            "Password", hide_input=True, confirmation_prompt=confirm, err=True
        )
        return value
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise ValidationError(
            "no password given: pipe it as the first line of stdin, or run on a terminal "
            "to be prompted"
        )
    return password


def login(
    ctx: typer.Context,
    email: str = typer.Option(..., "--email", metavar="EMAIL", help="Your e-mail address."),
    ttl: str = typer.Option(
        "12h", "--ttl", metavar="DURATION", help="Session lifetime: 90m, 12h, 7d (max 30d)."
    ),
    print_token: bool = typer.Option(
        False,
        "--print-token",
        help="Print the token on stdout instead of keeping it on this machine "
        "(CI: store it as a secret, pass it back in DRIFTCTL_TOKEN).",
    ),
) -> None:
    """Log in to a team database. The password is prompted, or read from stdin's first line.

    The token is kept in the system keyring; without one, in a file only you can read
    (session-tokens.json in the user config directory). `driftctl logout` removes it.

    Example: driftctl login --email ci@example.com --print-token < password.txt
    """
    from driftctl.cli.console import write_err
    from driftctl.services import login as svc

    fmt = runtime.output_format(ctx, ("table", "json"))
    lifetime = svc.parse_ttl(ttl)
    password = read_password(confirm=False)
    context = runtime.service_context(ctx, command="driftctl login")
    result = svc.login(context, email, password, ttl=lifetime, print_token=print_token)
    until = result.expires_at.isoformat(timespec="seconds")
    warn_if_token_file(result)
    if print_token:
        assert result.token is not None
        runtime.emit(result.token + "\n", requested=True)
        write_err(f"logged in as {result.email} ({result.role}) until {until}")
    elif fmt == "json":
        from driftctl.render.json_ import dumps

        runtime.emit(dumps(result.to_dict()))
    else:
        runtime.emit(
            f"logged in as {result.email} ({result.role}) until {until}; {_kept_in(result)}\n"
        )


def warn_if_token_file(result: Any) -> None:
    """The one stderr line saying a login's token went to the token file (no keyring here)."""
    from driftctl.cli.console import write_err

    if result.stored_in == "file":
        write_err(f"warning: no system keyring here: {_kept_in(result)} (readable only by you)")


def _kept_in(result: Any) -> str:
    if result.stored_in == "file":
        return f"the token is kept in {result.to_dict()['token_file']}"
    return "the token is kept in the system keyring"


def logout(ctx: typer.Context) -> None:
    """End the current session and forget its token (keyring or token file).

    Example: driftctl logout
    """
    from driftctl.services import login as svc

    result = svc.logout(runtime.service_context(ctx, command="driftctl logout"))
    if result.revoked:
        runtime.emit(f"logged out {result.email}\n")
    else:
        runtime.emit("the session had already ended; nothing to revoke\n")


def whoami(ctx: typer.Context) -> None:
    """Show who commands run as, their role, the database and the session's expiry.

    Example: driftctl whoami -o json
    """
    from driftctl.services import login as svc

    fmt = runtime.output_format(ctx, ("table", "json"))
    info = svc.whoami(runtime.service_context(ctx, command="driftctl whoami"))
    if fmt == "json":
        from driftctl.render.json_ import dumps

        runtime.emit(dumps(info.to_dict()))
        return
    if info.mode == "local":
        runtime.emit(
            f"local mode: this database has no users; acting as {info.email} (admin)\n"
            f"database: {info.database}\n"
        )
        return
    expires = (
        info.session_expires_at.isoformat(timespec="seconds") if info.session_expires_at else ""
    )
    source = {"env": "DRIFTCTL_TOKEN", "keyring": "system keyring", "file": "token file"}.get(
        info.token_origin or "", "system keyring"
    )
    runtime.emit(
        f"user: {info.email}\nrole: {info.role}\ndatabase: {info.database}\n"
        f"session expires: {expires} (token from {source})\n"
    )
