"""Plans of EC2 and VPC reverts whose order or calls the conformance test does not pin."""

from __future__ import annotations

from typing import Any

from driftctl.remediation.plan import plan_drift


def _plan(resource_type: str, difference: dict[str, Any], actual: dict[str, Any], **kw: Any) -> Any:
    return plan_drift(
        resource_type=resource_type,
        resource_id=kw.pop("resource_id", "i-1"),
        region="us-east-1",
        account_id=None,
        drift_type="modified",
        difference=difference,
        expected={},
        actual=actual,
        **kw,
    )


RESIZED = {"instance_type": {"change": "changed", "expected": "t3.micro", "actual": "t3.large"}}


def test_a_running_instance_is_resized_only_with_allow_restart() -> None:
    refused = _plan("EC2", RESIZED, {"state": "running"})
    assert not refused.ready and "--allow-restart" in (refused.refused or "")

    plan = _plan("EC2", RESIZED, {"state": "running"}, allow_restart=True)
    assert [c.operation for c in plan.calls] == [
        "StopInstances",
        "ModifyInstanceAttribute",
        "StartInstances",
    ]
    assert all(c.restart for c in plan.calls)
    assert plan.calls[0].wait == ("instance_stopped", {"InstanceIds": ["i-1"]})
    assert plan.calls[1].params["InstanceType"] == {"Value": "t3.micro"}


def test_a_stopped_instance_is_resized_without_being_started() -> None:
    plan = _plan("EC2", RESIZED, {"state": "stopped"})
    assert plan.ready
    assert [(c.operation, c.restart) for c in plan.calls] == [("ModifyInstanceAttribute", False)]


def test_instance_groups_are_set_to_what_the_iac_lists() -> None:
    difference = {
        "vpc_security_group_ids[sg-new]": {"change": "added", "expected": None, "actual": "sg-new"},
        "vpc_security_group_ids[sg-old]": {
            "change": "removed",
            "expected": "sg-old",
            "actual": None,
        },
    }
    plan = _plan("EC2", difference, {"vpc_security_group_ids": ["sg-keep", "sg-new"]})
    [call] = plan.calls
    assert call.params["Groups"] == ["sg-keep", "sg-old"]


def _dns(support: bool, hostnames: bool) -> dict[str, Any]:
    return {
        "enable_dns_support": {"change": "changed", "expected": support, "actual": not support},
        "enable_dns_hostnames": {
            "change": "changed",
            "expected": hostnames,
            "actual": not hostnames,
        },
    }


def test_dns_support_is_on_before_hostnames_and_off_after_them() -> None:
    on = _plan("VPC", _dns(True, True), {}, resource_id="vpc-1")
    assert [next(iter(c.params.keys() - {"VpcId"})) for c in on.calls] == [
        "EnableDnsSupport",
        "EnableDnsHostnames",
    ]
    off = _plan("VPC", _dns(False, False), {}, resource_id="vpc-1")
    assert [next(iter(c.params.keys() - {"VpcId"})) for c in off.calls] == [
        "EnableDnsHostnames",
        "EnableDnsSupport",
    ]
    assert all(c.operation == "ModifyVpcAttribute" for c in on.calls + off.calls)
