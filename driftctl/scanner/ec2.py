"""EC2 instances: one paginated DescribeInstances per region (up to 1000 instances a page)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from driftctl import normalize
from driftctl.domain import ResourceType
from driftctl.resources import ActualResource
from driftctl.scanner.base import Collected, ScanContext, Scope, TypeInfo

if TYPE_CHECKING:
    from mypy_boto3_ec2.type_defs import InstanceTypeDef

# Terminated instances linger in listings for about an hour; they are gone as far as drift goes.
_LIVE_STATES = ["pending", "running", "stopping", "stopped"]


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every live instance in ``region``; AWS errors propagate to the runner."""
    client = ctx.aws.client("ec2", region)
    pages = client.get_paginator("describe_instances").paginate(
        Filters=[{"Name": "instance-state-name", "Values": _LIVE_STATES}],
        PaginationConfig={"PageSize": ctx.page_size_for(5, 1000)},
    )
    found: list[ActualResource] = []
    for page in pages:
        for reservation in page.get("Reservations", []):
            for instance in reservation.get("Instances", []):
                if instance.get("State", {}).get("Name") not in _LIVE_STATES:
                    continue
                found.append(to_resource(instance, region, ctx.account_id))
    return Collected(resources=found)


def to_resource(instance: InstanceTypeDef, region: str, account_id: str | None) -> ActualResource:
    """One DescribeInstances item in the canonical EC2 form."""
    profile_arn = instance.get("IamInstanceProfile", {}).get("Arn")
    metadata = instance.get("MetadataOptions", {})
    attributes: dict[str, Any] = {
        "instance_type": instance.get("InstanceType"),
        "ami": instance.get("ImageId"),
        "subnet_id": instance.get("SubnetId"),
        "vpc_security_group_ids": sorted(
            g["GroupId"] for g in instance.get("SecurityGroups", []) if "GroupId" in g
        ),
        # Terraform names the profile; AWS reports its ARN, whose last segment is the name.
        "iam_instance_profile": profile_arn.rsplit("/", 1)[-1] if profile_arn else None,
        "monitoring": instance.get("Monitoring", {}).get("State") == "enabled",
        "ebs_optimized": bool(instance.get("EbsOptimized", False)),
        "metadata_options": {"http_tokens": metadata.get("HttpTokens")},
        "tags": normalize.tags(instance.get("Tags")),
    }
    return ActualResource(
        resource_type=ResourceType.EC2.value,
        resource_id=instance["InstanceId"],
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


TYPE_INFO = TypeInfo(
    resource_type=ResourceType.EC2,
    service="ec2",
    scope=Scope.REGIONAL,
    list_operations=("ec2:DescribeInstances",),
    id_field="InstanceId",
    collect=collect,
)
