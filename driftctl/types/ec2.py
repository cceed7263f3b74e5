"""EC2 instances (``aws_instance``): one paginated DescribeInstances per region.

resource_id is the instance id (``i-…``). Terminated instances linger in listings for about an
hour; they are gone as far as drift goes. The instance profile is compared by name: Terraform
may hold its name or ARN, AWS reports the ARN.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from driftctl import normalize
from driftctl.iac.instance import StateInstance, text
from driftctl.resources import SENSITIVE, ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.types.build import BuildContext, Builder, ec2_tag_spec
from driftctl.types.fixes import ec2_tags_fix, scalar_fix, set_members
from driftctl.types.spec import (
    ApiCall,
    Attr,
    Call,
    CostQuery,
    Fix,
    FixQuery,
    Kind,
    ResourceSpec,
    Scope,
    TerraformType,
    arn_tail,
)

if TYPE_CHECKING:
    from mypy_boto3_ec2.type_defs import InstanceTypeDef

    from driftctl.diff.pricing import CostImpact

RESOURCE_TYPE = "EC2"
_LIVE_STATES = ["pending", "running", "stopping", "stopped"]


def _profile(inst: StateInstance) -> str | None:
    profile = text(inst.get("iam_instance_profile"), empty_is_unset=True)
    if profile and profile != SENSITIVE:
        profile = profile.rsplit("/", 1)[-1]  # an ARN was given: AWS reports the name
    return profile


SCHEMA: dict[str, Attr] = {
    "instance_type": Attr(empty_is_unset=True),
    "ami": Attr(empty_is_unset=True),
    "subnet_id": Attr(empty_is_unset=True),
    "vpc_security_group_ids": Attr(Kind.SET),
    "iam_instance_profile": Attr(read=_profile, doc="the profile's name"),
    "monitoring": Attr(type=bool),
    "ebs_optimized": Attr(type=bool),
    "metadata_options": Attr(Kind.OBJECT, fields={"http_tokens": Attr()}),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


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
        # Not compared (no Terraform attribute): a resize of a stopped instance needs no restart.
        "state": instance.get("State", {}).get("Name"),
    }
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=instance["InstanceId"],
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


# -- remediation -------------------------------------------------------------------------------


def _resize(query: FixQuery, instance_type: Any) -> list[Call]:
    """Stop, change the type, start again; a stopped instance is only modified (and stays
    stopped)."""
    ident = {"InstanceIds": [query.resource_id]}
    modify = Call(
        "ec2",
        "ModifyInstanceAttribute",
        {"InstanceId": query.resource_id, "InstanceType": {"Value": str(instance_type)}},
    )
    if query.actual.get("state") == "stopped":
        return [modify]
    return [
        Call("ec2", "StopInstances", ident, restart=True, wait=("instance_stopped", ident)),
        dataclasses.replace(modify, restart=True),
        Call("ec2", "StartInstances", ident, restart=True, wait=("instance_running", ident)),
    ]


def _http_tokens(query: FixQuery, tokens: Any) -> Call:
    return Call(
        "ec2",
        "ModifyInstanceMetadataOptions",
        {"InstanceId": query.resource_id, "HttpTokens": str(tokens)},
    )


def _security_groups(query: FixQuery) -> list[Call]:
    """The instance's groups set to what it has, less those added, plus those removed."""
    added, removed = set_members(query.entries)
    groups = set(query.actual.get("vpc_security_group_ids") or []) - set(added) | set(removed)
    params = {"InstanceId": query.resource_id, "Groups": sorted(groups)}
    return [Call("ec2", "ModifyInstanceAttribute", params)]


def _delete(query: FixQuery) -> list[Call]:
    return [Call("ec2", "TerminateInstances", {"InstanceIds": [query.resource_id]})]


FIXES = (
    scalar_fix(
        "instance_type",
        _resize,
        doc="instance type (ec2:StopInstances, ModifyInstanceAttribute, StartInstances: "
        "needs --allow-restart unless the instance is stopped)",
    ),
    scalar_fix(
        "metadata_options.http_tokens",
        _http_tokens,
        doc="IMDS tokens (ec2:ModifyInstanceMetadataOptions)",
    ),
    Fix(
        "vpc_security_group_ids[*",
        _security_groups,
        doc="security groups (ec2:ModifyInstanceAttribute Groups)",
    ),
    ec2_tags_fix(),
)


# -- cost --------------------------------------------------------------------------------------


def cost(query: CostQuery) -> CostImpact:
    """On-demand price of the instance type: a resize costs the difference."""
    from driftctl.diff.pricing import CostImpact, Pricer

    pricer = Pricer(query.table, query.region)
    if query.drift_type == "unmanaged":
        instance_type = _type_of(query.actual)
        return pricer.result(pricer.ec2_month(instance_type), f"unmanaged {instance_type}")
    if query.drift_type == "missing":
        instance_type = _type_of(query.expected)
        return pricer.result(-pricer.ec2_month(instance_type), f"missing {instance_type}")
    before, after = _type_of(query.expected), _type_of(query.actual)
    # Absent from the expected side: IaC does not manage the type, so it cannot have drifted.
    if before is None or before == after:
        return CostImpact(0.0)
    return pricer.result(pricer.ec2_month(after) - pricer.ec2_month(before), f"{before} -> {after}")


def _type_of(attributes: Mapping[str, Any]) -> str | None:
    value = attributes.get("instance_type")
    return value if isinstance(value, str) and value else None


# -- building in an emulated account ---------------------------------------------------------


def _build_instance(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    extra: dict[str, Any] = {}
    if attrs.get("iam_instance_profile"):
        extra["IamInstanceProfile"] = {"Name": arn_tail(attrs["iam_instance_profile"])}
    if attrs.get("key_name"):
        extra["KeyName"] = attrs["key_name"]
    if attrs.get("private_ip"):
        extra["PrivateIpAddress"] = attrs["private_ip"]
    metadata = (attrs.get("metadata_options") or [{}])[0]
    if metadata:
        extra["MetadataOptions"] = {
            "HttpTokens": metadata.get("http_tokens") or "optional",
            "HttpEndpoint": metadata.get("http_endpoint") or "enabled",
            "HttpPutResponseHopLimit": int(metadata.get("http_put_response_hop_limit") or 1),
            "InstanceMetadataTags": metadata.get("instance_metadata_tags") or "disabled",
        }
    if attrs.get("subnet_id"):
        extra["SubnetId"] = ctx.id(attrs["subnet_id"])
    instance = ctx.client("ec2").run_instances(
        ImageId=attrs["ami"],
        InstanceType=attrs["instance_type"],
        MinCount=1,
        MaxCount=1,
        SecurityGroupIds=[ctx.id(g) for g in attrs.get("vpc_security_group_ids") or []],
        Monitoring={"Enabled": bool(attrs.get("monitoring"))},
        EbsOptimized=bool(attrs.get("ebs_optimized")),
        TagSpecifications=ec2_tag_spec("instance", attrs),
        **extra,
    )["Instances"][0]
    ctx.remember(attrs["id"], instance["InstanceId"])
    interfaces = instance.get("NetworkInterfaces", [])
    if interfaces and attrs.get("primary_network_interface_id"):
        ctx.remember(attrs["primary_network_interface_id"], interfaces[0]["NetworkInterfaceId"])
    volumes = [m["Ebs"]["VolumeId"] for m in instance.get("BlockDeviceMappings", [])]
    root = (attrs.get("root_block_device") or [{}])[0]
    if volumes and root.get("volume_id"):
        ctx.remember(root["volume_id"], volumes[0])


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="EC2 instance",
    with_article="an EC2 instance",
    sarif_name="EC2Instance",
    terraform=(
        TerraformType(
            "aws_instance",
            id=("id",),
            not_compared={
                "user_data": "not returned by DescribeInstances",
                "root_block_device": "volumes are their own resources in AWS",
                "timeouts": "Terraform-only",
            },
        ),
    ),
    scope=Scope.REGIONAL,
    service="ec2",
    collect=collect,
    api_calls=(ApiCall("ec2:DescribeInstances", per="region", page_size=1000),),
    schema=SCHEMA,
    canonical_id=arn_tail,
    id_doc="instance id (i-…)",
    cost=cost,
    cost_paths=("instance_type",),
    builders={
        "aws_instance": Builder(
            _build_instance,
            after=("aws_subnet", "aws_security_group", "aws_iam_instance_profile"),
        ),
    },
    fixes=FIXES,
    delete=_delete,
)
