"""summary: open drift counts, open cost impact, a trend, and a per-day timeline."""

from __future__ import annotations

import typer

from driftctl.cli import runtime


def summary(
    ctx: typer.Context,
    timeline: bool = typer.Option(
        False,
        "--timeline",
        help="Detections, approvals, rejections and resolutions per day instead.",
    ),
    days: int = typer.Option(30, "--days", metavar="N", help="Days of trend or timeline, 1-366."),
) -> None:
    """Open drifts by status, severity, type and region, their monthly cost impact, and a trend.

    Days are UTC days ending today. -o json gives the same figures with stable keys.

    Example: driftctl summary --timeline --days 14
    """
    from driftctl.services import summary as svc

    fmt = runtime.output_format(ctx, ("table", "json"))
    svc.check_days(days)
    context = runtime.service_context(ctx, command="driftctl summary")
    if timeline:
        from driftctl.services.timeline import build_timeline

        result = build_timeline(context, days=days)
        if fmt == "json":
            from driftctl.render.json_ import dumps

            runtime.emit(dumps(result.to_dict()))
            return
        from driftctl.render.summary import render_timeline

        render_timeline(runtime.console(), result, tty=runtime.tty())
        return
    figures = svc.build_summary(context, days=days)
    if fmt == "json":
        from driftctl.render.json_ import dumps

        runtime.emit(dumps(figures.to_dict()))
        return
    from driftctl.render.summary import render_summary

    render_summary(runtime.console(), figures, tty=runtime.tty())
