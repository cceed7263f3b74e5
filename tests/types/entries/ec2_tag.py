"""Conformance entry of EC2_TAG (fixture: ec2_tag.tfstate)."""

from __future__ import annotations

from typing import Any

from tests.types.entries._estate import copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "EC2_TAG"
FIXTURE = "ec2_tag.tfstate"

ELB_ROLE = "aws_ec2_tag.elb_role"
COST_CENTER = "aws_ec2_tag.vpc_cost_center"


def _resource_and_key(account: Account, address: str) -> tuple[str, str]:
    attrs = account.attributes(address)
    return str(attrs["resource_id"]), str(attrs["key"])


def _changed(address: str, value: str) -> Any:
    def apply(account: Account) -> None:
        resource, key = _resource_and_key(account, address)
        # Another tag on the same resource, added outside Terraform, is never unmanaged.
        account.client("ec2").create_tags(
            Resources=[resource],
            Tags=[{"Key": key, "Value": value}, {"Key": "added-by-hand", "Value": "x"}],
        )

    return apply


def _removed(account: Account) -> None:
    resource, key = _resource_and_key(account, ELB_ROLE)
    account.client("ec2").delete_tags(Resources=[resource], Tags=[{"Key": key}])


def estate(n: int) -> dict[str, Any]:
    """n copies of the fixture's VPC, subnets and tags; every copy tags its own resources."""
    return copies(FIXTURE, _ec2_ids)(n)


def _ec2_ids(attrs: dict[str, Any]) -> list[str]:
    # The VPC's and subnets' ids: each copy's tags then name the copy's own resources.
    ident = str(attrs.get("id") or "")
    return [ident] if ident.startswith(("vpc-", "subnet-")) and "," not in ident else []


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        Mutation(
            "cost centre changed", _changed(COST_CENTER, "cc-9999"), COST_CENTER, "value", "info"
        ),
        Mutation("ELB role flipped", _changed(ELB_ROLE, "0"), ELB_ROLE, "value", "info"),
        Mutation("ELB role removed", _removed, ELB_ROLE, "", "warning", "missing"),
    ),
    unmanaged=False,
    estate=estate,
)
