"""db: migrations and demo data."""

from __future__ import annotations

import typer

from driftctl.cli import runtime

app = typer.Typer(help="Database schema and demo data.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(
    ctx: typer.Context,
    revision: str = typer.Argument("head", help="Target revision (default: the newest)."),
) -> None:
    """Apply the database migrations (needed once per release on PostgreSQL).

    Example: driftctl --db postgresql://driftctl@db.internal/driftctl db upgrade
    """
    from driftctl.services import admin

    context = runtime.service_context(ctx, command="driftctl db upgrade", migrate=False)
    before, after = admin.upgrade(context, revision)
    if before == after:
        runtime.emit(f"database already at {after}\n")
    else:
        runtime.emit(f"database upgraded: {before or '(empty)'} -> {after}\n")


@app.command("current")
def current(ctx: typer.Context) -> None:
    """Show the database's schema revision.

    Example: driftctl db current
    """
    from driftctl.services import admin

    fmt = runtime.output_format(ctx, ("table", "json"))
    info = admin.current(runtime.service_context(ctx, command="driftctl db current", migrate=False))
    if fmt == "json":
        from driftctl.render.json_ import dumps

        runtime.emit(dumps(info))
        return
    state = "up to date" if info["up_to_date"] else f"behind (newest is {info['head']})"
    runtime.emit(f"{info['revision'] or '(empty)'} {state}  {info['database']}\n")


@app.command("seed")
def seed(ctx: typer.Context) -> None:
    """Fill an empty database with demo data (users, drifts, alerts, costs, audit). Idempotent.

    The demo users make it a team database, so this machine is logged in as admin@example.com.
    A database that already has users or drifts is refused: the demo password is published.

    Example: driftctl --db sqlite:///demo.db db seed && driftctl --db sqlite:///demo.db list
    """
    from driftctl.services import seed as svc

    result = svc.seed(runtime.service_context(ctx, command="driftctl db seed"))
    line = f"seeded: {result['users']} users, {result['drifts']} drifts, {result['alerts']} alerts"
    if not result["created"]:
        line += " (already present, nothing changed)"
    elif result.get("login") is not None:
        from driftctl.cli.auth_cmd import warn_if_token_file

        line += f"; logged in as {result['login'].email} (the demo admin)"
        warn_if_token_file(result["login"])
    runtime.emit(line + "\n")
