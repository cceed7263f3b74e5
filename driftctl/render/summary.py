"""``driftctl summary`` and small terminal charts (sparklines and bars).

On a terminal the charts use block characters and colour; piped, every chart becomes aligned
rows with ``#`` bars, so scripts and diffs see stable plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from driftctl.render.table import SEVERITY_STYLE, render_heading, render_table, safe

if TYPE_CHECKING:
    from rich.console import Console

    from driftctl.services.summary import Summary
    from driftctl.services.timeline import Timeline

_TICKS = "▁▂▃▄▅▆▇█"
BAR_WIDTH = 30


def sparkline(values: Sequence[float | Decimal | int | None]) -> str:
    """One block character per value, scaled between 0 and the largest; None is a gap."""
    known = [float(v) for v in values if v is not None]
    top = max(known, default=0.0)
    out = []
    for value in values:
        if value is None:
            out.append(" ")
        elif top <= 0:
            out.append(_TICKS[0])
        else:
            out.append(_TICKS[min(len(_TICKS) - 1, int(float(value) / top * (len(_TICKS) - 1)))])
    return "".join(out)


def bar(
    value: float | Decimal | int, top: float | Decimal | int, *, tty: bool, width: int = BAR_WIDTH
) -> str:
    """A horizontal bar of up to ``width`` cells: any non-zero value gets at least one."""
    if not top or not value:
        return ""
    cells = max(1, round(float(value) / float(top) * width))
    return ("█" if tty else "#") * min(cells, width)


def money(value: float | Decimal | None) -> str:
    """USD with cents and thousands separators; empty for no value."""
    return "" if value is None else f"{float(value):,.2f}"


def _day_label(value: Any) -> str:
    return str(value)[:16].replace("T", " ")


# --- summary ---------------------------------------------------------------------------------


def render_summary(console: Console, summary: Summary, *, tty: bool) -> None:
    """Headline numbers, the breakdown by status/severity/type/region, and the daily trend."""
    from driftctl.render.table import render_fields

    render_fields(
        console,
        [
            ("Open drifts", summary.open_total),
            ("Awaiting a decision", summary.undecided_total),
            ("Resolved", summary.resolved_total),
            ("Open monthly cost impact", f"{money(summary.open_cost_impact_monthly)} USD"),
        ],
        tty=tty,
    )
    rows: list[tuple[Any, ...]] = []
    top = max(summary.open_total, 1)
    for group, counts, costs in (
        ("status", summary.by_status, None),
        ("severity", summary.by_severity, summary.cost_by_severity),
        ("type", summary.by_type, summary.cost_by_type),
        ("drift_type", summary.by_drift_type, None),
        ("region", summary.by_region, None),
    ):
        for name, count in counts.items():
            cost = money(costs.get(name)) if costs is not None else ""
            rows.append((group, name, count, cost, bar(count, top, tty=tty, width=20)))
    render_heading(console, "Open drifts by status, severity, type and region", tty=tty)
    render_table(
        console,
        ("group", "value", "drifts", "cost_usd_month", "share"),
        rows,
        tty=tty,
        styles=[None, SEVERITY_STYLE, None, None, None],
    )
    _render_trend(console, summary, tty=tty)


def _render_trend(console: Console, summary: Summary, *, tty: bool) -> None:
    trend = summary.trend
    if not trend:
        return
    span = f"{trend[0].day.isoformat()} to {trend[-1].day.isoformat()}"
    render_heading(console, f"Last {summary.days} days (UTC, {span})", tty=tty)
    costs = [p.cost_impact_monthly for p in trend]
    known_costs = [c for c in costs if c is not None]
    if tty:
        from rich.text import Text

        width = max(len("detected/day"), len("open"), len("cost/month"))
        lines = [
            (
                "detected/day",
                sparkline([p.detected for p in trend]),
                f"{sum(p.detected for p in trend)} in total",
                "yellow",
            ),
            ("open", sparkline([p.open for p in trend]), f"{trend[-1].open} now", "cyan"),
            (
                "cost/month",
                sparkline(costs),
                f"{money(known_costs[-1])} USD last recorded"
                if known_costs
                else "no scan recorded",
                "green",
            ),
        ]
        for label, line, note, style in lines:
            text = Text()
            text.append(f"  {label.ljust(width)}  ", style="bold")
            text.append(line, style=style)
            text.append(f"  {note}")
            console.print(text)
    else:
        top = max((p.open for p in trend), default=0)
        render_table(
            console,
            ("date", "detected", "resolved", "open", "cost_usd_month", "open_chart"),
            [
                (
                    p.day.isoformat(),
                    p.detected,
                    p.resolved,
                    p.open,
                    money(p.cost_impact_monthly),
                    bar(p.open, top, tty=False),
                )
                for p in trend
            ],
            tty=False,
        )
    if summary.scans:
        last = summary.scans[-1]
        line = (
            f"{len(summary.scans)} scans recorded; last {_day_label(last.started_at.isoformat())} "
            f"UTC ({last.status}): drifts seen {last.drifts}, "
            f"{money(last.cost_impact_monthly)} USD/month\n"
        )
        if tty:
            console.print(_plain(f"\n{line.rstrip()}"))
        else:
            console.file.write(f"\n{line}")


def _plain(text: str) -> Any:
    from rich.text import Text

    return Text(text)


# --- timeline --------------------------------------------------------------------------------

_TIMELINE_KINDS = (
    ("detected", "yellow"),
    ("approved", "green"),
    ("rejected", "red"),
    ("resolved", "blue"),
)


def render_timeline(console: Console, timeline: Timeline, *, tty: bool) -> None:
    """One row per day with its detections, approvals, rejections, resolutions and a bar."""
    top = max((p.total for p in timeline.points), default=0)
    columns = ("date", "detected", "approved", "rejected", "resolved", "chart")
    if not tty:
        render_table(
            console,
            columns,
            [
                (
                    p.day.isoformat(),
                    p.detected,
                    p.approved,
                    p.rejected,
                    p.resolved,
                    bar(p.total, top, tty=False),
                )
                for p in timeline.points
            ],
            tty=False,
        )
        totals = timeline.totals()
        console.file.write("total  " + "  ".join(f"{k} {v}" for k, v in totals.items()) + "\n")
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=f"Drift activity per day, last {timeline.days} days (UTC)", header_style="bold"
    )
    for name in columns:
        table.add_column(name, justify="right" if name not in ("date", "chart") else "left")
    for p in timeline.points:
        # Stacked: each kind's segment ends where the running total ends, so rounding never
        # makes a day's bar longer than its total.
        chart, running, drawn = Text(), 0, 0
        for kind, style in _TIMELINE_KINDS:
            count = getattr(p, kind)
            if count:
                running += count
                end = len(bar(running, top, tty=True))
                chart.append("█" * max(1, end - drawn), style=style)
                drawn = max(end, drawn + 1)
        table.add_row(
            Text(p.day.isoformat()),
            *(
                Text(str(getattr(p, kind)) if getattr(p, kind) else "·")
                for kind, _ in _TIMELINE_KINDS
            ),
            chart,
        )
    console.print(table)
    legend = Text("  ")
    for kind, style in _TIMELINE_KINDS:
        legend.append("█ ", style=style)
        legend.append(f"{kind} {timeline.totals()[kind]}   ")
    console.print(legend)


# --- cost history of one drift (``show``) ----------------------------------------------------


def render_cost_history(console: Console, history: Sequence[dict[str, Any]], *, tty: bool) -> None:
    """The monthly cost impact each scan recorded for a drift: a sparkline on a terminal, one
    ``date  cost  ####`` row per scan when piped."""
    values = [float(h.get("cost_usd") or 0) for h in history]
    if not values:
        return
    if not tty:
        top = max(values)
        rows = [
            (_day_label(h.get("recorded_at")), f"{v:.2f}", bar(v, top, tty=False))
            for h, v in zip(history, values, strict=True)
        ]
        render_table(console, ("recorded_at", "cost_usd", "chart"), rows, tty=False)
        return
    from rich.text import Text

    line = Text("  ")
    line.append(sparkline(values), style="green")
    line.append(
        f"  {values[0]:,.2f} → {values[-1]:,.2f} USD/month over {len(values)} scans "
        f"(min {min(values):,.2f}, max {max(values):,.2f}; "
        f"{safe(_day_label(history[0].get('recorded_at')))} to "
        f"{safe(_day_label(history[-1].get('recorded_at')))} UTC)"
    )
    console.print(line)
