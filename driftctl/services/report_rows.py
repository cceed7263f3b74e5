"""Drift rows of the HTML report: each drift's difference as text lines, ready to escape."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from driftctl.domain import DriftType, Severity
from driftctl.services.scanning import COST_KEY

# A difference value longer than this is cut in the table (the full value stays in the title).
_VALUE_LIMIT = 2_000
_CENT = Decimal("0.01")
RANK = {s.value: s.rank for s in Severity}


def money(value: Any) -> Decimal:
    """A money value rounded to the cent."""
    return Decimal(str(value or 0)).quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class DiffLine:
    """One entry of a drift's difference: an attribute path, expected and actual as text."""

    path: str
    change: str
    expected: str
    actual: str
    # Signed USD/month when this attribute drove the cost impact.
    cost_delta: float | None = None


@dataclass(frozen=True)
class ReportDrift:
    """One row of the drift table."""

    id: str | None
    resource_type: str
    resource_id: str
    region: str
    account_id: str | None
    drift_type: str
    severity: str
    status: str
    cost_impact_monthly: Decimal
    detected_at: str | None
    last_seen_at: str | None
    iac_source: str | None
    differences: tuple[DiffLine, ...]

    def to_json(self) -> dict[str, Any]:
        """The row as the page's embedded JSON (short keys keep large reports small)."""
        return {
            "id": self.id,
            "type": self.resource_type,
            "resource": self.resource_id,
            "region": self.region,
            "account": self.account_id,
            "kind": self.drift_type,
            "severity": self.severity,
            "rank": RANK.get(self.severity, 0),
            "status": self.status,
            "cost": float(self.cost_impact_monthly),
            "detected": self.detected_at,
            "seen": self.last_seen_at,
            "source": self.iac_source,
            "diff": [
                {
                    "path": d.path,
                    "change": d.change,
                    "expected": d.expected,
                    "actual": d.actual,
                    "cost": d.cost_delta,
                }
                for d in self.differences
            ],
        }


def _text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= _VALUE_LIMIT else text[: _VALUE_LIMIT - 1] + "…"


def diff_lines(drift_type: str, difference: Mapping[str, Any] | None) -> tuple[DiffLine, ...]:
    """A drift's difference as text lines; a missing or unmanaged resource gets one line."""
    if not difference:
        if drift_type == DriftType.MISSING.value:
            return (DiffLine("(resource)", "removed", "declared in IaC", "(absent from AWS)"),)
        if drift_type == DriftType.UNMANAGED.value:
            return (DiffLine("(resource)", "added", "(in no IaC source)", "exists in AWS"),)
        return ()
    out = []
    for path, entry in sorted(difference.items()):
        if not isinstance(entry, Mapping):
            out.append(DiffLine(str(path), "changed", "", _text(entry)))
            continue
        change = str(entry.get("change") or "changed")
        cost = entry.get(COST_KEY)
        out.append(
            DiffLine(
                path=str(path),
                change=change,
                expected="(absent)" if change == "added" else _text(entry.get("expected")),
                actual="(absent)" if change == "removed" else _text(entry.get("actual")),
                cost_delta=float(cost) if isinstance(cost, int | float) else None,
            )
        )
    return tuple(out)


def report_drift(drift: Mapping[str, Any]) -> ReportDrift:
    """A drift dict (``list``/``show``/``scan`` JSON shape) as a report row."""
    return ReportDrift(
        id=None if drift.get("id") is None else str(drift["id"]),
        resource_type=str(drift.get("resource_type") or ""),
        resource_id=str(drift.get("resource_id") or ""),
        region=str(drift.get("region") or ""),
        account_id=None if drift.get("account_id") is None else str(drift["account_id"]),
        drift_type=str(drift.get("drift_type") or ""),
        severity=str(drift.get("severity") or ""),
        status=str(drift.get("status") or ""),
        cost_impact_monthly=money(drift.get("cost_impact_monthly")),
        detected_at=_iso(drift.get("detected_at")),
        last_seen_at=_iso(drift.get("last_seen_at")),
        iac_source=None if drift.get("iac_source") is None else str(drift["iac_source"]),
        differences=diff_lines(str(drift.get("drift_type") or ""), drift.get("difference")),
    )


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, datetime) else str(value)
