"""What a comparison finds: drifts (``Finding``), their difference entries, and the counts.

Plain data shared by the comparer, the severity rules, ``.driftignore`` and the scan service;
it imports none of them, so none of them import each other through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from driftctl.domain import DriftType, Severity
from driftctl.resources import ResourceKey

# One entry of ``Finding.difference``: {"change": ..., "expected": ..., "actual": ...}.
DiffEntry = dict[str, Any]

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"


@dataclass(slots=True)
class Finding:
    """One drift: a managed resource that differs, a missing one, or an unmanaged one."""

    resource_type: str
    resource_id: str
    region: str
    account_id: str | None
    drift_type: DriftType
    # Attribute path -> {"change": "added"|"removed"|"changed", "expected": ..., "actual": ...},
    # keys sorted. Empty for missing and unmanaged resources.
    difference: dict[str, DiffEntry]
    # The compared resources' own attribute maps (not copies): read-only.
    expected_state: dict[str, Any] | None
    actual_state: dict[str, Any] | None
    sources: list[str] = field(default_factory=list)
    severity: Severity = Severity.INFO
    # True when the drift exposes something (world-open port, public bucket, admin role, public
    # database), whatever severity a user rule gives it.
    is_risky: bool = False

    @property
    def key(self) -> ResourceKey:
        """The (type, id) this finding is about."""
        return ResourceKey(self.resource_type, self.resource_id)

    @property
    def sort_key(self) -> tuple[str, str, str, str]:
        """The order findings are listed in: type, id, drift type, region."""
        return (self.resource_type, self.resource_id, self.drift_type.value, self.region)


@dataclass(frozen=True)
class Counts:
    """Resource counts of one comparison (the ``summary`` of a scan)."""

    total_resources: int
    managed: int
    unmanaged: int
    missing: int
    modified: int
    in_sync: int
    coverage: float  # managed / total_resources, 0..1, rounded to 4 places

    def to_dict(self) -> dict[str, Any]:
        """The counts as the ``summary`` of ``scan -o json`` and the scans row hold them."""
        return {
            "total_resources": self.total_resources,
            "managed": self.managed,
            "unmanaged": self.unmanaged,
            "missing": self.missing,
            "modified": self.modified,
            "in_sync": self.in_sync,
            "coverage": self.coverage,
        }


@dataclass
class Comparison:
    """The outcome of comparing expected and actual state."""

    findings: list[Finding]
    in_sync: list[ResourceKey]
    counts: Counts
    # Expected resources absent from AWS in a (type, region) that was not read: neither missing
    # nor in sync, so nothing may be concluded about them.
    not_seen: list[ResourceKey] = field(default_factory=list)
    # Resources a whole-resource ``.driftignore`` line excludes: in no count and no finding.
    ignored: list[ResourceKey] = field(default_factory=list)

    @property
    def by_severity(self) -> dict[str, int]:
        """Number of findings per severity, every severity present (most severe first)."""
        counts = {s.value: 0 for s in sorted(Severity, key=lambda s: -s.rank)}
        for finding in self.findings:
            counts[finding.severity.value] += 1
        return counts
