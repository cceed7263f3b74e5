"""``driftctl report --html`` and ``scan -o html``: one self-contained HTML file.

No network and no external assets: CSS and JavaScript are inline, charts are SVG drawn here, and
a Content-Security-Policy forbids every fetch. Every string that came from AWS or the database
is escaped with ``html.escape`` where it goes into markup; the drift table is built by the page's
script from JSON embedded in a ``<script type="application/json">`` element (with ``<``, ``>``
and ``&`` written as ``\\u003c`` etc., so no value can close that element), using ``textContent``
only.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from functools import lru_cache
from html import escape
from importlib import resources
from typing import TYPE_CHECKING, Any

from driftctl import __version__

if TYPE_CHECKING:
    from driftctl.services.report import Breakdown, ReportData, TimeChart

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)
TEMPLATE = "html_report_template.html"
_PLACEHOLDER = re.compile(r"%%([A-Z]+)%%")
_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JSON_UNSAFE = re.compile("[<>&\u2028\u2029]")

SORTABLE_COLUMNS = (
    ("severity", "Severity"),
    ("status", "Status"),
    ("kind", "Drift"),
    ("type", "Type"),
    ("resource", "Resource"),
    ("region", "Region"),
    ("cost", "USD/month"),
    ("detected", "Detected (UTC)"),
)
STATUS_CHOICES = (
    ("", "any status"),
    ("open", "open (not resolved)"),
    ("detected", "detected"),
    ("triaged", "triaged"),
    ("approved", "approved"),
    ("rejected", "rejected"),
    ("resolved", "resolved"),
)
SEVERITY_CHOICES = (
    ("", "any severity"),
    ("critical", "critical"),
    ("warning", "warning"),
    ("info", "info"),
)


def e(value: Any) -> str:
    """Text or attribute value escaped for HTML (quotes included)."""
    return escape("" if value is None else str(value), quote=True)


def json_for_script(data: Any) -> str:
    """JSON that is safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _JSON_UNSAFE.sub(lambda m: _JSON_ESCAPES[m.group(0)], text)


@lru_cache(maxsize=1)
def _template() -> str:
    return resources.files("driftctl.render").joinpath(TEMPLATE).read_text("utf-8")


def render_html(report: ReportData) -> str:
    """The whole report as one HTML document."""
    values = {
        "CSP": e(CSP),
        "GENERATOR": e(f"driftctl {__version__}"),
        "TITLE": e(report.title),
        "BODY": _body(report),
        "DATA": json_for_script(
            {
                "generated_at": report.generated_at.isoformat(),
                "total": report.drift_total,
                "drifts": [d.to_json() for d in report.drifts],
            }
        ),
    }
    # One pass over the template: text substituted in is never scanned for placeholders again.
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], _template())


def _money(value: Decimal | float | None) -> str:
    return "" if value is None else f"{float(value):,.2f}"


def _body(report: ReportData) -> str:
    generated = report.generated_at.isoformat(timespec="seconds")
    parts = [
        "<header>",
        f"<h1>{e(report.title)}</h1>",
        f'<div class="muted">Generated {e(generated)} by driftctl {e(__version__)}</div>',
        '<dl class="facts">',
        *(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in report.facts),
        "</dl>",
        "</header>",
        _cards(report),
        "<h2>Charts</h2>",
        '<div class="charts">',
        *(time_chart_svg(chart) for chart in report.time_charts),
        *(breakdown_svg(b) for b in report.breakdowns),
        "</div>",
    ]
    if report.charts_note:
        parts.append(f'<p class="note">{e(report.charts_note)}</p>')
    parts.append(_table(report))
    parts.append(
        "<footer>Costs are estimated on-demand USD per month (730 hours) from driftctl's price "
        "table; the cost of a change is shown next to the attribute that caused it. This file "
        "makes no network requests.</footer>"
    )
    return "\n".join(parts)


def _cards(report: ReportData) -> str:
    cards = [
        ("open", "Open drifts", str(report.open_total)),
        ("", "Awaiting a decision", str(report.undecided_total)),
        ("critical", "Critical open", str(report.by_severity.get("critical", 0))),
        ("", "Monthly cost impact", f"{_money(report.open_cost_impact_monthly)} USD"),
    ]
    if report.resolved_total is not None:
        cards.append(("", "Resolved", str(report.resolved_total)))
    html = ['<section class="cards" aria-label="Summary">']
    for css, label, value in cards:
        html.append(
            f'<div class="card {e(css)}"><div class="label">{e(label)}</div>'
            f'<div class="value" data-card="{e(label)}">{e(value)}</div></div>'
        )
    html.append("</section>")
    return "\n".join(html)


def _table(report: ReportData) -> str:
    truncated = ""
    if report.drift_total > len(report.drifts):
        truncated = (
            f'<p class="note">Showing the {len(report.drifts)} most severe of '
            f"{report.drift_total} drifts.</p>"
        )
    headers = "".join(
        f'<th data-key="{e(key)}" aria-sort="none"><button type="button">{e(label)}</button></th>'
        for key, label in SORTABLE_COLUMNS
    )
    severity_options = "".join(
        f'<option value="{e(v)}">{e(label)}</option>' for v, label in SEVERITY_CHOICES
    )
    status_options = "".join(
        f'<option value="{e(v)}">{e(label)}</option>' for v, label in STATUS_CHOICES
    )
    return "\n".join(
        [
            "<h2>Drifts</h2>",
            truncated,
            '<div class="controls" id="drift-controls" hidden>',
            '<label for="filter-text">Filter</label>'
            '<input type="search" id="filter-text" placeholder="resource, region, attribute, value'
            '…" autocomplete="off">',
            '<label for="filter-severity">Severity</label>'
            f'<select id="filter-severity">{severity_options}</select>',
            '<label for="filter-status">Status</label>'
            f'<select id="filter-status">{status_options}</select>',
            f'<span class="muted"><span id="shown-count">0</span> of '
            f'<span id="total-count">{len(report.drifts)}</span> drifts shown</span>',
            "</div>",
            '<noscript><p class="note">The drift table needs JavaScript; the figures and charts '
            "above do not.</p></noscript>",
            f'<table id="drift-table" data-total="{len(report.drifts)}">',
            f"<thead><tr>{headers}<th>Difference (expected → actual)</th></tr></thead>",
            '<tbody id="drift-rows"></tbody>',
            "</table>",
        ]
    )


# --- SVG charts ---------------------------------------------------------------------------------

_W, _H = 420, 220
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 10, 12, 40


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times 10^k that is at least ``value`` (the axis top)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        candidate = step * 10.0**exponent
        if candidate >= value - 1e-9:
            return candidate
    return float(10.0 ** (exponent + 1))


def _axis_label(value: float, unit: str) -> str:
    if unit == "USD":
        return f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:,.2f}"
    return f"{value:g}"


def time_chart_svg(chart: TimeChart) -> str:
    """A bar and/or line chart over time as an inline SVG figure."""
    n = len(chart.labels)
    values = [v for v in (*(chart.bars or ()), *(chart.line or ())) if v is not None]
    title = e(chart.title)
    if n == 0 or not values:
        return (
            f'<figure><figcaption>{title}</figcaption><p class="muted">No data in this window.'
            "</p></figure>"
        )
    top = _nice_ceiling(max(values))
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    band = plot_w / n

    def x_mid(i: int) -> float:
        return _LEFT + band * i + band / 2

    def y(v: float) -> float:
        return _TOP + plot_h - (v / top) * plot_h

    out = [
        f"<figure><figcaption>{title}</figcaption>",
        f'<svg viewBox="0 0 {_W} {_H}" role="img" aria-label="{title}">',
    ]
    for fraction in (0.0, 0.5, 1.0):
        gy = y(top * fraction)
        out.append(
            f'<line class="grid" x1="{_LEFT}" y1="{gy:.1f}" x2="{_W - _RIGHT}" y2="{gy:.1f}"/>'
            f'<text x="{_LEFT - 6}" y="{gy + 4:.1f}" text-anchor="end">'
            f"{e(_axis_label(top * fraction, chart.unit))}</text>"
        )
    if chart.bars is not None:
        width = max(1.0, band * 0.7)
        for i, v in enumerate(chart.bars):
            if not v:
                continue
            by = y(v)
            out.append(
                f'<rect class="bar" x="{x_mid(i) - width / 2:.1f}" y="{by:.1f}" '
                f'width="{width:.1f}" height="{_TOP + plot_h - by:.1f}">'
                f"<title>{e(chart.labels[i])}: {e(_fmt(v, chart.unit))} {e(chart.bars_label)}"
                "</title></rect>"
            )
    if chart.line is not None:
        segment: list[str] = []
        segments: list[list[str]] = []
        for i, v in enumerate(chart.line):
            if v is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x_mid(i):.1f},{y(v):.1f}")
        if segment:
            segments.append(segment)
        for points in segments:
            if len(points) > 1:
                out.append(f'<polyline class="line" points="{" ".join(points)}"/>')
        for i, v in enumerate(chart.line):
            if v is None:
                continue
            out.append(
                f'<circle class="dot" cx="{x_mid(i):.1f}" cy="{y(v):.1f}" r="2.5">'
                f"<title>{e(chart.labels[i])}: {e(_fmt(v, chart.unit))} {e(chart.line_label)}"
                "</title></circle>"
            )
    # First and last labels sit flush with the plot's edges; a middle one only when there is
    # room for three (labels are dates or timestamps, about 100 units wide).
    ticks: list[tuple[float, str, int]] = (
        [(_LEFT, "start", 0)] if n > 1 else [(x_mid(0), "middle", 0)]
    )
    if n >= 7:
        ticks.append((x_mid(n // 2), "middle", n // 2))
    if n > 1:
        ticks.append((_W - _RIGHT, "end", n - 1))
    for x, anchor, i in ticks:
        out.append(
            f'<text x="{x:.1f}" y="{_H - _BOTTOM + 18}" text-anchor="{anchor}">'
            f"{e(chart.labels[i])}</text>"
        )
    out.append("</svg>")
    legend = []
    if chart.bars is not None:
        legend.append(f'<span class="swatch bars"></span>{e(chart.bars_label)}')
    if chart.line is not None:
        legend.append(f'<span class="swatch line"></span>{e(chart.line_label)}')
    out.append(f'<div class="legend">{"".join(legend)}</div></figure>')
    return "".join(out)


def _fmt(value: float, unit: str) -> str:
    return f"{value:,.2f}" if unit == "USD" else f"{value:g}"


def breakdown_svg(breakdown: Breakdown) -> str:
    """Horizontal bars: one per category, with its count and (when known) its monthly cost."""
    items = breakdown.items
    title = e(breakdown.title)
    if not items or not any(count for _, count, _ in items):
        return (
            f'<figure><figcaption>{title}</figcaption><p class="muted">No open drifts.</p></figure>'
        )
    row_h, label_w, value_w = 22, 110, 150
    height = row_h * len(items) + 8
    bar_w = _W - label_w - value_w
    top = max(count for _, count, _ in items) or 1
    out = [
        f"<figure><figcaption>{title}</figcaption>",
        f'<svg viewBox="0 0 {_W} {height}" role="img" aria-label="{title}">',
    ]
    for i, (name, count, cost) in enumerate(items):
        y = 4 + i * row_h
        width = 0.0 if not count else max(2.0, count / top * bar_w)
        css = f"sev-{name}" if name in ("critical", "warning", "info") else "bar"
        value = f"{count}" + ("" if cost is None else f"  ·  {_money(cost)} USD/month")
        out.append(
            f'<text class="label" x="{label_w - 8}" y="{y + 16}" text-anchor="end">'
            f"{e(_clip(name, 16))}<title>{e(name)}</title></text>"
            f'<rect class="{css}" x="{label_w}" y="{y + 4}" width="{width:.1f}" '
            f'height="{row_h - 8}"/>'
            f'<text x="{label_w + width + 6:.1f}" y="{y + 16}">{e(value)}</text>'
        )
    out.append("</svg></figure>")
    return "".join(out)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
