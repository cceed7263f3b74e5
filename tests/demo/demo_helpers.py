"""Helpers for the demo tests: one build + scan + comparison of the demo estate."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import boto3

from driftctl.demo import (
    DEMO_REGION,
    DEMO_RESOURCE_TYPES,
    DemoEstate,
    build_demo_estate,
    demo_environment,
    demo_mock,
)
from driftctl.diff.compare import Comparison, compare
from driftctl.iac.sources import ExpectedState, load_expected
from driftctl.scanner.runner import ActualScan, ScanPlan, scan_actual


@dataclass
class DemoRun:
    """Everything one demo produced: the estate, both sides and their comparison."""

    estate: DemoEstate
    expected: ExpectedState
    actual: ActualScan
    comparison: Comparison


def run_demo(workdir: Path, *, inject: bool) -> DemoRun:
    """Build the estate in a fresh emulation, read the state it wrote, scan and compare."""
    with demo_environment(), demo_mock():
        session = boto3.session.Session(region_name=DEMO_REGION)
        estate = build_demo_estate(session, workdir, inject=inject)
        expected = load_expected([str(estate.state_path)])
        # As a scan does: per-resource reads (tags of declared IAM objects) need the state's ids.
        ids: dict[str, set[str]] = {}
        for resource in expected.resources:
            ids.setdefault(resource.resource_type, set()).add(resource.resource_id)
        actual = scan_actual(
            ScanPlan(
                resource_types=list(DEMO_RESOURCE_TYPES),
                regions=[estate.region],
                session_factory=lambda: session,
                expected_ids={t: frozenset(v) for t, v in ids.items()},
            )
        )
    comparison = compare(
        expected.resources, actual.resources, read_ok=actual.read_ok, default_region=estate.region
    )
    return DemoRun(estate=estate, expected=expected, actual=actual, comparison=comparison)


def _ids(expected: ExpectedState) -> dict[str, frozenset[str]]:
    ids: dict[str, set[str]] = {}
    for resource in expected.resources:
        ids.setdefault(resource.resource_type, set()).add(resource.resource_id)
    return {t: frozenset(v) for t, v in ids.items()}
