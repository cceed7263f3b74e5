"""RDS reverts: which ModifyDBInstance calls interrupt the instance, and tags by ARN."""

from __future__ import annotations

from typing import Any

from driftctl.remediation.plan import plan_drift


def _plan(difference: dict[str, Any], actual: dict[str, Any], **options: Any) -> Any:
    return plan_drift(
        resource_type="RDS",
        resource_id="webapp-db",
        region="eu-west-1",
        account_id="123456789012",
        drift_type="modified",
        difference=difference,
        expected={},
        actual=actual,
        **options,
    )


def _retention(expected: int, actual: int) -> dict[str, Any]:
    return {
        "backup_retention_period": {"change": "changed", "expected": expected, "actual": actual}
    }


def test_backups_turned_on_or_off_need_allow_restart() -> None:
    for expected, actual in ((7, 0), (0, 7)):
        plan = _plan(_retention(expected, actual), {"backup_retention_period": actual})
        assert not plan.ready
        assert "--allow-restart" in (plan.refused or "")
        assert _plan(
            _retention(expected, actual), {"backup_retention_period": actual}, allow_restart=True
        ).ready


def test_a_shorter_retention_is_applied_at_once() -> None:
    plan = _plan(_retention(7, 1), {"backup_retention_period": 1})
    [call] = plan.calls
    assert call.params == {
        "DBInstanceIdentifier": "webapp-db",
        "ApplyImmediately": True,
        "BackupRetentionPeriod": 7,
    }
    assert not call.restart
    assert call.wait == ("db_instance_available", {"DBInstanceIdentifier": "webapp-db"})


def test_tags_name_the_instance_by_arn() -> None:
    plan = _plan({"tags.Owner": {"change": "added", "expected": None, "actual": "x"}}, {})
    [call] = plan.calls
    assert call.operation == "RemoveTagsFromResource"
    assert call.params == {
        "ResourceName": "arn:aws:rds:eu-west-1:123456789012:db:webapp-db",
        "TagKeys": ["Owner"],
    }
