"""Terminal charts: sparklines and bars on a terminal, plain rows when piped."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal

from rich.console import Console

from driftctl.render.summary import bar, render_cost_history, render_summary, sparkline
from driftctl.services.summary import Summary, TrendDay


def terminal() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=120, no_color=True), out


def test_sparkline_scales_to_the_largest_value_and_keeps_gaps() -> None:
    assert sparkline([0, 1, 2, 4, 8]) == "▁▁▂▄█"
    assert sparkline([30.37, 91.1, 15.18]) == "▃█▂"
    assert sparkline([None, 0, None]) == " ▁ "
    assert sparkline([]) == ""


def test_bars_are_blocks_on_a_terminal_and_hashes_when_piped() -> None:
    assert bar(5, 10, tty=True, width=10) == "█" * 5
    assert bar(5, 10, tty=False, width=10) == "#" * 5
    # Any non-zero value stays visible; zero draws nothing.
    assert bar(1, 1000, tty=False) == "#"
    assert bar(0, 10, tty=False) == ""


def test_cost_history_on_a_terminal() -> None:
    console, out = terminal()
    history = [
        {"recorded_at": "2030-01-01T10:00:00+00:00", "cost_usd": 30.37},
        {"recorded_at": "2030-01-02T10:00:00+00:00", "cost_usd": 91.1},
        {"recorded_at": "2030-01-03T10:00:00+00:00", "cost_usd": 15.18},
    ]

    render_cost_history(console, history, tty=True)

    line = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue()).strip()
    assert line.startswith("▃█▂  30.37 → 15.18 USD/month over 3 scans")
    assert "(min 15.18, max 91.10; 2030-01-01 10:00 to 2030-01-03 10:00 UTC)" in line


def test_summary_on_a_terminal_prints_markup_literally() -> None:
    console, out = terminal()
    summary = Summary(
        generated_at=datetime(2030, 1, 3, tzinfo=UTC),
        days=3,
        open_total=2,
        undecided_total=2,
        resolved_total=0,
        open_cost_impact_monthly=Decimal("1234.5"),
        by_status={"detected": 2, "triaged": 0, "approved": 0, "rejected": 0},
        by_severity={"critical": 0, "warning": 2, "info": 0},
        by_type={"EC2": 2},
        by_drift_type={"modified": 2, "missing": 0, "unmanaged": 0},
        by_region={"[bold red]evil[/]": 1, "us-east-1": 1},
        cost_by_type={"EC2": Decimal("1234.50")},
        cost_by_severity={"warning": Decimal("1234.50")},
        trend=(
            TrendDay(date(2030, 1, 1), 0, 0, 0, None),
            TrendDay(date(2030, 1, 2), 1, 0, 1, Decimal("10")),
            TrendDay(date(2030, 1, 3), 1, 0, 2, Decimal("1234.50")),
        ),
        scans=(),
    )

    render_summary(console, summary, tty=True)

    text = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())
    assert "1,234.50 USD" in text
    assert "[bold red]evil[/]" in text
    assert "detected/day  ▁██  2 in total" in text
    assert "open           ▄█  2 now" not in text  # labels are padded to one width
    assert "open          ▁▄█  2 now" in text
    assert "cost/month     ▁█  1,234.50 USD last recorded" in text
