"""report: one self-contained HTML file with the summary, charts and the drift table."""

from __future__ import annotations

from pathlib import Path

import typer

from driftctl.cli import runtime


def report(
    ctx: typer.Context,
    html: str = typer.Option(
        ..., "--html", metavar="FILE", help="Write the HTML report to FILE (- for stdout)."
    ),
    days: int = typer.Option(30, "--days", metavar="N", help="Days of history to chart, 1-366."),
    include_resolved: bool = typer.Option(
        False, "--include-resolved", help="Also list resolved drifts in the table."
    ),
    limit: int = typer.Option(
        10_000,
        "--limit",
        metavar="N",
        help="At most this many drifts in the table, most severe first.",
    ),
) -> None:
    """Write an HTML report: summary, drift count and cost over time, a filterable drift table.

    The file is self-contained (inline CSS, JavaScript and SVG; no network access), so it can be
    attached to a ticket or published as a CI artifact.

    Example: driftctl report --html drift-report.html --days 90
    """
    from driftctl.render.html_report import render_html
    from driftctl.services.report import build_report, write_report

    context = runtime.service_context(ctx, command="driftctl report")
    data = build_report(context, days=days, include_resolved=include_resolved, limit=limit)
    text = render_html(data)
    if html == "-":
        runtime.emit(text, requested=True)  # `--html -` names stdout, so -q keeps it
        return
    path = write_report(Path(html), text)
    from driftctl.cli.console import write_err

    write_err(f"wrote {path} ({len(data.drifts)} drifts)")
