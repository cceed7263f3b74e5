"""`driftctl show` says why a drift has its severity, and shows an unmanaged resource's state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.cli.probe import DbProbe

WORLD_22 = {
    "ingress[tcp:22:0.0.0.0/0]": {"change": "added", "expected": None, "actual": "tcp:22:0.0.0.0/0"}
}


def _world_open(db: DbProbe) -> str:
    return db.add(
        resource_type="SECURITY_GROUP",
        resource_id="sg-0a1b2c3d4e5f60718",
        severity="critical",
        drift_type="modified",
        difference=WORLD_22,
        expected_state={"ingress": []},
        actual_state={"ingress": ["tcp:22:0.0.0.0/0"]},
    )


def test_show_names_the_default_rule_that_made_it_critical(cli: Any, db: DbProbe) -> None:
    drift_id = _world_open(db)

    detail = cli(["--db", db.url, "show", drift_id, "-o", "json"])

    assert detail.exit_code == 0, detail.stderr
    (reason,) = detail.json()["severity_reasons"]
    assert reason["path"] == "ingress[tcp:22:0.0.0.0/0]"
    assert (reason["severity"], reason["default"]) == ("critical", "critical")
    assert reason["why"].startswith("default rule: ")
    text = cli(["--db", db.url, "show", drift_id])
    assert "Why this severity" in text.stdout
    assert "critical  ingress[tcp:22:0.0.0.0/0]: default rule: " in text.stdout


def test_show_names_the_users_rule_when_it_decided(cli: Any, db: DbProbe, tmp_path: Path) -> None:
    drift_id = _world_open(db)
    config = tmp_path / "driftctl.toml"
    config.write_text('[[severity.rules]]\nresource_type = "SECURITY_GROUP"\nseverity = "info"\n')

    detail = cli(["--db", db.url, "--config", str(config), "show", drift_id, "-o", "json"])

    assert detail.exit_code == 0, detail.stderr
    (reason,) = detail.json()["severity_reasons"]
    assert (reason["severity"], reason["default"]) == ("info", "critical")
    assert reason["why"].startswith("[[severity.rules]] rule 1 (default: critical")


def test_show_gives_an_unmanaged_resources_actual_state_and_why(cli: Any, db: DbProbe) -> None:
    drift_id = db.add(
        resource_type="S3",
        resource_id="shadow-exports",
        severity="warning",
        drift_type="unmanaged",
        difference={},
        expected_state=None,
        actual_state={"versioning": "Disabled", "public_access_block": None, "note": "x\x1b[31my"},
    )

    text = cli(["--db", db.url, "show", drift_id])

    assert text.exit_code == 0, text.stderr
    assert "Actual state (in AWS)" in text.stdout
    assert 'versioning: "Disabled"' in text.stdout
    assert "\x1b" not in text.stdout
    assert "warning   (whole resource): not exposed, but nothing guards it" in text.stdout
