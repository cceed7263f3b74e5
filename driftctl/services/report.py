"""What ``driftctl report --html`` and ``scan -o html`` show: figures, series and drift rows.

Both build the same ``ReportData``; the HTML renderer never reads the database itself. Values
are kept as plain text here and escaped by the renderer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from driftctl.db.repositories import drifts as drifts_repo
from driftctl.db.repositories.drifts import DriftFilter
from driftctl.db.types import utcnow
from driftctl.domain import OPEN_STATUSES, DriftStatus, Severity
from driftctl.errors import ValidationError
from driftctl.services.context import Context, timed
from driftctl.services.report_rows import RANK, ReportDrift, money, report_drift
from driftctl.services.summary import DEFAULT_DAYS, Summary, build_summary, check_days
from driftctl.types import registry

MAX_DRIFTS = 10_000
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class TimeChart:
    """A chart over time: optional bars and an optional line sharing the x labels."""

    title: str
    labels: tuple[str, ...]
    bars: tuple[float | None, ...] | None = None
    bars_label: str = ""
    line: tuple[float | None, ...] | None = None
    line_label: str = ""
    unit: str = ""


@dataclass(frozen=True)
class Breakdown:
    """Counts (and optional costs) per category, drawn as horizontal bars."""

    title: str
    items: tuple[tuple[str, int, Decimal | None], ...]


@dataclass(frozen=True)
class ReportData:
    """Everything one HTML report shows."""

    title: str
    generated_at: datetime
    facts: tuple[tuple[str, str], ...]
    open_total: int
    undecided_total: int
    resolved_total: int | None
    open_cost_impact_monthly: Decimal
    by_severity: dict[str, int]
    by_status: dict[str, int]
    breakdowns: tuple[Breakdown, ...]
    time_charts: tuple[TimeChart, ...]
    drifts: tuple[ReportDrift, ...]
    drift_total: int
    # Shown where history charts would be when there are none (a single scan).
    charts_note: str = ""


# --- from the database ---------------------------------------------------------------------------


@timed
def build_report(
    ctx: Context,
    *,
    days: int = DEFAULT_DAYS,
    include_resolved: bool = False,
    limit: int = MAX_DRIFTS,
    now: datetime | None = None,
) -> ReportData:
    """The report of the database: summary, trend charts and the drift table (open drifts, plus
    resolved ones if asked, most severe first); raises ValidationError for bad days or limit."""
    from driftctl.services.drifts import drift_to_dict

    check_days(days)
    if not 1 <= limit <= MAX_DRIFTS:
        raise ValidationError(f"--limit must be between 1 and {MAX_DRIFTS}, got {limit}")
    summary = build_summary(ctx, days=days, now=now)
    filters = DriftFilter(
        statuses=[] if include_resolved else [s.value for s in OPEN_STATUSES],
    )
    with ctx.read() as session:
        total = drifts_repo.count(session, filters=filters)
        rows = drifts_repo.list_page(
            session, filters=filters, sort="severity", ascending=False, offset=0, limit=limit
        )
        drifts = tuple(report_drift(drift_to_dict(d, include_states=False)) for d in rows)
    return _from_summary(summary, drifts, total, include_resolved=include_resolved)


def _from_summary(
    summary: Summary, drifts: tuple[ReportDrift, ...], total: int, *, include_resolved: bool
) -> ReportData:
    trend = summary.trend
    charts = [
        TimeChart(
            title=f"Drifts per day, last {summary.days} days",
            labels=tuple(p.day.isoformat() for p in trend),
            bars=tuple(float(p.detected) for p in trend),
            bars_label="detected",
            line=tuple(float(p.open) for p in trend),
            line_label="open at the end of the day",
        )
    ]
    if len(summary.scans) >= 2:
        charts.append(
            TimeChart(
                title="Monthly cost impact seen by each scan (USD)",
                labels=tuple(
                    s.started_at.isoformat()[:16].replace("T", " ") for s in summary.scans
                ),
                line=tuple(float(s.cost_impact_monthly) for s in summary.scans),
                line_label="USD/month",
                unit="USD",
            )
        )
    else:
        charts.append(
            TimeChart(
                title=f"Monthly cost impact per day, last {summary.days} days (USD)",
                labels=tuple(p.day.isoformat() for p in trend),
                line=tuple(
                    None if p.cost_impact_monthly is None else float(p.cost_impact_monthly)
                    for p in trend
                ),
                line_label="USD/month (days with a scan)",
                unit="USD",
            )
        )
    scope = "open and resolved drifts" if include_resolved else "open drifts"
    facts = [
        ("Scope", f"{scope} in the database; trend over {summary.days} days (UTC)"),
        ("Scans in the window", str(len(summary.scans))),
    ]
    if summary.scans:
        last = summary.scans[-1]
        facts.append(
            (
                "Last scan",
                f"{last.started_at.isoformat()[:19].replace('T', ' ')} UTC ({last.status})",
            )
        )
    return ReportData(
        title="driftctl report",
        generated_at=summary.generated_at,
        facts=tuple(facts),
        open_total=summary.open_total,
        undecided_total=summary.undecided_total,
        resolved_total=summary.resolved_total,
        open_cost_impact_monthly=summary.open_cost_impact_monthly,
        by_severity=dict(summary.by_severity),
        by_status=dict(summary.by_status),
        breakdowns=(
            Breakdown(
                "Open drifts by severity",
                tuple(
                    (k, n, summary.cost_by_severity.get(k)) for k, n in summary.by_severity.items()
                ),
            ),
            Breakdown(
                "Open drifts by resource type",
                tuple((k, n, summary.cost_by_type.get(k)) for k, n in summary.by_type.items()),
            ),
            Breakdown(
                "Open drifts by region",
                tuple((k, n, None) for k, n in summary.by_region.items()),
            ),
        ),
        time_charts=tuple(charts),
        drifts=drifts,
        drift_total=total,
    )


# --- from one scan result ------------------------------------------------------------------------


def report_from_scan(result: Mapping[str, Any], *, now: datetime | None = None) -> ReportData:
    """The report of one ``scan`` result dict (the ``scan -o json`` shape); no database."""
    drifts = tuple(report_drift(d) for d in result.get("drifts") or [])
    scan = result.get("scan") or {}
    open_rows = [d for d in drifts if d.status != DriftStatus.RESOLVED.value]
    by_severity = _count(open_rows, "severity", [s.value for s in Severity])
    by_status = _count(open_rows, "status", [s.value for s in OPEN_STATUSES])
    by_type = _count(open_rows, "resource_type", list(registry.names()))
    by_region = _count(open_rows, "region", [])
    cost_by_severity = _costs(open_rows, "severity")
    cost_by_type = _costs(open_rows, "resource_type")
    undecided = sum(1 for d in open_rows if d.status in ("detected", "triaged"))
    summary = result.get("summary") or {}
    facts = [
        ("Scan", str(scan.get("id") or "not stored (--no-store)")),
        ("Status", str(scan.get("status") or "")),
        ("Started", str(scan.get("started_at") or "")),
        ("Finished", str(scan.get("finished_at") or "")),
        ("Accounts", ", ".join(str(a) for a in scan.get("account_ids") or []) or "unknown"),
        ("Regions", ", ".join(str(r) for r in scan.get("regions") or [])),
        ("IaC sources", ", ".join(str(s) for s in scan.get("iac_sources") or [])),
        ("Resources", _resources_fact(summary)),
    ]
    errors = scan.get("errors") or []
    if errors:
        facts.append(
            (
                "Read errors",
                "; ".join(
                    f"{e.get('resource_type')}/{e.get('region')}: {e.get('code')}"
                    for e in errors
                    if isinstance(e, Mapping)
                ),
            )
        )
    return ReportData(
        title="driftctl scan report",
        generated_at=now or utcnow(),
        facts=tuple(facts),
        open_total=len(open_rows),
        undecided_total=undecided,
        resolved_total=None,
        open_cost_impact_monthly=money(sum(d.cost_impact_monthly for d in open_rows)),
        by_severity=by_severity,
        by_status=by_status,
        breakdowns=(
            Breakdown(
                "Drifts by severity",
                tuple((k, n, cost_by_severity.get(k, Decimal(0))) for k, n in by_severity.items()),
            ),
            Breakdown(
                "Drifts by resource type",
                tuple((k, n, cost_by_type.get(k, Decimal(0))) for k, n in by_type.items()),
            ),
            Breakdown("Drifts by region", tuple((k, n, None) for k, n in by_region.items())),
        ),
        time_charts=(),
        drifts=tuple(sorted(drifts, key=lambda d: (-RANK.get(d.severity, 0), d.resource_id))),
        drift_total=len(drifts),
        charts_note=(
            "A single scan has no history: `driftctl report --html FILE` charts drift count "
            "and cost over time."
        ),
    )


def _count(rows: Iterable[ReportDrift], attr: str, keys: list[str]) -> dict[str, int]:
    out = dict.fromkeys(keys, 0)
    for row in rows:
        value = getattr(row, attr)
        out[value] = out.get(value, 0) + 1
    return out if keys else dict(sorted(out.items()))


def _costs(rows: Iterable[ReportDrift], attr: str) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for row in rows:
        key = getattr(row, attr)
        out[key] = out.get(key, Decimal(0)) + row.cost_impact_monthly
    return {k: money(v) for k, v in out.items()}


def _resources_fact(summary: Mapping[str, Any]) -> str:
    if not summary:
        return ""
    labels = {
        "total_resources": "in total",
        "in_sync": "in sync",
        "modified": "modified",
        "missing": "missing",
        "unmanaged": "unmanaged",
    }
    return ", ".join(f"{summary.get(k, 0)} {label}" for k, label in labels.items())


# --- output --------------------------------------------------------------------------------------


def write_report(path: Path, html_text: str) -> Path:
    """Write the report file; raises ValidationError when it cannot be written."""
    target = path.expanduser()
    try:
        target.write_text(html_text, encoding="utf-8")
    except OSError as exc:
        raise ValidationError(
            f"cannot write the report to {target}: {exc.strerror or exc}"
        ) from None
    return target
