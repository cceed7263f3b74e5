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
    """Load realistic demo data (users, drifts of every kind, alerts, costs, audit). Idempotent.

    Example: driftctl --db sqlite:///demo.db db seed && driftctl --db sqlite:///demo.db list
    """
    from driftctl.services import seed as svc

    result = svc.seed(runtime.service_context(ctx, command="driftctl db seed"))
    runtime.emit(
        f"seeded: {result['users']} users, {result['drifts']} drifts, {result['alerts']} alerts"
        f"{' (already present, nothing changed)' if not result['created'] else ''}\n"
    )
