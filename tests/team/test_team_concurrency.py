"""Several driftctl processes writing at once keep one unbroken audit chain."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.factories import insert_drifts, make_drift
from tests.team.helpers import Team

WORKERS = 4
DRIFTS_PER_WORKER = 25  # each drift is triaged, then approved or rejected: 50 changes a worker

# Runs driftctl's `python -m driftctl` entry point once per command, inside one process, so
# that four processes can each make 50 changes in well under a minute (starting the
# interpreter 200 times would take longer than the work).
WORKER = """
import runpy, sys

ids = sys.argv[1:]
failures = []

def driftctl(*args):
    sys.argv = ["driftctl", *args, "-q"]
    try:
        runpy.run_module("driftctl", run_name="__main__")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    if code != 0:
        failures.append((args[0], code))

for drift_id in ids:
    driftctl("triage", drift_id)
for n, drift_id in enumerate(ids):
    if n % 2:
        driftctl("approve", drift_id, "--reason", "intended, approved by a worker")
    else:
        driftctl("reject", drift_id, "--reason", "unwanted, rejected by a worker")
if failures:
    sys.exit(f"failed commands: {failures}")
"""


@pytest.mark.e2e
def test_four_processes_fifty_changes_each(team: Team) -> None:
    team.add("eli@corp.example", "engineer")
    token = team.login("eli@corp.example")
    drift_ids = insert_drifts(team.ctx, *(make_drift() for _ in range(WORKERS * DRIFTS_PER_WORKER)))
    before = team.audit_count()
    env = {**os.environ, "DRIFTCTL_DATABASE_URL": team.db_url, "DRIFTCTL_TOKEN": token}

    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, *drift_ids[w::WORKERS]],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(WORKERS)
    ]
    outputs = [p.communicate(timeout=180) for p in procs]

    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    assert team.audit_count() == before + WORKERS * DRIFTS_PER_WORKER * 2
    result = team.run(["audit", "verify", "-o", "json"], token=token)
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert report["ok"] is True
    assert report["rows_checked"] == team.audit_count()
    statuses = team.run(["list", "--all", "-o", "json"], token=token).json()["items"]
    assert sorted({d["status"] for d in statuses}) == ["approved", "rejected"]
