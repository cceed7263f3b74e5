"""Benchmark of ``driftctl scan`` against a moto server holding a realistic estate.

The estate at ``--scale 1``: 2,000 EC2 instances, 500 security groups, 300 S3 buckets, 200 IAM
roles and 100 RDS instances. A Terraform v4 state is written for the managed part; then about 10%
of every type drifts: 5% are modified after the state was written (instance type, an extra
world-open SSH rule, bucket versioning, role session duration, DB class) and 5% are created
outside Terraform (unmanaged).

For every scale it prints: how long moto took to build the estate; wall time, CPU and peak memory
of ``python -m driftctl scan`` run as a separate process, recording to SQLite and with
``--no-store``; the API calls per operation next to the minimum the AWS APIs allow; whether the
scan found exactly the drifts that were made; where an in-process scan spends its time (moto and
the wire, or botocore in the scanner); and evidence that the per-bucket S3 calls run concurrently
(the most calls in flight seen by botocore hooks, and wall time with one worker against eight,
with and without a simulated network round trip). Nothing is asserted.

Two things keep moto from dominating the figures: instances are launched one per reservation,
because moto pages DescribeInstances by reservation and only then sends AWS's 1,000-instance pages;
and moto's EC2 tag lookup, quadratic in the number of tagged resources, is replaced by a dict
lookup (``--stock-moto`` keeps it, and at 4x the scan then hits its 30 s read timeout).

    .venv/bin/python bench/scan_bench.py --scale 0.25
    .venv/bin/python bench/scan_bench.py --scale 1 --scale 4
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import boto3
from botocore.config import Config

REGION = "us-east-1"
ACCOUNT = "123456789012"  # what moto's STS answers
BASE_SIZES = {
    "instances": 2000,
    "security_groups": 500,
    "buckets": 300,
    "roles": 200,
    "db_instances": 100,
}
MODIFIED_SHARE = 0.05
UNMANAGED_SHARE = 0.05
FLEET_SIZE = 100  # instances sharing an AMI, a type and a Fleet tag
PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]'
AMIS = ("ami-0a1b2c3d4e5f60718", "ami-0f1e2d3c4b5a69788")
INSTANCE_TYPES = ("t3.micro", "t3.small", "m5.large")
DB_CLASSES = ("db.t3.micro", "db.t3.medium", "db.m5.large")
BUCKET_OPERATIONS = frozenset(
    {
        "GetBucketLocation",
        "GetBucketVersioning",
        "GetBucketEncryption",
        "GetPublicAccessBlock",
        "GetBucketPolicy",
        "GetBucketTagging",
        "GetBucketLifecycleConfiguration",
        "GetBucketOwnershipControls",
        "GetBucketLogging",
    }
)
# Where moto sends bigger pages than AWS would, so a scan can need fewer calls than AWS allows.
MOTO_PAGING = {
    "ec2:DescribeInstances": "moto counts MaxResults in reservations, not instances",
    "ec2:DescribeSecurityGroups": "moto ignores MaxResults and sends every group at once",
}
TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
INLINE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "ssm:GetParameter", "Resource": "*"}],
}

T = TypeVar("T")
R = TypeVar("R")


# -- sizes and plan ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TypePlan:
    """How many resources of one type exist, which of them Terraform manages, which drift."""

    total: int
    unmanaged: int
    # Indexes (among the managed ones) changed after the state was written.
    modified: frozenset[int]

    @property
    def managed(self) -> int:
        return self.total - self.unmanaged

    @classmethod
    def of(cls, total: int) -> TypePlan:
        unmanaged = round(total * UNMANAGED_SHARE)
        managed = total - unmanaged
        count = min(managed, round(total * MODIFIED_SHARE))
        # Spread evenly so that every batch, fleet and option mix has some drift.
        modified = frozenset(k * managed // count for k in range(count)) if count else frozenset()
        return cls(total=total, unmanaged=unmanaged, modified=modified)


@dataclass(frozen=True)
class EstatePlan:
    """The estate for one scale factor."""

    scale: float
    instances: TypePlan
    security_groups: TypePlan
    buckets: TypePlan
    roles: TypePlan
    db_instances: TypePlan

    @classmethod
    def for_scale(cls, scale: float) -> EstatePlan:
        sizes = {k: max(1, round(v * scale)) for k, v in BASE_SIZES.items()}
        return cls(scale=scale, **{k: TypePlan.of(v) for k, v in sizes.items()})

    @property
    def resources(self) -> int:
        return sum(p.total for p in self.by_type().values())

    def by_type(self) -> dict[str, TypePlan]:
        """Plans keyed by driftctl's resource type names."""
        return {
            "EC2": self.instances,
            "SECURITY_GROUP": self.security_groups,
            "S3": self.buckets,
            "IAM_ROLE": self.roles,
            "RDS": self.db_instances,
        }

    def expected_drifts(self) -> Counter[tuple[str, str]]:
        """(resource type, drift type) -> how many the scan should report."""
        out: Counter[tuple[str, str]] = Counter()
        for rtype, plan in self.by_type().items():
            out[(rtype, "modified")] = len(plan.modified)
            out[(rtype, "unmanaged")] = plan.unmanaged
        return out


def minimum_calls(plan: EstatePlan, *, moto_bucket_location: bool = True) -> dict[str, int]:
    """The fewest requests a full scan of ``plan`` can make, per ``service:Operation``.

    Every listing at its largest page (DescribeInstances and DescribeSecurityGroups 1,000,
    DescribeDBInstances 100, the two IAM listings 1,000, ListBuckets 10,000), at least one page
    each, plus the five per-bucket settings reads S3 has no batch call for. moto's ListBuckets
    sends no BucketRegion, so each bucket also costs a GetBucketLocation there.
    """

    def pages(items: int, size: int) -> int:
        return max(1, math.ceil(items / size))

    buckets = plan.buckets.total
    # DescribeSecurityGroups also lists the default VPC's own group.
    groups = plan.security_groups.total + 1
    out = {
        "sts:GetCallerIdentity": 1,
        "ec2:DescribeInstances": pages(plan.instances.total, 1000),
        "ec2:DescribeSecurityGroups": pages(groups, 1000),
        "rds:DescribeDBInstances": pages(plan.db_instances.total, 100),
        "iam:GetAccountAuthorizationDetails": pages(plan.roles.total, 1000),
        "iam:ListRoles": pages(plan.roles.total, 1000),
        "s3:ListBuckets": pages(buckets, 10_000),
        "s3:GetBucketVersioning": buckets,
        "s3:GetBucketEncryption": buckets,
        "s3:GetPublicAccessBlock": buckets,
        "s3:GetBucketPolicy": buckets,
        "s3:GetBucketTagging": buckets,
        # Lifecycle, ownership and logging are read for the buckets the state declares only.
        "s3:GetBucketLifecycleConfiguration": plan.buckets.managed,
        "s3:GetBucketOwnershipControls": plan.buckets.managed,
        "s3:GetBucketLogging": plan.buckets.managed,
    }
    if moto_bucket_location:
        out["s3:GetBucketLocation"] = buckets
    return dict(sorted(out.items()))


# -- the moto server ---------------------------------------------------------------------------


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """A ThreadedMotoServer on a free loopback port; yields its URL."""
    from moto.server import ThreadedMotoServer

    # One line per request on stderr would drown the figures.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    with contextlib.redirect_stdout(io.StringIO()):
        server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def speed_up_moto_tags() -> None:
    """Make moto's EC2 tag lookup a dict access instead of a scan of every EC2 tag it holds.

    moto 5 finds each resource's tags by filtering all EC2 tags of the account, so describing N
    tagged resources costs N x (all tags): at 4x one DescribeInstances page takes moto minutes,
    longer than the scanner's 30 s read timeout. The answer is unchanged; only moto's cost is.
    """
    from moto.ec2.models.core import TaggedEC2Resource
    from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE, get_prefix

    def get_tags(self: Any) -> list[dict[str, str]]:
        resource_id = self.id
        tags = self.ec2_backend.tags.get(resource_id) if resource_id else None
        if not tags:
            return []
        resource_type = EC2_PREFIX_TO_RESOURCE.get(get_prefix(resource_id), "")
        return [
            {"resource_id": resource_id, "key": k, "value": v, "resource_type": resource_type}
            for k, v in tags.items()
        ]

    setattr(TaggedEC2Resource, "get_tags", get_tags)  # noqa: B010


def reset_moto(url: str) -> None:
    """Empty every moto backend (they are process-wide, shared by all scales)."""
    request = urllib.request.Request(f"{url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=30):
        pass


def fake_credentials(env: dict[str, str]) -> dict[str, str]:
    """``env`` with fake credentials and region, and no profile that could reach real AWS."""
    out = {k: v for k, v in env.items() if not k.startswith("AWS_")}
    out.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_SESSION_TOKEN="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    return out


# -- building the estate -----------------------------------------------------------------------


@dataclass
class Estate:
    """What was built: the state resources for Terraform, and how long each part took."""

    state_resources: list[dict[str, Any]] = field(default_factory=list)
    build_seconds: dict[str, float] = field(default_factory=dict)
    drift_seconds: float = 0.0
    # Ids of the managed resources, in plan order, for the drift step.
    instance_ids: list[str] = field(default_factory=list)
    group_ids: list[str] = field(default_factory=list)
    bucket_names: list[str] = field(default_factory=list)
    bucket_versioned: list[bool] = field(default_factory=list)
    role_names: list[str] = field(default_factory=list)
    db_ids: list[str] = field(default_factory=list)
    db_classes: list[str] = field(default_factory=list)

    @property
    def build_total(self) -> float:
        return sum(self.build_seconds.values())


def each(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``fn`` over ``items``, one after another.

    Not concurrently: moto's backends are not safe for concurrent writes (two CreateSecurityGroup
    calls at once can fail with "dictionary changed size during iteration").
    """
    return [fn(item) for item in items]


def tf_resource(rtype: str, name: str, instances: list[dict[str, Any]]) -> dict[str, Any]:
    """One resource block of a v4 state; ``count`` instances carry an integer index_key."""
    return {
        "mode": "managed",
        "type": rtype,
        "name": name,
        "provider": PROVIDER,
        "instances": instances,
    }


def tf_instance(
    attributes: dict[str, Any], index: int, dependencies: list[str] | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "index_key": index,
        "schema_version": 1,
        "attributes": attributes,
        "sensitive_attributes": [],
        "private": "bnVsbA==",
    }
    if dependencies:
        out["dependencies"] = dependencies
    return out


def tag_map(tags: Iterable[dict[str, str]] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tags or []}


class Builder:
    """Creates the estate on the moto server and the matching Terraform state entries."""

    def __init__(self, url: str, plan: EstatePlan, instances_per_call: int = 1) -> None:
        self.plan = plan
        self.instances_per_call = instances_per_call
        session = boto3.session.Session(region_name=REGION)
        config = Config(retries={"max_attempts": 2})
        self.ec2: Any = session.client("ec2", endpoint_url=url, config=config)
        self.s3: Any = session.client("s3", endpoint_url=url, config=config)
        self.iam: Any = session.client("iam", endpoint_url=url, config=config)
        self.rds: Any = session.client("rds", endpoint_url=url, config=config)
        self.estate = Estate()
        self.vpc_id = ""

    def build(self) -> Estate:
        """Create the managed resources, in dependency order, timing each type."""
        self.vpc_id = self.ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])[
            "Vpcs"
        ][0]["VpcId"]
        for name, step in (
            ("security_groups", self._security_groups),
            ("instances", self._instances),
            ("buckets", self._buckets),
            ("roles", self._roles),
            ("db_instances", self._db_instances),
        ):
            started = time.perf_counter()
            step()
            self.estate.build_seconds[name] = time.perf_counter() - started
        return self.estate

    # security groups

    def _create_group(self, name: str, tags: dict[str, str]) -> tuple[str, str]:
        group = self.ec2.create_security_group(
            GroupName=name,
            Description=f"{name} service traffic",
            VpcId=self.vpc_id,
            TagSpecifications=[
                {
                    "ResourceType": "security-group",
                    "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
                }
            ],
        )
        self.ec2.authorize_security_group_ingress(
            GroupId=group["GroupId"],
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "internal https"}],
                },
                {
                    "IpProtocol": "tcp",
                    "FromPort": 8080,
                    "ToPort": 8090,
                    "IpRanges": [{"CidrIp": "10.1.0.0/16"}, {"CidrIp": "172.16.0.0/12"}],
                },
            ],
        )
        return group["GroupId"], group.get("SecurityGroupArn", "")

    def _security_groups(self) -> None:
        count = self.plan.security_groups.managed

        def one(i: int) -> dict[str, Any]:
            name = f"bench-svc-{i:05d}"
            tags = {"Name": name, "Env": "bench", "Team": f"team-{i % 7}"}
            group_id, arn = self._create_group(name, tags)
            rule = {
                "description": "",
                "ipv6_cidr_blocks": [],
                "prefix_list_ids": [],
                "protocol": "tcp",
                "security_groups": [],
                "self": False,
            }
            attributes = {
                "arn": arn or f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{group_id}",
                "description": f"{name} service traffic",
                "egress": [
                    {
                        **rule,
                        "cidr_blocks": ["0.0.0.0/0"],
                        "from_port": 0,
                        "to_port": 0,
                        "protocol": "-1",
                    }
                ],
                "id": group_id,
                "ingress": [
                    {
                        **rule,
                        "cidr_blocks": ["10.0.0.0/8"],
                        "description": "internal https",
                        "from_port": 443,
                        "to_port": 443,
                    },
                    {
                        **rule,
                        "cidr_blocks": ["10.1.0.0/16", "172.16.0.0/12"],
                        "from_port": 8080,
                        "to_port": 8090,
                    },
                ],
                "name": name,
                "name_prefix": "",
                "owner_id": ACCOUNT,
                "revoke_rules_on_delete": False,
                "tags": tags,
                "tags_all": tags,
                "timeouts": None,
                "vpc_id": self.vpc_id,
            }
            return attributes

        groups = each(one, range(count))
        self.estate.group_ids = [g["id"] for g in groups]
        self.estate.state_resources.append(
            tf_resource(
                "aws_security_group", "svc", [tf_instance(g, i) for i, g in enumerate(groups)]
            )
        )

    # instances

    def _launch(self, first: int, count: int, fleet: str) -> list[dict[str, Any]]:
        """Launch instances ``first`` .. ``first + count - 1`` as one reservation."""
        groups = self.estate.group_ids
        group = first // FLEET_SIZE
        reservation = self.ec2.run_instances(
            ImageId=AMIS[group % len(AMIS)],
            InstanceType=INSTANCE_TYPES[group % len(INSTANCE_TYPES)],
            MinCount=count,
            MaxCount=count,
            SecurityGroupIds=[groups[first % len(groups)]] if groups else [],
            TagSpecifications=[
                {
                    "ResourceType": "instance",
                    "Tags": [
                        {"Key": "Env", "Value": "bench"},
                        {"Key": "Fleet", "Value": f"{fleet}-{group:03d}"},
                    ],
                }
            ],
        )
        instances: list[dict[str, Any]] = reservation["Instances"]
        return instances

    def _launch_all(self, count: int, fleet: str) -> list[dict[str, Any]]:
        per_call = self.instances_per_call
        launched: list[dict[str, Any]] = []
        for first in range(0, count, per_call):
            launched.extend(self._launch(first, min(per_call, count - first), fleet))
        return launched

    def _instances(self) -> None:
        launched = self._launch_all(self.plan.instances.managed, "fleet")
        state = [self._instance_attributes(inst) for inst in launched]
        self.estate.instance_ids = [a["id"] for a in state]
        self.estate.state_resources.append(
            tf_resource("aws_instance", "fleet", [tf_instance(a, i) for i, a in enumerate(state)])
        )

    @staticmethod
    def _instance_attributes(inst: dict[str, Any]) -> dict[str, Any]:
        instance_id = inst["InstanceId"]
        tags = tag_map(inst.get("Tags"))
        zone = inst.get("Placement", {}).get("AvailabilityZone", f"{REGION}a")
        return {
            "ami": inst["ImageId"],
            "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{instance_id}",
            "associate_public_ip_address": True,
            "availability_zone": zone,
            "cpu_core_count": 1,
            "cpu_threads_per_core": 2,
            "credit_specification": [{"cpu_credits": "unlimited"}],
            "disable_api_termination": False,
            "ebs_block_device": [],
            "ebs_optimized": bool(inst.get("EbsOptimized", False)),
            "get_password_data": False,
            "hibernation": False,
            "iam_instance_profile": "",
            "id": instance_id,
            "instance_state": "running",
            "instance_type": inst["InstanceType"],
            "ipv6_addresses": [],
            "key_name": "",
            "metadata_options": [
                {
                    "http_endpoint": "enabled",
                    "http_put_response_hop_limit": 1,
                    "http_tokens": inst.get("MetadataOptions", {}).get("HttpTokens", "optional"),
                    "instance_metadata_tags": "disabled",
                }
            ],
            "monitoring": inst.get("Monitoring", {}).get("State") == "enabled",
            "primary_network_interface_id": "",
            "private_dns": inst.get("PrivateDnsName", ""),
            "private_ip": inst.get("PrivateIpAddress", ""),
            "public_ip": inst.get("PublicIpAddress", ""),
            "root_block_device": [
                {
                    "delete_on_termination": True,
                    "device_name": "/dev/xvda",
                    "encrypted": False,
                    "volume_size": 8,
                    "volume_type": "gp3",
                }
            ],
            "security_groups": [],
            "source_dest_check": True,
            "subnet_id": inst.get("SubnetId", ""),
            "tags": tags,
            "tags_all": tags,
            "tenancy": "default",
            "timeouts": None,
            "user_data_replace_on_change": False,
            "vpc_security_group_ids": sorted(g["GroupId"] for g in inst.get("SecurityGroups", [])),
        }

    # buckets

    def _create_bucket(self, name: str, i: int) -> dict[str, Any]:
        """One bucket with a few settings; returns what was set."""
        s3 = self.s3
        s3.create_bucket(Bucket=name)
        tags = {"Env": "bench", "Team": f"team-{i % 7}"}
        s3.put_bucket_tagging(
            Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}
        )
        settings: dict[str, Any] = {"tags": tags, "versioned": i % 3 == 0, "blocked": i % 2 == 0}
        if settings["versioned"]:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        if settings["blocked"]:
            s3.put_public_access_block(
                Bucket=name,
                PublicAccessBlockConfiguration={
                    "BlockPublicAcls": True,
                    "IgnorePublicAcls": True,
                    "BlockPublicPolicy": True,
                    "RestrictPublicBuckets": True,
                },
            )
        settings["policy"] = None
        if i % 5 == 0:
            policy = json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "DenyInsecureTransport",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        }
                    ],
                }
            )
            s3.put_bucket_policy(Bucket=name, Policy=policy)
            settings["policy"] = policy
        return settings

    def _buckets(self) -> None:
        count = self.plan.buckets.managed
        names = [f"bench-data-{i:05d}" for i in range(count)]
        settings = each(lambda i: self._create_bucket(names[i], i), range(count))
        buckets, versioning, blocks, policies = [], [], [], []
        for i, (name, s) in enumerate(zip(names, settings, strict=True)):
            depends = [f"aws_s3_bucket.data[{i}]"]
            buckets.append(
                tf_instance(
                    {
                        "acceleration_status": "",
                        "acl": None,
                        "arn": f"arn:aws:s3:::{name}",
                        "bucket": name,
                        "bucket_domain_name": f"{name}.s3.amazonaws.com",
                        "bucket_prefix": "",
                        "bucket_regional_domain_name": f"{name}.s3.{REGION}.amazonaws.com",
                        "cors_rule": [],
                        "force_destroy": False,
                        "hosted_zone_id": "Z3AQBSTGFYJSTF",
                        "id": name,
                        "lifecycle_rule": [],
                        "logging": [],
                        "object_lock_enabled": False,
                        "policy": s["policy"] or "",
                        "region": REGION,
                        "request_payer": "BucketOwner",
                        "server_side_encryption_configuration": [
                            {
                                "rule": [
                                    {
                                        "apply_server_side_encryption_by_default": [
                                            {"kms_master_key_id": "", "sse_algorithm": "AES256"}
                                        ],
                                        "bucket_key_enabled": False,
                                    }
                                ]
                            }
                        ],
                        "tags": s["tags"],
                        "tags_all": s["tags"],
                        "timeouts": None,
                        "versioning": [{"enabled": s["versioned"], "mfa_delete": False}],
                        "website": [],
                    },
                    i,
                )
            )
            if s["versioned"]:
                versioning.append(
                    tf_instance(
                        {
                            "bucket": name,
                            "expected_bucket_owner": "",
                            "id": name,
                            "mfa": None,
                            "versioning_configuration": [{"mfa_delete": "", "status": "Enabled"}],
                        },
                        i,
                        depends,
                    )
                )
            if s["blocked"]:
                blocks.append(
                    tf_instance(
                        {
                            "block_public_acls": True,
                            "block_public_policy": True,
                            "bucket": name,
                            "id": name,
                            "ignore_public_acls": True,
                            "restrict_public_buckets": True,
                        },
                        i,
                        depends,
                    )
                )
            if s["policy"]:
                policies.append(
                    tf_instance({"bucket": name, "id": name, "policy": s["policy"]}, i, depends)
                )
        self.estate.bucket_names = names
        self.estate.bucket_versioned = [s["versioned"] for s in settings]
        self.estate.state_resources.extend(
            [
                tf_resource("aws_s3_bucket", "data", buckets),
                tf_resource("aws_s3_bucket_versioning", "data", versioning),
                tf_resource("aws_s3_bucket_public_access_block", "data", blocks),
                tf_resource("aws_s3_bucket_policy", "data", policies),
            ]
        )

    # roles

    def _roles(self) -> None:
        count = self.plan.roles.managed
        policy_arn = self.iam.create_policy(
            PolicyName="bench-read-config",
            PolicyDocument=json.dumps(INLINE_POLICY),
        )["Policy"]["Arn"]

        def one(i: int) -> dict[str, Any]:
            name = f"bench-role-{i:05d}"
            path = "/service/" if i % 2 else "/"
            tags = {"Env": "bench", "Team": f"team-{i % 7}"}
            role = self.iam.create_role(
                RoleName=name,
                Path=path,
                AssumeRolePolicyDocument=json.dumps(TRUST_POLICY),
                Description=f"Runs service {i}",
                MaxSessionDuration=3600,
                Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
            )["Role"]
            inline = [{"name": "", "policy": ""}]
            if i % 4 == 0:
                self.iam.put_role_policy(
                    RoleName=name,
                    PolicyName="read-config",
                    PolicyDocument=json.dumps(INLINE_POLICY),
                )
                inline = [{"name": "read-config", "policy": json.dumps(INLINE_POLICY)}]
            managed = []
            if i % 3 == 0:
                self.iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
                managed = [policy_arn]
            return {
                "arn": role["Arn"],
                "assume_role_policy": json.dumps(TRUST_POLICY),
                "create_date": role["CreateDate"].strftime("%Y-%m-%dT%H:%M:%SZ"),
                "description": f"Runs service {i}",
                "force_detach_policies": False,
                "id": name,
                "inline_policy": inline,
                "managed_policy_arns": managed,
                "max_session_duration": 3600,
                "name": name,
                "name_prefix": "",
                "path": path,
                "permissions_boundary": "",
                "tags": tags,
                "tags_all": tags,
                "unique_id": role["RoleId"],
            }

        roles = each(one, range(count))
        self.estate.role_names = [r["name"] for r in roles]
        policies = [
            tf_instance(
                {
                    "id": f"{r['name']}:read-config",
                    "name": "read-config",
                    "name_prefix": "",
                    "policy": json.dumps(INLINE_POLICY),
                    "role": r["name"],
                },
                i,
                [f"aws_iam_role.svc[{i}]"],
            )
            for i, r in enumerate(roles)
            if r["inline_policy"][0]["name"]
        ]
        attachments = [
            tf_instance(
                {
                    "id": f"{r['name']}-20240311091245123400000001",
                    "policy_arn": policy_arn,
                    "role": r["name"],
                },
                i,
                [f"aws_iam_role.svc[{i}]"],
            )
            for i, r in enumerate(roles)
            if r["managed_policy_arns"]
        ]
        self.estate.state_resources.extend(
            [
                tf_resource(
                    "aws_iam_role", "svc", [tf_instance(r, i) for i, r in enumerate(roles)]
                ),
                tf_resource("aws_iam_role_policy", "read_config", policies),
                tf_resource("aws_iam_role_policy_attachment", "read_config", attachments),
            ]
        )

    # databases

    def _create_db(self, name: str, i: int) -> dict[str, Any]:
        db: dict[str, Any] = self.rds.create_db_instance(
            DBInstanceIdentifier=name,
            DBInstanceClass=DB_CLASSES[i % len(DB_CLASSES)],
            Engine="postgres",
            EngineVersion="15.4",
            AllocatedStorage=20 + 10 * (i % 5),
            MasterUsername="app_admin",
            MasterUserPassword="bench-password-1",
            MultiAZ=i % 4 == 0,
            StorageEncrypted=i % 2 == 0,
            BackupRetentionPeriod=7,
            Tags=[{"Key": "Env", "Value": "bench"}, {"Key": "Team", "Value": f"team-{i % 7}"}],
        )["DBInstance"]
        return db

    def _db_instances(self) -> None:
        count = self.plan.db_instances.managed
        dbs = each(lambda i: self._create_db(f"bench-db-{i:04d}", i), range(count))
        state = []
        for i, db in enumerate(dbs):
            tags = tag_map(db.get("TagList"))
            identifier = db["DBInstanceIdentifier"]
            state.append(
                tf_instance(
                    {
                        "address": f"{identifier}.c9akciq32.{REGION}.rds.amazonaws.com",
                        "allocated_storage": db["AllocatedStorage"],
                        "arn": db["DBInstanceArn"],
                        "auto_minor_version_upgrade": True,
                        "availability_zone": db.get("AvailabilityZone", f"{REGION}a"),
                        "backup_retention_period": db.get("BackupRetentionPeriod", 0),
                        "db_name": "app",
                        "deletion_protection": bool(db.get("DeletionProtection", False)),
                        "engine": db["Engine"],
                        "engine_version": "15",
                        "engine_version_actual": db["EngineVersion"],
                        "id": db.get("DbiResourceId", identifier),
                        "identifier": identifier,
                        "instance_class": db["DBInstanceClass"],
                        "multi_az": bool(db.get("MultiAZ", False)),
                        "password": "bench-password-1",
                        "port": 5432,
                        "publicly_accessible": bool(db.get("PubliclyAccessible", False)),
                        "skip_final_snapshot": True,
                        "storage_encrypted": bool(db.get("StorageEncrypted", False)),
                        "storage_type": "gp3",
                        "tags": tags,
                        "tags_all": tags,
                        "username": "app_admin",
                    },
                    i,
                )
            )
            # Terraform marks the password sensitive.
            state[-1]["sensitive_attributes"] = [[{"type": "get_attr", "value": "password"}]]
        self.estate.db_ids = [db["DBInstanceIdentifier"] for db in dbs]
        self.estate.db_classes = [db["DBInstanceClass"] for db in dbs]
        self.estate.state_resources.append(tf_resource("aws_db_instance", "app", state))

    # drift

    def drift(self) -> None:
        """Change the planned share of managed resources and add the unmanaged ones."""
        started = time.perf_counter()
        plan, estate = self.plan, self.estate

        def instance(i: int) -> None:
            self.ec2.modify_instance_attribute(
                InstanceId=estate.instance_ids[i], InstanceType={"Value": "m5.2xlarge"}
            )

        def group(i: int) -> None:
            self.ec2.authorize_security_group_ingress(
                GroupId=estate.group_ids[i],
                IpPermissions=[
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 22,
                        "ToPort": 22,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    }
                ],
            )

        def bucket(i: int) -> None:
            status = "Suspended" if estate.bucket_versioned[i] else "Enabled"
            self.s3.put_bucket_versioning(
                Bucket=estate.bucket_names[i], VersioningConfiguration={"Status": status}
            )

        def role(i: int) -> None:
            self.iam.update_role(RoleName=estate.role_names[i], MaxSessionDuration=7200)

        def database(i: int) -> None:
            current = estate.db_classes[i]
            bigger = DB_CLASSES[(DB_CLASSES.index(current) + 1) % len(DB_CLASSES)]
            self.rds.modify_db_instance(
                DBInstanceIdentifier=estate.db_ids[i], DBInstanceClass=bigger, ApplyImmediately=True
            )

        each(instance, sorted(plan.instances.modified))
        each(group, sorted(plan.security_groups.modified))
        each(bucket, sorted(plan.buckets.modified))
        each(role, sorted(plan.roles.modified))
        each(database, sorted(plan.db_instances.modified))

        self._launch_all(plan.instances.unmanaged, "manual")
        each(
            lambda i: self._create_group(f"bench-manual-{i:05d}", {"Env": "manual"}),
            range(plan.security_groups.unmanaged),
        )
        each(
            lambda i: self._create_bucket(f"bench-manual-{i:05d}", i),
            range(plan.buckets.unmanaged),
        )
        each(
            lambda i: self.iam.create_role(
                RoleName=f"bench-manual-{i:05d}", AssumeRolePolicyDocument=json.dumps(TRUST_POLICY)
            ),
            range(plan.roles.unmanaged),
        )
        each(
            lambda i: self._create_db(f"bench-manual-{i:04d}", i),
            range(plan.db_instances.unmanaged),
        )
        estate.drift_seconds = time.perf_counter() - started


def write_state(path: Path, resources: list[dict[str, Any]]) -> None:
    """A Terraform v4 state file holding ``resources``."""
    document = {
        "version": 4,
        "terraform_version": "1.7.5",
        "serial": 1,
        "lineage": "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b",
        "outputs": {},
        "resources": [r for r in resources if r["instances"]],
        "check_results": None,
    }
    path.write_text(json.dumps(document), encoding="utf-8")


# -- running the scan --------------------------------------------------------------------------

# Runs a command and reports its own rusage. The scan is started from this small process, not
# from the benchmark: on Linux a child's ru_maxrss starts at the high-water mark of the process
# it was forked from (exec keeps it), and the benchmark holds the whole moto estate.
_MEASURE = """
import json, os, subprocess, sys, time
out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
started = time.perf_counter()
with open(out, "wb") as o, open(err, "wb") as e:
    proc = subprocess.Popen(cmd, stdout=o, stderr=e)
    _, status, usage = os.wait4(proc.pid, 0)
print(json.dumps({
    "wall": time.perf_counter() - started,
    "exit_code": os.waitstatus_to_exitcode(status),
    "cpu": usage.ru_utime + usage.ru_stime,
    "peak_mb": usage.ru_maxrss / 1024,
}))
"""


@dataclass
class ScanRun:
    """One ``driftctl scan`` process: its cost, its API calls and what it found."""

    wall: float
    cpu: float  # the scan process's user + system time
    server_cpu: float  # moto's CPU time over the same interval (all its threads)
    peak_mb: float
    exit_code: int
    api_calls: dict[str, int] = field(default_factory=dict)
    found: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[Any] = field(default_factory=list)

    @property
    def calls(self) -> int:
        return sum(self.api_calls.values())


def child_env(url: str, workdir: Path) -> dict[str, str]:
    """The environment of every scan process: the moto endpoint, and no user config or cache."""
    env = fake_credentials(dict(os.environ))
    env.update(
        AWS_ENDPOINT_URL=url,
        XDG_CONFIG_HOME=str(workdir / "config"),
        XDG_CACHE_HOME=str(workdir / "cache"),
        XDG_DATA_HOME=str(workdir / "data"),
        NO_COLOR="1",
    )
    for name in ("DRIFTCTL_DATABASE_URL", "DRIFTCTL_CONFIG", "DRIFTCTL_TOKEN"):
        env.pop(name, None)
    return env


def run_scan_process(url: str, state: Path, workdir: Path, *, store: bool, label: str) -> ScanRun:
    """Run ``python -m driftctl scan`` once and measure it; its JSON output stays in workdir."""
    db_url = f"sqlite:///{workdir / 'bench.db'}"
    scan = [sys.executable, "-m", "driftctl", "--db", db_url, "-o", "json", "scan"]
    scan += ["--from", str(state), "--region", REGION, "--fail-on", "never"]
    if not store:
        scan.append("--no-store")
    out_path, err_path = workdir / f"{label}.json", workdir / f"{label}.stderr"
    cmd = [sys.executable, "-c", _MEASURE, str(out_path), str(err_path), *scan]
    # This process is idle meanwhile: its CPU time is moto's, serving the scan.
    cpu_before = time.process_time()
    done = subprocess.run(
        cmd, env=child_env(url, workdir), cwd=workdir, capture_output=True, text=True, check=True
    )
    server_cpu = time.process_time() - cpu_before
    run = ScanRun(server_cpu=server_cpu, **json.loads(done.stdout))
    try:
        result = json.loads(out_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        tail = err_path.read_text(encoding="utf-8", errors="replace")[-2000:]
        print(f"  ! {label}: exit {run.exit_code}, no JSON on stdout\n{tail}", file=sys.stderr)
        return run
    scan_info = result.get("scan", {})
    run.api_calls = dict(scan_info.get("api_calls", {}))
    run.errors = list(scan_info.get("errors", []))
    run.found = Counter((d["resource_type"], d["drift_type"]) for d in result.get("drifts", []))
    return run


# -- in-process probes: S3 concurrency, where the time goes (each in its own process) ----------


@dataclass
class OperationTime:
    """The requests of one operation in a probe: how many, and where their time went."""

    calls: int = 0
    # From sending the request to having the whole response body: moto (or AWS) and the wire.
    waiting: float = 0.0
    # botocore on the scanner's side: building and signing the request, parsing the response.
    client: float = 0.0


@dataclass
class Probe:
    """One in-process scan through ``run_scan`` with every request timed by botocore hooks."""

    types: list[str]
    workers: int
    rtt_ms: float
    wall: float
    bucket_calls: int
    max_overlap: int
    threads: int
    # Sum of the per-bucket calls' durations: what one thread would need for them.
    busy: float
    # From the first call's start to the last call's end.
    read_span: float = 0.0
    operations: dict[str, OperationTime] = field(default_factory=dict)

    @property
    def mean_overlap(self) -> float:
        return self.busy / self.wall if self.wall else 0.0

    def to_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["operations"] = {k: v.__dict__ for k, v in self.operations.items()}
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Probe:
        ops = {k: OperationTime(**v) for k, v in data.pop("operations").items()}
        return cls(**data, operations=ops)


def max_overlap(intervals: Sequence[tuple[float, float]]) -> int:
    """The most intervals open at one instant (one ending as another starts do not overlap)."""
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    best = current = 0
    for _, step in events:
        current += step
        best = max(best, current)
    return best


class _Recorder:
    """botocore hooks timing every call: start, request sent, response body received, done."""

    def __init__(self, rtt_ms: float) -> None:
        self.rtt = rtt_ms / 1000
        self.local = threading.local()
        self.lock = threading.Lock()
        # (operation, thread id, start, sent, body received, end)
        self.calls: list[tuple[str, int, float, float, float, float]] = []

    def attach(self, session: boto3.session.Session) -> None:
        """Register the hooks on a session before it creates clients."""
        events = session.events
        events.register("before-call", self.before_call)
        events.register("before-send", self.before_send)
        events.register("before-parse", self.before_parse)
        events.register("after-call", self.after_call)

    def before_call(self, **_: Any) -> None:
        now = time.perf_counter()
        self.local.start = self.local.sent = self.local.received = now

    def before_send(self, **_: Any) -> None:
        self.local.sent = time.perf_counter()
        if self.rtt:
            # Stands in for the round trip to AWS that a loopback moto server does not have.
            time.sleep(self.rtt)

    def before_parse(self, **_: Any) -> None:
        self.local.received = time.perf_counter()

    def after_call(self, event_name: str, **_: Any) -> None:
        now = time.perf_counter()
        service, operation = event_name.split(".")[1:3]
        local = self.local
        record = (
            f"{service}:{operation}",
            threading.get_ident(),
            local.start,
            local.sent,
            local.received,
            now,
        )
        with self.lock:
            self.calls.append(record)


def probe(state: Path, types: list[str], workers: int, rtt_ms: float) -> Probe:
    """Scan ``types`` through ``run_scan`` (no store) with ``max_workers=workers``, timing calls.

    ``rtt_ms`` adds that much sleep before every request is sent.
    """
    from driftctl.services.scanning import ScanOptions, run_scan

    recorder = _Recorder(rtt_ms)

    def factory() -> boto3.session.Session:
        session = boto3.session.Session(region_name=REGION)
        recorder.attach(session)
        return session

    options = ScanOptions(
        sources=[str(state)],
        regions=[REGION],
        resource_types=types,
        fail_on="never",
        store=False,
        session_factory=factory,
        max_workers=workers,
        cwd=state.parent,
    )
    started = time.perf_counter()
    run_scan(None, options)
    wall = time.perf_counter() - started
    operations: dict[str, OperationTime] = {}
    for op, _, start, sent, received, end in recorder.calls:
        stats = operations.setdefault(op, OperationTime())
        stats.calls += 1
        stats.waiting += received - sent
        stats.client += (sent - start) + (end - received)
    bucket = [(c[2], c[5]) for c in recorder.calls if c[0][3:] in BUCKET_OPERATIONS]
    return Probe(
        types=types,
        workers=workers,
        rtt_ms=rtt_ms,
        wall=wall,
        bucket_calls=len(bucket),
        max_overlap=max_overlap(bucket),
        threads=len({c[1] for c in recorder.calls if c[0][3:] in BUCKET_OPERATIONS}),
        busy=sum(e - s for s, e in bucket),
        read_span=(
            max(c[5] for c in recorder.calls) - min(c[2] for c in recorder.calls)
            if recorder.calls
            else 0.0
        ),
        operations=dict(sorted(operations.items())),
    )


def run_probe_process(
    url: str, state: Path, workdir: Path, types: list[str], workers: int, rtt_ms: float
) -> Probe:
    """Run ``probe`` in a child process, so that it does not share moto's interpreter lock."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--probe", str(state)]
    cmd += ["--types", ",".join(types), "--workers", str(workers), "--rtt-ms", str(rtt_ms)]
    done = subprocess.run(
        cmd, env=child_env(url, workdir), cwd=workdir, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"probe failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return Probe.from_json(json.loads(done.stdout.strip().splitlines()[-1]))


# -- one scale, end to end ---------------------------------------------------------------------

ALL_TYPES = ["EC2", "SECURITY_GROUP", "S3", "RDS", "IAM_ROLE"]


@dataclass
class Row:
    """The figures of one scale for the summary table."""

    plan: EstatePlan
    build: float
    store: ScanRun
    rescan: ScanRun
    no_store: ScanRun
    minimum: dict[str, int]

    @property
    def minimum_total(self) -> int:
        return sum(self.minimum.values())


@dataclass(frozen=True)
class Settings:
    """The command-line options that shape every scale's run."""

    workdir: Path
    rtt_ms: float
    probes: bool
    instances_per_call: int


def run_scale(url: str, scale: float, settings: Settings) -> Row:
    """Build the estate for ``scale``, write its state, drift it, scan it; print the details."""
    plan = EstatePlan.for_scale(scale)
    workdir, rtt_ms = settings.workdir, settings.rtt_ms
    reset_moto(url)
    sizes = ", ".join(f"{p.total} {t}" for t, p in plan.by_type().items())
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n== scale {scale:g}: {plan.resources} resources ({sizes})")
    # Other work on the machine slows moto and the scan alike; CPU seconds are steadier.
    print(f"load average: {load} on {os.cpu_count()} CPUs", flush=True)

    builder = Builder(url, plan, settings.instances_per_call)
    estate = builder.build()
    state = workdir / "bench.tfstate"
    write_state(state, estate.state_resources)
    builder.drift()
    parts = ", ".join(f"{k} {v:.1f}s" for k, v in estate.build_seconds.items())
    print(f"built in {estate.build_total:.1f}s ({parts}); drift {estate.drift_seconds:.1f}s")
    print(f"state file: {state.stat().st_size / 1e6:.1f} MB", flush=True)

    (workdir / "bench.db").unlink(missing_ok=True)
    store = run_scan_process(url, state, workdir, store=True, label="scan-store")
    rescan = run_scan_process(url, state, workdir, store=True, label="scan-store-again")
    no_store = run_scan_process(url, state, workdir, store=False, label="scan-no-store")
    for label, run in (("store", store), ("store again", rescan), ("no-store", no_store)):
        print(
            f"scan ({label}): {run.wall:.1f}s wall, driftctl CPU {run.cpu:.1f}s, "
            f"moto CPU {run.server_cpu:.1f}s, peak RSS {run.peak_mb:.0f} MB, "
            f"exit {run.exit_code}, {run.calls} API calls, {len(run.errors)} read errors",
            flush=True,
        )
    minimum = minimum_calls(plan)
    print_calls(no_store.api_calls, minimum)
    print_drift_check(plan.expected_drifts(), no_store.found, store.found)

    if settings.probes:
        full = run_probe_process(url, state, workdir, ALL_TYPES, 8, 0.0)
        print_breakdown(full)
        runs = [(8, 0.0), (1, 0.0)]
        if rtt_ms > 0:
            runs += [(8, rtt_ms), (1, rtt_ms)]
        s3 = [run_probe_process(url, state, workdir, ["S3"], w, r) for w, r in runs]
        print_concurrency(s3)
    return Row(plan, estate.build_total, store, rescan, no_store, minimum)


def print_calls(actual: dict[str, int], minimum: dict[str, int]) -> None:
    print("API calls of the no-store scan, per operation:")
    print(f"  {'operation':38} {'calls':>7} {'minimum':>8} {'ratio':>6}")
    for op in sorted(set(actual) | set(minimum)):
        got, least = actual.get(op, 0), minimum.get(op, 0)
        ratio = f"{got / least:.2f}" if least else "-"
        print(f"  {op:38} {got:7d} {least:8d} {ratio:>6}")
    total, least = sum(actual.values()), sum(minimum.values())
    print(f"  {'total':38} {total:7d} {least:8d} {total / least:6.3f}")
    for op, why in MOTO_PAGING.items():
        if actual.get(op, 0) < minimum.get(op, 0):
            print(f"  {op} below the AWS minimum: {why}")


def print_drift_check(
    expected: Counter[tuple[str, str]],
    found: Counter[tuple[str, str]],
    found_store: Counter[tuple[str, str]],
) -> None:
    keys = sorted(set(expected) | set(found) | set(found_store))
    wrong = [k for k in keys if expected[k] != found[k] or expected[k] != found_store[k]]
    detail = ", ".join(f"{t} {d} {found[(t, d)]}" for t, d in keys if found[(t, d)])
    verdict = "as made" if not wrong else "MISMATCH"
    print(f"drifts found: {sum(found.values())} ({detail}); {verdict}")
    for key in wrong:
        made, seen, stored = expected[key], found[key], found_store[key]
        print(f"  ! {key[0]} {key[1]}: made {made}, found {seen} (no-store) / {stored} (store)")


def print_breakdown(p: Probe) -> None:
    print(
        f"where the time goes (full scan in-process, {p.workers} workers, {p.wall:.1f}s wall, "
        f"{p.read_span:.1f}s of it reading AWS, {p.wall - p.read_span:.1f}s reading the state, "
        "comparing and pricing; per-call seconds are summed, concurrent calls overlap):"
    )
    print(f"  {'operation':38} {'calls':>6} {'moto+wire s':>11} {'botocore s':>10}")
    for op, t in p.operations.items():
        print(f"  {op:38} {t.calls:6d} {t.waiting:11.2f} {t.client:10.2f}")
    waiting = sum(t.waiting for t in p.operations.values())
    client = sum(t.client for t in p.operations.values())
    calls = sum(t.calls for t in p.operations.values())
    print(f"  {'total':38} {calls:6d} {waiting:11.2f} {client:10.2f}")


def print_concurrency(probes: list[Probe]) -> None:
    print("S3 per-bucket calls (S3-only scan in-process, botocore before/after-call hooks):")
    print(
        f"  {'workers':>7} {'rtt ms':>6} {'wall s':>7} {'calls':>6} {'max in flight':>13} "
        f"{'mean in flight':>14} {'threads':>7}"
    )
    for p in probes:
        print(
            f"  {p.workers:7d} {p.rtt_ms:6.0f} {p.wall:7.2f} {p.bucket_calls:6d} "
            f"{p.max_overlap:13d} {p.mean_overlap:14.2f} {p.threads:7d}"
        )
    for rtt in sorted({p.rtt_ms for p in probes}):
        by_workers = {p.workers: p for p in probes if p.rtt_ms == rtt}
        if 1 in by_workers and 8 in by_workers:
            speedup = by_workers[1].wall / by_workers[8].wall
            print(f"  rtt {rtt:.0f} ms: 8 workers finish {speedup:.1f}x faster than 1")


def print_table(rows: list[Row]) -> None:
    header = (
        f"{'scale':>5} {'resources':>9} {'build s':>7} {'scan s':>6} {'again s':>7} "
        f"{'no-store s':>10} {'ms/res':>6} {'CPU s':>5} {'moto CPU s':>10} {'peak MB':>7} "
        f"{'API calls':>9} {'minimum':>7} {'ratio':>5} {'drifts':>6} {'made':>5}"
    )
    print("\n" + header)
    print("-" * len(header))
    for r in rows:
        resources, ns = r.plan.resources, r.no_store
        peak = max(r.store.peak_mb, r.rescan.peak_mb, ns.peak_mb)
        print(
            f"{r.plan.scale:5g} {resources:9d} {r.build:7.1f} {r.store.wall:6.1f} "
            f"{r.rescan.wall:7.1f} {ns.wall:10.1f} {1000 * ns.wall / resources:6.2f} "
            f"{ns.cpu:5.1f} {ns.server_cpu:10.1f} {peak:7.0f} {ns.calls:9d} "
            f"{r.minimum_total:7d} {ns.calls / r.minimum_total:5.2f} "
            f"{sum(ns.found.values()):6d} {sum(r.plan.expected_drifts().values()):5d}"
        )
    print(
        "scan s / again s: recording into an empty / an already filled SQLite database. "
        "no-store s, ms/res (per resource),\nCPU s (driftctl's user+system), moto CPU s, "
        "API calls: the --no-store scan. peak MB: the largest peak RSS of the three scans.\n"
        "drifts: found by the no-store scan; made: made by the benchmark."
    )


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run every scale, print the summary table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--scale",
        type=float,
        action="append",
        help="estate size relative to 2,000 instances, 500 groups, ... (repeatable; default 1)",
    )
    parser.add_argument(
        "--rtt-ms",
        type=float,
        default=10.0,
        help="simulated network round trip in the S3 concurrency probe (0: leave that part out)",
    )
    parser.add_argument("--no-probe", action="store_true", help="skip the in-process probes")
    parser.add_argument(
        "--instances-per-call",
        type=int,
        default=1,
        help="instances per run_instances call (default 1: moto pages DescribeInstances by "
        "reservation, so only single-instance reservations give AWS's 1,000-instance pages)",
    )
    parser.add_argument(
        "--stock-moto",
        action="store_true",
        help="leave moto's EC2 tag lookup as it is (quadratic: 4x then exceeds read timeouts)",
    )
    parser.add_argument("--workdir", type=Path, help="keep the state, outputs and DB here")
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--types", default="S3", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=8, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.probe is not None:
        result = probe(args.probe, args.types.split(","), args.workers, args.rtt_ms)
        print(json.dumps(result.to_json()))
        return 0

    for name in [k for k in os.environ if k.startswith("AWS_")]:
        del os.environ[name]
    os.environ.update(fake_credentials({}))
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="driftctl-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    settings = Settings(workdir, args.rtt_ms, not args.no_probe, max(1, args.instances_per_call))
    if not args.stock_moto:
        speed_up_moto_tags()
    rows = []
    try:
        with moto_server() as url:
            for scale in args.scale or [1.0]:
                rows.append(run_scale(url, scale, settings))
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
