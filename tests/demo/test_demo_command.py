"""`driftctl demo` as a user runs it: a real process, no credentials, a throwaway database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_demo_command_scans_and_records(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    proc = subprocess.run(
        [sys.executable, "-m", "driftctl", "demo", "--workdir", str(tmp_path), "-o", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    kinds = {(d["resource_type"], d["drift_type"]) for d in result["drifts"]}
    assert ("EC2", "modified") in kinds
    assert ("S3", "missing") in kinds
    assert ("S3", "unmanaged") in kinds
    assert result["summary"]["by_severity"]["critical"] >= 4
    assert result["scan"]["status"] == "completed"

    listed = subprocess.run(
        [
            sys.executable,
            "-m",
            "driftctl",
            "--db",
            f"sqlite:///{tmp_path / 'demo.db'}",
            "list",
            "-o",
            "json",
            "--limit",
            "100",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["pagination"]["total"] == len(result["drifts"])


def test_demo_table_output_suggests_next_commands(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "driftctl", "demo", "--workdir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "CRITICAL" in proc.stdout
    assert "ingress[tcp:22:0.0.0.0/0]" in proc.stdout
    assert "\x1b[" not in proc.stdout
    assert "Next, try" in proc.stderr
    assert "approve" in proc.stderr
    # The bundled state's RDS password is marked sensitive: it must never be printed.
    state = json.loads((tmp_path / "terraform.tfstate").read_text())
    passwords = [
        inst["attributes"].get("password")
        for res in state["resources"]
        for inst in res["instances"]
        if res["type"] == "aws_db_instance"
    ]
    for password in filter(None, passwords):
        assert password not in proc.stdout
        assert password not in proc.stderr
