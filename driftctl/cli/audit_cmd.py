"""audit: the audit trail, its integrity check, and its anchor."""

from __future__ import annotations

import typer

from driftctl.cli import runtime

app = typer.Typer(
    help="The audit trail: every change, who made it and when (hash-chained).",
    invoke_without_command=True,
    no_args_is_help=False,
)

COLUMNS = ("created_at", "action", "actor_email", "drift_id", "change", "details")
CSV_COLUMNS = (
    "seq",
    "id",
    "created_at",
    "action",
    "actor_email",
    "drift_id",
    "old_value",
    "new_value",
    "details",
    "ip_address",
    "user_agent",
    "hash",
)


@app.callback()
def audit(
    ctx: typer.Context,
    drift: str | None = typer.Option(None, "--drift", metavar="ID", help="Only this drift."),
    actor: str | None = typer.Option(None, "--actor", metavar="EMAIL", help="Only this actor."),
    action: list[str] | None = typer.Option(
        None, "--action", help="Only these actions (repeatable), e.g. drift_approved."
    ),
    since: str | None = typer.Option(None, "--since", help="An ISO date, or an age like 7d."),
    page: int = typer.Option(1, "--page", min=1, help="Page number."),
    limit: int = typer.Option(50, "--limit", help="Rows per page, 1-1000."),
) -> None:
    """Show the audit trail, newest first.

    Example: driftctl audit --action drift_approved --since 7d -o csv > audit.csv
    """
    if ctx.invoked_subcommand is not None:
        return
    from driftctl.services import audit as svc
    from driftctl.services.listing import parse_since

    fmt = runtime.output_format(ctx, ("table", "json", "csv"))
    result = svc.list_audit(
        runtime.service_context(ctx, command="driftctl audit"),
        drift=drift,
        actor=actor,
        actions=action,
        since=parse_since(since),
        page=page,
        limit=limit,
    )
    if fmt == "json":
        from driftctl.render.json_ import dumps

        runtime.emit(dumps({"items": result.items, "pagination": result.pagination()}))
        return
    if fmt == "csv":
        from driftctl.render.csv_ import dumps as csv_dumps

        runtime.emit(csv_dumps(result.items, CSV_COLUMNS))
        return
    from driftctl.render.table import render_table

    rows = []
    for item in result.items:
        old = (item.get("old_value") or {}).get("status")
        new = (item.get("new_value") or {}).get("status")
        rows.append(
            (
                item["created_at"][:19].replace("T", " "),
                item["action"],
                item.get("actor_email") or "",
                (item.get("drift_id") or "")[:8],
                f"{old} → {new}" if old and new else "",
                item.get("details") or "",
            )
        )
    render_table(runtime.console(), COLUMNS, rows, tty=runtime.tty())


@app.command("verify")
def verify(
    ctx: typer.Context,
    anchor: str | None = typer.Option(
        None,
        "--anchor",
        metavar="ID:HASH",
        help="An anchor printed earlier by `driftctl audit anchor`: prove nothing up to it "
        "was rewritten.",
    ),
) -> None:
    """Check the audit trail's hash chain: exit 0 when intact, 4 at the first broken row.

    Example: driftctl audit verify --anchor "$(cat audit-anchor.txt)"
    """
    from driftctl.errors import ConflictError
    from driftctl.services import audit as svc

    fmt = runtime.output_format(ctx, ("table", "json"))
    result = svc.verify(
        runtime.service_context(ctx, command="driftctl audit verify"), anchor=anchor
    )
    if fmt == "json":
        from driftctl.render.json_ import dumps

        runtime.emit(dumps(result.to_dict()))
    elif result.ok:
        runtime.emit(f"audit trail intact: {result.rows_checked} rows verified\n")
    if not result.ok:
        broken = result.broken_at or {}
        raise ConflictError(
            f"audit trail broken at row {broken.get('seq', '?')} ({broken.get('id')}): "
            f"{result.problem}",
            details=result.to_dict(),
        )


@app.command("anchor")
def anchor(ctx: typer.Context) -> None:
    """Print the chain head as ID:HASH, to keep outside the database (a CI log, S3 object lock).

    Example: driftctl audit anchor > audit-anchor.txt
    """
    from driftctl.services import audit as svc

    fmt = runtime.output_format(ctx, ("table", "json"))
    head = svc.anchor(runtime.service_context(ctx, command="driftctl audit anchor"))
    if fmt == "json":
        from driftctl.render.json_ import dumps

        runtime.emit(dumps({"anchor": head}))
    elif head is None:
        runtime.emit("")
        from driftctl.cli.console import write_err

        write_err("the audit trail is empty: nothing to anchor yet")
    else:
        runtime.emit(f"{head['id']}:{head['hash']}\n")
