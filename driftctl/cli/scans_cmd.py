"""scans: the scan history."""

from __future__ import annotations

import typer

from driftctl.cli import runtime


def scans(
    ctx: typer.Context,
    status: str | None = typer.Option(
        None, "--status", help="Only scans in this state: running, completed, partial, failed."
    ),
    page: int = typer.Option(1, "--page", metavar="N", help="Page number, from 1."),
    limit: int = typer.Option(20, "--limit", metavar="N", help="Scans per page, 1-100."),
) -> None:
    """List past scans, newest first: when, how they ended, what they found.

    A scan killed while running shows as `running` and stale until the next scan marks it
    `failed` (INTERRUPTED). -o json gives the {"items", "pagination"} envelope.

    Example: driftctl scans --status failed -o json
    """
    from driftctl.services.scan_history import list_scans

    fmt = runtime.output_format(ctx, ("table", "json"))
    result = list_scans(
        runtime.service_context(ctx, command="driftctl scans"),
        status=status,
        page=page,
        limit=limit,
    )
    if fmt == "json":
        from driftctl.render.json_ import dumps

        runtime.emit(dumps({"items": result.items, "pagination": result.pagination()}))
        return
    from driftctl.render.table import render_table

    render_table(
        runtime.console(),
        ("id", "started", "status", "source", "regions", "resources", "drifts", "errors"),
        [
            (
                s["id"][:8],
                s["started_at"][:19].replace("T", " "),
                s["status"] + (" (stale)" if s["stale"] else ""),
                s["source"],
                ",".join(s["regions"]),
                s["total_resources"],
                s["drifts"],
                "; ".join(e.get("code", "") for e in s["errors"])[:60],
            )
            for s in result.items
        ],
        tty=runtime.tty(),
    )
