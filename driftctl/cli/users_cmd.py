"""user add | list | set-role | deactivate | reset-password: team members and their roles."""

from __future__ import annotations

from typing import Any

import typer

from driftctl.cli import runtime
from driftctl.cli.auth_cmd import read_password

app = typer.Typer(
    help="Team members and their roles: admin (everything), engineer (scan and decide on "
    "drifts), viewer (read only). The first user of a database must be an admin.",
    no_args_is_help=True,
)

COLUMNS = ("email", "role", "active", "last_login_at", "created_at", "id")


def _print_user(ctx: typer.Context, user: Any, message: str) -> None:
    if runtime.output_format(ctx, ("table", "json")) == "json":
        from driftctl.render.json_ import dumps

        runtime.emit(dumps(user.to_dict()))
        return
    runtime.emit(message + "\n")


@app.command("add")
def add(
    ctx: typer.Context,
    email: str = typer.Argument(..., metavar="EMAIL", help="The user's e-mail address."),
    role: str = typer.Option(..., "--role", metavar="admin|engineer|viewer", help="Role."),
    first_name: str | None = typer.Option(None, "--first-name", help="Optional."),
    last_name: str | None = typer.Option(None, "--last-name", help="Optional."),
) -> None:
    """Add a user; the password (12+ characters) is prompted, or read from stdin's first line.

    Example: driftctl user add alice@example.com --role engineer
    """
    from driftctl.services import users as svc

    runtime.output_format(ctx, ("table", "json"))
    # Identify the caller before asking for a password they may not be allowed to set.
    context = runtime.service_context(ctx, command="driftctl user add")
    password = read_password(confirm=True)
    user = svc.add_user(
        context,
        email,
        role=role,
        password=password,
        first_name=first_name,
        last_name=last_name,
    )
    _print_user(ctx, user, f"added {user.email} ({user.role})")


@app.command("list")
def list_users(
    ctx: typer.Context,
    page: int = typer.Option(1, "--page", min=1, help="Page number."),
    limit: int = typer.Option(20, "--limit", help="Rows per page, 1-100."),
) -> None:
    """List users (never their password hashes).

    Example: driftctl user list -o json | jq -r '.items[] | select(.role == "admin") | .email'
    """
    from driftctl.services import users as svc

    fmt = runtime.output_format(ctx, ("table", "json"))
    result = svc.list_users(
        runtime.service_context(ctx, command="driftctl user list"), page=page, limit=limit
    )
    if fmt == "json":
        from driftctl.render.json_ import dumps

        runtime.emit(dumps({"items": result.items, "pagination": result.pagination()}))
        return
    from driftctl.render.table import render_table

    rows = [
        (
            item["email"],
            item["role"],
            "yes" if item["is_active"] else "no",
            (item["last_login_at"] or "")[:16].replace("T", " "),
            item["created_at"][:16].replace("T", " "),
            item["id"][:8],
        )
        for item in result.items
    ]
    render_table(runtime.console(), COLUMNS, rows, tty=runtime.tty())


@app.command("set-role")
def set_role(
    ctx: typer.Context,
    email: str = typer.Argument(..., metavar="EMAIL", help="The user's e-mail address."),
    role: str = typer.Argument(..., metavar="ROLE", help="admin, engineer or viewer."),
) -> None:
    """Change a user's role (admin only).

    Example: driftctl user set-role bob@example.com viewer
    """
    from driftctl.services import users as svc

    user = svc.set_role(runtime.service_context(ctx, command="driftctl user set-role"), email, role)
    _print_user(ctx, user, f"{user.email} is now {user.role}")


@app.command("deactivate")
def deactivate(
    ctx: typer.Context,
    email: str = typer.Argument(..., metavar="EMAIL", help="The user's e-mail address."),
) -> None:
    """Deactivate a user and end their sessions (admin only); audit rows keep their name.

    Example: driftctl user deactivate bob@example.com
    """
    from driftctl.services import users as svc

    user = svc.deactivate(runtime.service_context(ctx, command="driftctl user deactivate"), email)
    _print_user(ctx, user, f"{user.email} is deactivated")


@app.command("reset-password")
def reset_password(
    ctx: typer.Context,
    email: str = typer.Argument(..., metavar="EMAIL", help="The user's e-mail address."),
) -> None:
    """Set a new password for a user and end their sessions (admin only).

    Example: driftctl user reset-password bob@example.com
    """
    from driftctl.services import users as svc

    runtime.output_format(ctx, ("table", "json"))
    context = runtime.service_context(ctx, command="driftctl user reset-password")
    password = read_password(confirm=True)
    user = svc.reset_password(context, email, password)
    _print_user(ctx, user, f"password of {user.email} reset; their sessions were ended")
