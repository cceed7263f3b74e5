"""The normalised resource model shared by the IaC readers, the AWS scanner and the comparer.

Both sides of a comparison describe a resource with the same canonical attribute dictionary, so
the comparer never needs to know where a value came from. The canonical form per type:

EC2 (resource_id = instance id ``i-…``)
    instance_type: str, ami: str, subnet_id: str,
    vpc_security_group_ids: list[str] (sorted), iam_instance_profile: str | None (profile *name*),
    monitoring: bool, ebs_optimized: bool, metadata_options: {"http_tokens": str},
    tags: dict[str, str]
SECURITY_GROUP (resource_id = ``sg-…``)
    name: str, description: str, vpc_id: str,
    ingress: list[str], egress: list[str]  (sorted rule keys, see ``normalize.rule_keys``),
    tags: dict[str, str]
S3 (resource_id = bucket name)
    versioning: "Enabled" | "Suspended" | "Disabled",
    server_side_encryption: {"sse_algorithm": str, "kms_master_key_id": str | None},
    public_access_block: {"block_public_acls": bool, "block_public_policy": bool,
                          "ignore_public_acls": bool, "restrict_public_buckets": bool},
    policy: dict | None (``normalize.policy``), tags: dict[str, str]
RDS (resource_id = DB instance identifier)
    instance_class: str, engine: str, engine_version: str, allocated_storage: int,
    multi_az: bool, publicly_accessible: bool, storage_encrypted: bool,
    deletion_protection: bool, backup_retention_period: int, tags: dict[str, str]
IAM_ROLE (resource_id = role name, region = ``global``)
    assume_role_policy: dict (``normalize.policy``), managed_policy_arns: list[str] (sorted),
    inline_policies: dict[str, dict] (name -> normalised policy), max_session_duration: int,
    path: str, description: str | None, tags: dict[str, str]

The expected side carries only the keys its source actually sets: a key that is absent (or None)
means "IaC does not manage this", and the comparer ignores it. Values marked sensitive are the
string ``SENSITIVE`` and are never compared, stored or printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SENSITIVE = "(sensitive)"


@dataclass(frozen=True, order=True)
class ResourceKey:
    """Identifies one resource across both sides of a comparison."""

    resource_type: str
    resource_id: str


@dataclass
class ExpectedResource:
    """A resource as Infrastructure-as-Code declares it."""

    resource_type: str
    resource_id: str
    attributes: dict[str, Any]
    region: str | None = None  # None: not known from the state (the scan's region is used)
    account_id: str | None = None
    # Where it was declared, e.g. "prod.tfstate#module.web.aws_instance.app[0]". Several when two
    # state files claim the same resource.
    sources: list[str] = field(default_factory=list)

    @property
    def key(self) -> ResourceKey:
        return ResourceKey(self.resource_type, self.resource_id)


@dataclass
class ActualResource:
    """A resource as AWS reports it."""

    resource_type: str
    resource_id: str
    region: str
    attributes: dict[str, Any]
    account_id: str | None = None
    # AWS-created defaults (default VPC's security group, ...): never reported as unmanaged.
    is_default: bool = False

    @property
    def key(self) -> ResourceKey:
        return ResourceKey(self.resource_type, self.resource_id)
