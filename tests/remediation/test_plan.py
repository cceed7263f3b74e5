"""Remediation plans on their own: which drifts are refused and why, and what a plan shows."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from driftctl.cli.remediate_cmd import markdown, plain
from driftctl.remediation import plan as plan_module
from driftctl.remediation.plan import DriftPlan, call_to_dict, plan_drift
from driftctl.resources import SENSITIVE
from driftctl.services.remediation import Prepared, Selected
from driftctl.types import registry
from driftctl.types.spec import Call, Fix, FixQuery

GROUP = "sg-0123456789abcdef0"
SSH = "ingress[tcp:22:0.0.0.0/0]"


def _plan(difference: dict[str, Any], **kwargs: Any) -> DriftPlan:
    values: dict[str, Any] = {
        "resource_type": "SECURITY_GROUP",
        "resource_id": GROUP,
        "region": "us-east-1",
        "account_id": "123456789012",
        "drift_type": "modified",
        "difference": difference,
        "expected": {"ingress": []},
        "actual": {"ingress": ["tcp:22:0.0.0.0/0"]},
    }
    values.update(kwargs)
    return plan_drift(**values)


def _added(actual: Any) -> dict[str, Any]:
    return {"change": "added", "expected": None, "actual": actual}


def test_a_revertible_difference_is_planned_with_what_it_fixes() -> None:
    plan = _plan({SSH: _added("tcp:22:0.0.0.0/0"), "tags.Owner": _added("me")})

    assert plan.ready
    assert [(c.name, c.fixes) for c in plan.calls] == [
        ("ec2:RevokeSecurityGroupIngress", (SSH,)),
        ("ec2:DeleteTags", ("tags.Owner",)),
    ]
    assert plan.calls[0].params == {
        "GroupId": GROUP,
        "IpPermissions": [
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    }


def test_a_difference_without_a_revert_refuses_the_whole_drift() -> None:
    plan = _plan(
        {SSH: _added("tcp:22:0.0.0.0/0"), "description": {"change": "changed", "expected": "a"}}
    )

    assert not plan.ready
    assert plan.not_revertible == {"description": "no revert is declared for this attribute"}
    assert "description" in (plan.refused or "") and "terraform apply" in (plan.refused or "")


def test_a_sensitive_expected_value_is_never_put_back() -> None:
    entry = {"change": "changed", "expected": SENSITIVE, "actual": "x"}
    plan = _plan({"tags.DbPassword": entry})
    assert not plan.ready
    assert "sensitive" in plan.not_revertible["tags.DbPassword"]


@pytest.mark.parametrize(
    ("drift_type", "words"),
    [("missing", "never re-created"), ("unmanaged", "--delete-unmanaged")],
)
def test_missing_and_unmanaged_are_refused(drift_type: str, words: str) -> None:
    plan = _plan({}, drift_type=drift_type)
    assert not plan.ready
    assert words in (plan.refused or "")


def test_a_type_that_deletes_nothing_says_so() -> None:
    plan = _plan({}, resource_type="IAM_ACCESS_KEY", drift_type="unmanaged", delete_unmanaged=True)
    assert not plan.ready
    assert "never deletes" in (plan.refused or "")


def test_an_unknown_type_is_refused() -> None:
    assert "does not know" in (_plan({}, resource_type="NOPE").refused or "")


def _restarting_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    base = registry.get("SECURITY_GROUP")
    assert base is not None

    def resize(query: FixQuery) -> list[Call]:
        value = query.entries["description"]["expected"]
        return [
            Call(
                "ec2",
                "ModifyThing",
                {"Value": value, "Password": "hunter2"},
                restart=True,
                secret=("Password",),
            )
        ]

    spec = dataclasses.replace(base, fixes=(Fix("description", resize, doc="test"),))

    class Registry:
        @staticmethod
        def get(name: str) -> Any:
            return spec if name == "SECURITY_GROUP" else registry.get(name)

    monkeypatch.setattr(plan_module, "registry", Registry)


def test_a_restart_needs_allow_restart(monkeypatch: pytest.MonkeyPatch) -> None:
    _restarting_spec(monkeypatch)
    entry = {"change": "changed", "expected": "web", "actual": "old"}

    refused = _plan({"description": entry})
    allowed = _plan({"description": entry}, allow_restart=True)

    assert "--allow-restart" in (refused.refused or "")
    assert allowed.ready and allowed.calls[0].restart


def test_secret_parameters_never_show(monkeypatch: pytest.MonkeyPatch) -> None:
    _restarting_spec(monkeypatch)
    entry = {"change": "changed", "expected": "web", "actual": "old"}
    plan = _plan({"description": entry}, allow_restart=True, drift_id="4d5e6f70-aaaa")
    prepared = Prepared(
        items=[
            Selected(
                drift_id=None,  # type: ignore[arg-type]
                difference_hash="",
                severity="warning",
                status="rejected",
                plan=plan,
                difference={"description": entry},
                expected={},
                account_id=None,
            )
        ]
    )

    shown = [
        repr(plan.to_dict()),
        repr(call_to_dict(plan.calls[0], "us-east-1")),
        plain(prepared),
        markdown(prepared),
    ]
    for text in shown:
        assert "hunter2" not in text
        assert SENSITIVE in text
    # The call itself still sends it.
    assert plan.calls[0].params["Password"] == "hunter2"


def test_a_fix_may_decline_and_the_drift_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from driftctl.types.spec import NotRevertible

    base = registry.get("SECURITY_GROUP")
    assert base is not None

    def decline(query: FixQuery) -> list[Call]:
        raise NotRevertible("the other values of this map are masked")

    spec = dataclasses.replace(base, fixes=(Fix("description", decline, doc="test"),))

    class Registry:
        @staticmethod
        def get(name: str) -> Any:
            return spec

    monkeypatch.setattr(plan_module, "registry", Registry)
    plan = _plan({"description": {"change": "changed", "expected": "a", "actual": "b"}})
    assert not plan.ready
    assert plan.calls == []
    assert plan.not_revertible == {"description": "the other values of this map are masked"}


def test_identical_calls_of_several_fixes_are_made_once(monkeypatch: pytest.MonkeyPatch) -> None:
    base = registry.get("SECURITY_GROUP")
    assert base is not None

    def whole(query: FixQuery) -> list[Call]:
        return [Call("events", "PutRule", {"Name": "r", "Description": "d"})]

    spec = dataclasses.replace(
        base, fixes=(Fix("description", whole, doc="a"), Fix("name", whole, doc="b"))
    )

    class Registry:
        @staticmethod
        def get(name: str) -> Any:
            return spec

    monkeypatch.setattr(plan_module, "registry", Registry)
    changed = {"change": "changed", "expected": "x", "actual": "y"}
    plan = _plan({"description": changed, "name": changed})
    assert [(c.name, c.fixes) for c in plan.calls] == [("events:PutRule", ("description", "name"))]
