"""alerts: list, read, send, test and follow the alerts scans raise."""

from __future__ import annotations

from typing import Any

import typer

from driftctl.cli import runtime
from driftctl.notify.registry import CHANNEL_NAMES

app = typer.Typer(
    invoke_without_command=True,
    no_args_is_help=False,
)

COLUMNS = ("id", "created_at", "severity", "type", "read", "notified", "resource", "title")


def _split(values: list[str] | None) -> list[str]:
    return [p.strip() for v in values or [] for p in v.split(",") if p.strip()]


@app.callback()
def alerts(
    ctx: typer.Context,
    unread: bool = typer.Option(False, "--unread", help="Only alerts not read yet."),
    severity: list[str] | None = typer.Option(
        None, "--severity", metavar="SEVERITY", help="critical, warning, info (repeatable)."
    ),
    alert_type: list[str] | None = typer.Option(
        None,
        "--type",
        metavar="TYPE",
        help="drift_detected, approval_needed, remediation_failed (repeatable).",
    ),
    page: int = typer.Option(1, "--page", min=1, help="Page number."),
    limit: int = typer.Option(20, "--limit", help="Rows per page, 1-100."),
    follow: bool = typer.Option(
        False, "--follow", "-f", help="Stream new alerts as they arrive, until Ctrl-C."
    ),
    max_events: int | None = typer.Option(None, "--max-events", hidden=True, min=1),
    poll_interval: float = typer.Option(2.0, "--poll-interval", hidden=True, min=0.05),
) -> None:
    """Alerts raised by scans: list them (newest first), or stream new ones with --follow.

    Example: driftctl alerts --unread --severity critical -o json | jq -r '.items[].id'
    """
    if ctx.invoked_subcommand is not None:
        return
    from driftctl.services import alerts as svc

    fmt = runtime.output_format(ctx, ("table", "json"))
    context = runtime.service_context(ctx, command="driftctl alerts")
    if follow:
        _follow(ctx, context, fmt, max_events=max_events, poll_interval=poll_interval)
        return
    result = svc.list_alerts(
        context,
        unread=unread,
        severities=_split(severity),
        types=_split(alert_type),
        page=page,
        limit=limit,
    )
    if fmt == "json":
        from driftctl.render.json_ import dumps

        runtime.emit(dumps({"items": result.items, "pagination": result.pagination()}))
        return
    from driftctl.cli.console import write_err
    from driftctl.render.table import SEVERITY_STYLE, render_table

    rows = [_row(item) for item in result.items]
    styles = [None, None, SEVERITY_STYLE, None, None, None, None, None]
    render_table(runtime.console(), COLUMNS, rows, tty=runtime.tty(), styles=styles)
    write_err(
        f"page {result.page} of {result.total_pages} ({result.total} alerts)"
        if result.total
        else "no alerts"
    )


def _row(item: dict[str, Any]) -> list[Any]:
    # Read from the alert's delivered outbox rows; the notified_* columns are the fallback.
    notified = item.get("notified_channels")
    if notified is None:
        notified = [
            name for name in ("slack", "email", "pagerduty") if item.get(f"notified_{name}")
        ]
    return [
        item["id"][:8],
        item["created_at"][:16].replace("T", " "),
        item["severity"],
        item["type"],
        "yes" if item["is_read"] else "no",
        ",".join(notified) or "-",
        f"{item.get('resource_type', '')} {item.get('resource_id', '')}".strip(),
        item["title"],
    ]


def _follow(
    ctx: typer.Context, context: Any, fmt: str, *, max_events: int | None, poll_interval: float
) -> None:
    from driftctl.cli.app import _Interrupted
    from driftctl.cli.console import write_err
    from driftctl.render.json_ import dumps_line
    from driftctl.render.table import safe
    from driftctl.services import alerts as svc

    def ready() -> None:
        if not runtime.state(ctx).quiet:
            write_err("following new alerts (Ctrl-C to stop)")

    try:
        for item in svc.follow(
            context, poll_interval=poll_interval, max_events=max_events, on_ready=ready
        ):
            if fmt == "json":
                runtime.emit(dumps_line(item))
            else:
                cells = _row(item)
                runtime.emit("  ".join(safe(c) for c in (cells[1], *cells[2:4], cells[0])))
                runtime.emit(f"  {safe(cells[6])}: {safe(cells[7])}\n")
    except (_Interrupted, KeyboardInterrupt):
        # Ctrl-C is how a follow ends: not an error.
        return


@app.command("read")
def read(
    ctx: typer.Context,
    ids: list[str] | None = typer.Argument(
        None, metavar="ID...", help="Alert ids or unique prefixes (6+ characters)."
    ),
    all_unread: bool = typer.Option(False, "--all", help="Mark every unread alert read."),
) -> None:
    """Mark alerts read (audited).

    Example: driftctl alerts read 3f2a1b 9c0d4e   |   driftctl alerts read --all
    """
    from driftctl.services import alerts as svc

    fmt = runtime.output_format(ctx, ("table", "json"))
    context = runtime.service_context(ctx, command="driftctl alerts read")
    result = svc.mark_read(context, ids or [], all_unread=all_unread)
    if fmt == "json":
        from driftctl.render.json_ import dumps

        runtime.emit(dumps({"marked": result.marked, "already_read": result.already_read}))
        return
    for alert_id in result.marked:
        runtime.emit(f"read {alert_id}\n")
    from driftctl.cli.console import write_err

    if result.already_read:
        write_err(f"{len(result.already_read)} alert(s) were already read")
    if not result.marked and not result.already_read:
        write_err("no unread alerts")


@app.command("send")
def send(
    ctx: typer.Context,
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Show what would be sent, without sending or claiming anything."
    ),
    workers: int = typer.Option(4, "--workers", help="Notifications sent at once, 1-32."),
) -> None:
    """Deliver pending notifications (retries with backoff); exit 6 if any stay undelivered.

    Run it after each scan, e.g. from cron.

    Example: */15 * * * * driftctl scan --source scheduler -q; driftctl alerts send -q
    """
    from driftctl.errors import ExternalServiceError
    from driftctl.render.json_ import dumps
    from driftctl.services import alerts as svc

    fmt = runtime.output_format(ctx, ("table", "json"))
    context = runtime.service_context(ctx, command="driftctl alerts send")
    if dry_run:
        plan = svc.preview_pending(context)
        if fmt == "json":
            runtime.emit(dumps(plan.to_dict()))
            return
        _print_plan(plan)
        return
    report = svc.send_pending(context, workers=workers)
    if fmt == "json":
        runtime.emit(dumps(report.to_dict()))
    else:
        _print_report(ctx, report)
    if not report.ok:
        first = next((p.error for p in report.problems() if p.error), None)
        raise ExternalServiceError(
            f"{report.undelivered} notification(s) not delivered"
            + (f": {first}" if first else "")
            + " (they stay queued: run `driftctl alerts send` again)",
            details={"undelivered": report.undelivered},
        )


def _print_plan(plan: Any) -> None:
    from driftctl.cli.console import write_err
    from driftctl.render.table import render_table

    rows = [
        (
            p.outbox_id[:8],
            p.channel,
            p.event,
            p.severity,
            p.attempts,
            f"(digest of {p.digest_of}) {p.title}" if p.digest_of else p.title,
        )
        for p in plan.planned
    ]
    render_table(
        runtime.console(),
        ("outbox_id", "channel", "event", "severity", "attempts", "title"),
        rows,
        tty=runtime.tty(),
    )
    write_err(
        f"dry run: would send {len(plan.planned)} notification(s)"
        + (
            f" ({sum(1 for p in plan.planned if p.digest_of)} digest(s) for "
            f"{sum(p.digest_of for p in plan.planned)} alerts)"
            if any(p.digest_of for p in plan.planned)
            else ""
        )
        + " and raise "
        f"{len(plan.approval_alerts)} approval_needed alert(s); nothing was sent or claimed"
    )


def _print_report(ctx: typer.Context, report: Any) -> None:
    from driftctl.render.table import safe

    quiet = runtime.state(ctx).quiet
    for r in report.results:
        if quiet and r.outcome in ("sent", "cancelled"):
            # Cron mails any output: with -q only what needs a look is printed.
            continue
        line = f"{r.outcome:<9} {r.channel:<9} {r.event:<7} alert {r.alert_id[:8]}"
        if r.outcome == "retrying" and r.next_attempt_at is not None:
            line += f" (attempt {r.attempts}, next at {r.next_attempt_at.isoformat()[:19]})"
        if r.error and r.outcome != "sent":
            line += f": {safe(r.error)}"
        runtime.emit(line + "\n")
    if not quiet:
        from driftctl.cli.console import write_err

        write_err(
            f"delivered {report.count('sent')}, retrying {report.count('retrying')}, "
            f"failed {report.count('failed')}, held {report.count('held')}, "
            f"approval_needed raised {report.approval_alerts_raised}"
        )


@app.command("test")
def test(
    ctx: typer.Context,
    channel: str = typer.Argument(
        ..., metavar="CHANNEL", help=f"One of {', '.join(CHANNEL_NAMES)}."
    ),
) -> None:
    """Send a test notification to one configured channel now; exit 6 if it fails.

    Example: driftctl alerts test slack
    """
    from driftctl.services import alerts as svc

    context = runtime.service_context(ctx, command="driftctl alerts test")
    svc.send_test(context, channel)
    runtime.emit(f"test notification sent to {channel}\n")
