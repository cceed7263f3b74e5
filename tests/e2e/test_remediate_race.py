"""Two real ``driftctl remediate`` processes race for one drift: exactly one runs the plan."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.probe import DbProbe
from tests.e2e.scan_support import Served, served_estate
from tests.scan.estate import WORLD, _tcp

pytestmark = pytest.mark.e2e

ROUNDS = 1


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served_estate(tmp_path_factory.mktemp("remediate-race")) as estate:
        yield estate


def _start(served: Served, url: str) -> subprocess.Popen[str]:
    # The id comes on stdin, written once both processes exist: both import, connect and
    # then race for the same drift.
    return subprocess.Popen(
        [sys.executable, "-m", "driftctl", "--db", url, "remediate", "-", "--yes"],
        cwd=served.root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=served.env(),
    )


def _finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    assert proc.stdout is not None and proc.stderr is not None
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    return proc.wait(timeout=120), out, err


def test_two_remediations_of_one_drift_one_runs(
    served: Served, db: DbProbe, tmp_path: Path
) -> None:
    estate = served.estate
    ec2 = estate.client("ec2")
    for _ in range(ROUNDS):
        ec2.authorize_security_group_ingress(
            GroupId=estate.group_id, IpPermissions=[_tcp(22, WORLD)]
        )
        scanned = served.driftctl(
            "-o",
            "json",
            "scan",
            "--from",
            "estate.tfstate",
            "--type",
            "SECURITY_GROUP",
            db_url=db.url,
        )
        assert scanned.exit_code == 1, scanned.stderr
        [drift] = [d for d in scanned.json()["drifts"] if d["status"] == "detected"]
        drift_id = drift["id"]

        procs = [_start(served, db.url) for _ in range(2)]
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write(drift_id + "\n")
            proc.stdin.close()
        results = [_finish(proc) for proc in procs]

        assert sorted(code for code, _, _ in results) == [0, 4], results
        [(_, win_out, win_err)] = [r for r in results if r[0] == 0]
        [(_, _, lose_err)] = [r for r in results if r[0] == 4]
        assert f"resolved {drift_id[:8]}" in win_out and win_err == ""
        assert len(lose_err.strip().splitlines()) == 1, lose_err
        assert "locked" not in lose_err
        assert db.status(drift_id) == "resolved"
        actions = [r.action for r in db.audit(drift_id)]
        # Only the winner planned and called AWS.
        assert actions.count("remediation_planned") == 1
        assert actions.count("remediation_call") == 1
        assert actions.count("drift_resolved") == 1

    from driftctl.services import audit

    report = audit.verify(db.ctx)
    assert report.ok, report.problem
