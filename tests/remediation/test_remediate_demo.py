"""The demo account's drifts, remediated end to end: every modified one is put back, the
missing and unmanaged ones are refused, and a rescan finds only those left."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3

from driftctl.config import load_settings
from driftctl.demo import (
    DEMO_REGION,
    DEMO_RESOURCE_TYPES,
    build_demo_estate,
    demo_environment,
    demo_mock,
)
from driftctl.services import drifts as drifts_svc
from driftctl.services import remediation as svc
from driftctl.services.context import open_context
from driftctl.services.scanning import ScanOptions, run_scan


def test_the_demo_drifts_are_put_back(tmp_path: Path) -> None:
    context = open_context(
        load_settings(database_url=f"sqlite:///{tmp_path / 'driftctl.db'}"), command="pytest"
    )
    try:
        with demo_environment(), demo_mock():
            session = boto3.session.Session(region_name=DEMO_REGION)
            estate = build_demo_estate(session, tmp_path, inject=True)
            options = ScanOptions(
                sources=[str(estate.state_path)],
                regions=[DEMO_REGION],
                resource_types=list(DEMO_RESOURCE_TYPES),
                cwd=tmp_path,
                session_factory=lambda: session,
            )
            drifts = run_scan(context, options).result["drifts"]
            modified = [d["id"] for d in drifts if d["drift_type"] == "modified"]
            others = {d["id"]: d["drift_type"] for d in drifts if d["drift_type"] != "modified"}
            assert len(modified) >= 5 and set(others.values()) == {"missing", "unmanaged"}
            drifts_svc.reject(context, [d["id"] for d in drifts], reason="put it all back now")

            remediate = svc.RemediateOptions(
                all_rejected=True,
                allow_restart=True,
                session_factory=lambda: session,
                settle_delays=(),
            )
            prepared = svc.prepare(context, remediate)
            refused = {str(i.drift_id): i.plan.refused for i in prepared.refused}
            assert set(refused) == set(others), refused
            applied = svc.apply(context, prepared, remediate)
            outcomes = {r.drift_id: (r.outcome, r.error) for r in applied.results}
            assert outcomes == {i: ("resolved", None) for i in modified}

            again = run_scan(context, options).result["drifts"]
        open_now = {d["id"]: d["drift_type"] for d in again if d["status"] != "resolved"}
        assert open_now == others
        for drift_id in modified:
            shown: dict[str, Any] = drifts_svc.show_drift(context, drift_id)
            assert shown["resolved_how"] == "auto-remediate"
    finally:
        context.dispose()
