"""The emulated AWS account behind ``driftctl demo``: a small web application, then some drift.

The estate is the bundled Terraform state ``examples/demo/terraform.tfstate`` applied to an
in-process emulated AWS account (moto): every resource of the state is created with boto3 as
Terraform would have created it, so a scan right afterwards finds no drift. The emulator picks
its own ids (instances, security groups, subnets...), so the state is copied with its ids
rewritten to the emulator's. Then a handful of changes are made "by hand", one or more of every
drift kind, and listed in ``DemoEstate.injected`` so the demo can say what it changed.

Usage (nothing here touches the network or real credentials)::

    with demo_environment(), demo_mock():
        session = boto3.session.Session(region_name=DEMO_REGION)
        estate = build_demo_estate(session, workdir)
        # scan with ScanPlan(regions=[estate.region], session_factory=lambda: session)

``demo_mock()`` must be the emulation in use: it loads AWS's managed policies
(``ReadOnlyAccess``, ``AdministratorAccess``), which the state and one injected drift attach.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from driftctl.domain import DriftType, ResourceType
from driftctl.errors import InternalError, ValidationError

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ec2.literals import InstanceTypeType, ResourceTypeType
    from mypy_boto3_ec2.type_defs import (
        FilterTypeDef,
        IpPermissionTypeDef,
        TagSpecificationTypeDef,
    )
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_rds import RDSClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.literals import BucketLocationConstraintType, BucketVersioningStatusType
    from mypy_boto3_s3.type_defs import ServerSideEncryptionByDefaultTypeDef

DEMO_REGION = "us-east-1"
# moto's default account; the bundled state is written for it.
DEMO_ACCOUNT_ID = "123456789012"
STATE_FILENAME = "terraform.tfstate"
# The resource types the demo scans.
DEMO_RESOURCE_TYPES: tuple[str, ...] = tuple(t.value for t in ResourceType)

READ_ONLY_POLICY_ARN = "arn:aws:iam::aws:policy/ReadOnlyAccess"
ADMIN_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"

# Addresses in the bundled state that the injected drifts act on.
WEB_0 = "module.app.aws_instance.web[0]"
BASTION = "aws_instance.bastion"
WEB_SECURITY_GROUP = "module.app.aws_security_group.web"
WEB_ROLE = "module.app.aws_iam_role.web"
ASSETS_BUCKET = "aws_s3_bucket.assets"
LOGS_BUCKET = "aws_s3_bucket.access_logs"
DATABASE = "aws_db_instance.main"
PUBLIC_SUBNET = "aws_subnet.public"

# What was made by hand in the console, outside Terraform.
CONSOLE_BUCKET = "acme-webapp-export-tmp"
CONSOLE_INSTANCE_NAME = "debug-jdoe"
CONSOLE_SECURITY_GROUP = "launch-wizard-1"
CONSOLE_TAGS = {"CreatedBy": "console"}
CONSOLE_INSTANCE_TYPE = "t3.medium"
RESIZED_TO = "t3.large"
NEW_OWNER = "security-team"

_FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
# Variables that could point boto3 at a real account, profile or endpoint.
_UNSET_VARS = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_SECURITY_TOKEN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
)

# The driftctl resource id of each compared Terraform type, by attribute.
_ID_ATTRIBUTE = {
    "aws_instance": "id",
    "aws_security_group": "id",
    "aws_s3_bucket": "bucket",
    "aws_db_instance": "identifier",
    "aws_iam_role": "name",
}
_WORLD = "0.0.0.0/0"
_PUBLIC_ACCESS_BLOCK_FLAGS = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)
# The egress rule AWS gives every new group: everything to anywhere.
_DEFAULT_EGRESS = {"protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]}


class InjectedDrift(NamedTuple):
    """One change made behind Terraform's back, and the drift it should produce."""

    resource_type: str
    resource_id: str
    drift_type: DriftType
    description: str


@dataclass
class DemoEstate:
    """The emulated account after the build: where its state is, and what was changed."""

    state_path: Path
    region: str
    account_id: str
    injected: list[InjectedDrift] = field(default_factory=list)
    # Terraform address -> driftctl resource id in the emulated account, for the compared types.
    resource_ids: dict[str, str] = field(default_factory=dict)


def demo_mock() -> AbstractContextManager[Any]:
    """The moto emulation the demo needs (AWS-managed IAM policies loaded); not yet started."""
    from moto import mock_aws

    mock: AbstractContextManager[Any] = mock_aws(
        config={"iam": {"load_aws_managed_policies": True}}
    )
    return mock


@contextmanager
def demo_environment() -> Iterator[None]:
    """Fake AWS credentials and region, no profile or custom endpoint; restored afterwards."""
    touched = [
        *_FAKE_CREDENTIALS,
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_EC2_METADATA_DISABLED",
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        *_UNSET_VARS,
        *(name for name in os.environ if name.startswith("AWS_ENDPOINT_URL_")),
    ]
    saved = {name: os.environ.get(name) for name in touched}
    try:
        for name in touched:
            os.environ.pop(name, None)
        os.environ.update(_FAKE_CREDENTIALS)
        os.environ["AWS_DEFAULT_REGION"] = DEMO_REGION
        os.environ["AWS_REGION"] = DEMO_REGION
        # The user's ~/.aws files may name endpoints or regions: the demo reads neither.
        os.environ["AWS_CONFIG_FILE"] = os.devnull
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
        os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
        os.environ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def bundled_state_path() -> Path:
    """The demo's Terraform state shipped with driftctl; raises InternalError if it is missing."""
    candidates = [
        # Installed wheel: examples/ is packaged as driftctl/_examples.
        Path(str(resources.files("driftctl"))) / "_examples" / "demo" / STATE_FILENAME,
        # Source checkout.
        Path(__file__).resolve().parent.parent / "examples" / "demo" / STATE_FILENAME,
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise InternalError("the demo's Terraform state is missing from this installation")


def build_demo_estate(
    session: boto3.session.Session, workdir: Path, *, inject: bool = True
) -> DemoEstate:
    """Build the demo estate in the active emulation, write its state to ``workdir``, add drift.

    Must run inside a fresh ``demo_mock()``; ``inject=False`` stops before any drift is made.
    Raises InternalError when no emulation (or one without AWS-managed policies) is active or
    the emulator refuses a call, ValidationError when ``workdir`` cannot be written.
    """
    text = bundled_state_path().read_text(encoding="utf-8")
    try:
        builder = _Builder(session)
        builder.check_emulation()
        builder.apply(json.loads(text))
        rewritten = _rewrite_ids(text, builder.ids)
        doc = json.loads(rewritten)
        state_path = _write_state(workdir, rewritten)
        estate = DemoEstate(
            state_path=state_path,
            region=DEMO_REGION,
            account_id=DEMO_ACCOUNT_ID,
            resource_ids=_resource_ids(doc),
        )
        if inject:
            estate.injected = builder.inject(estate.resource_ids, doc)
    except (BotoCoreError, ClientError) as exc:
        raise InternalError(f"building the demo estate failed: {_reason(exc)}") from None
    return estate


def _write_state(workdir: Path, text: str) -> Path:
    path = workdir / STATE_FILENAME
    try:
        workdir.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ValidationError(
            f"cannot write the demo state to {path}: {exc.strerror or exc}"
        ) from None
    return path


def _reason(exc: BotoCoreError | ClientError) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        operation = getattr(exc, "operation_name", "")
        return f"{operation}: {error.get('Code', 'ClientError')}"
    return type(exc).__name__


def _rewrite_ids(text: str, ids: Mapping[str, str]) -> str:
    """Replace each state id by the emulator's, as whole tokens (inside ARNs and lists too)."""
    changed = {old: new for old, new in ids.items() if old and old != new}
    if not changed:
        return text
    alternatives = "|".join(re.escape(old) for old in sorted(changed, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")
    return pattern.sub(lambda match: changed[match.group(0)], text)


def _address(resource: Mapping[str, Any], instance: Mapping[str, Any]) -> str:
    module = resource.get("module")
    prefix = f"{module}." if module else ""
    index = instance.get("index_key")
    suffix = ""
    if isinstance(index, int):
        suffix = f"[{index}]"
    elif isinstance(index, str):
        suffix = f"[{json.dumps(index)}]"
    return f"{prefix}{resource['type']}.{resource['name']}{suffix}"


def _instances(doc: Mapping[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(Terraform type, address, attributes) of every managed resource instance of a state."""
    for resource in doc.get("resources", []):
        if resource.get("mode") != "managed":
            continue
        for instance in resource.get("instances", []):
            yield resource["type"], _address(resource, instance), instance["attributes"]


def _resource_ids(doc: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for rtype, address, attrs in _instances(doc):
        id_attribute = _ID_ATTRIBUTE.get(rtype)
        if id_attribute:
            out[address] = str(attrs[id_attribute])
    return out


def _id_kind(value: str) -> str:
    """``sg`` for ``sg-0abc``, ``AROA`` for an IAM role id: what an id must keep when rewritten."""
    prefix, dash, _ = value.partition("-")
    return prefix if dash else value[:4]


def _tag_list(tags: Mapping[str, str] | None) -> list[Any]:
    # Any: each service's stubs declare their own (identical) Tag TypedDict.
    return [{"Key": k, "Value": v} for k, v in sorted((tags or {}).items())]


def _tags_of(attrs: Mapping[str, Any]) -> dict[str, str]:
    # tags_all holds the provider's default_tags as well: that is what AWS has.
    return dict(attrs.get("tags_all") or attrs.get("tags") or {})


class _Builder:
    """Creates a state's resources in the emulator and remembers the ids it handed out."""

    def __init__(self, session: boto3.session.Session) -> None:
        self.ec2: EC2Client = session.client("ec2", region_name=DEMO_REGION)
        self.s3: S3Client = session.client("s3", region_name=DEMO_REGION)
        self.rds: RDSClient = session.client("rds", region_name=DEMO_REGION)
        self.iam: IAMClient = session.client("iam", region_name=DEMO_REGION)
        self._session = session
        # id in the bundled state -> id the emulator gave the same thing.
        self.ids: dict[str, str] = {}
        self._pending_rules: list[tuple[str, dict[str, Any]]] = []

    def _remember(self, state_id: str, emulated_id: str) -> None:
        # The emulator makes up a few ids of its own shape ("default" DHCP options, lower-case
        # instance profile ids): those keep the state's realistic value, which no scan reads.
        if _id_kind(state_id) == _id_kind(emulated_id):
            self.ids[state_id] = emulated_id

    def _id(self, state_id: str) -> str:
        return self.ids.get(state_id, state_id)

    def check_emulation(self) -> None:
        """Refuse to build anywhere but in demo_mock()'s emulated account."""
        sts = self._session.client("sts", region_name=DEMO_REGION)
        account = sts.get_caller_identity().get("Account")
        if account != DEMO_ACCOUNT_ID:
            raise InternalError("the demo estate is only built in the emulated AWS account")
        try:
            self.iam.get_policy(PolicyArn=READ_ONLY_POLICY_ARN)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "NoSuchEntity":
                raise
            raise InternalError(
                "the AWS emulation lacks AWS-managed IAM policies: start it with demo_mock()"
            ) from None

    def apply(self, doc: Mapping[str, Any]) -> None:
        """Create every managed resource of the state, dependencies first."""
        steps: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
            ("aws_vpc", self._vpc),
            ("aws_subnet", self._subnet),
            ("aws_security_group", self._security_group),
            ("aws_vpc_security_group_ingress_rule", self._rule("ingress")),
            ("aws_vpc_security_group_egress_rule", self._rule("egress")),
            ("aws_iam_role", self._role),
            ("aws_iam_role_policy", self._role_policy),
            ("aws_iam_role_policy_attachment", self._role_policy_attachment),
            ("aws_iam_instance_profile", self._instance_profile),
            ("aws_s3_bucket", self._bucket),
            ("aws_s3_bucket_versioning", self._bucket_versioning),
            ("aws_s3_bucket_server_side_encryption_configuration", self._bucket_encryption),
            ("aws_s3_bucket_public_access_block", self._bucket_public_access_block),
            ("aws_s3_bucket_policy", self._bucket_policy),
            ("aws_db_subnet_group", self._db_subnet_group),
            ("aws_db_instance", self._db_instance),
            ("aws_instance", self._instance),
        ]
        known = {rtype for rtype, _ in steps}
        by_type: dict[str, list[dict[str, Any]]] = {}
        for rtype, address, attrs in _instances(doc):
            if rtype not in known:
                raise InternalError(f"the demo cannot build {address}: unsupported type")
            by_type.setdefault(rtype, []).append(attrs)
        for rtype, create in steps:
            for attrs in by_type.get(rtype, []):
                create(attrs)
            if rtype == "aws_security_group":
                # Inline rules may name other groups: add them once every group exists.
                self._apply_inline_rules()

    # -- network ---------------------------------------------------------------------------

    def _vpc(self, attrs: dict[str, Any]) -> None:
        vpc = self.ec2.create_vpc(
            CidrBlock=attrs["cidr_block"],
            InstanceTenancy=attrs.get("instance_tenancy") or "default",
            TagSpecifications=self._tag_spec("vpc", attrs),
        )["Vpc"]
        vpc_id = vpc["VpcId"]
        self._remember(attrs["id"], vpc_id)
        if "DhcpOptionsId" in vpc and attrs.get("dhcp_options_id"):
            self._remember(attrs["dhcp_options_id"], vpc["DhcpOptionsId"])
        in_vpc: list[FilterTypeDef] = [{"Name": "vpc-id", "Values": [vpc_id]}]
        groups = self.ec2.describe_security_groups(
            Filters=[*in_vpc, {"Name": "group-name", "Values": ["default"]}]
        )["SecurityGroups"]
        if groups and attrs.get("default_security_group_id"):
            self._remember(attrs["default_security_group_id"], groups[0]["GroupId"])
        tables = self.ec2.describe_route_tables(
            Filters=[*in_vpc, {"Name": "association.main", "Values": ["true"]}]
        )["RouteTables"]
        if tables and attrs.get("main_route_table_id"):
            self._remember(attrs["main_route_table_id"], tables[0]["RouteTableId"])
        acls = self.ec2.describe_network_acls(
            Filters=[*in_vpc, {"Name": "default", "Values": ["true"]}]
        )["NetworkAcls"]
        if acls and attrs.get("default_network_acl_id"):
            self._remember(attrs["default_network_acl_id"], acls[0]["NetworkAclId"])

    def _subnet(self, attrs: dict[str, Any]) -> None:
        subnet = self.ec2.create_subnet(
            VpcId=self._id(attrs["vpc_id"]),
            CidrBlock=attrs["cidr_block"],
            AvailabilityZone=attrs["availability_zone"],
            TagSpecifications=self._tag_spec("subnet", attrs),
        )["Subnet"]
        self._remember(attrs["id"], subnet["SubnetId"])

    def _security_group(self, attrs: dict[str, Any]) -> None:
        group_id = self.ec2.create_security_group(
            GroupName=attrs["name"],
            Description=attrs["description"],
            VpcId=self._id(attrs["vpc_id"]),
            TagSpecifications=self._tag_spec("security-group", attrs),
        )["GroupId"]
        self._remember(attrs["id"], group_id)
        self._pending_rules.append((attrs["id"], attrs))

    def _apply_inline_rules(self) -> None:
        for state_id, attrs in self._pending_rules:
            group_id = self._id(state_id)
            ingress = [self._block_permission(b, group_id) for b in attrs.get("ingress") or []]
            if ingress:
                self.ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=ingress)
            egress = attrs.get("egress") or []
            if [self._egress_shape(b) for b in egress] == [_DEFAULT_EGRESS]:
                continue  # AWS already gave the group exactly this rule
            self.ec2.revoke_security_group_egress(
                GroupId=group_id,
                IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            )
            permissions = [self._block_permission(b, group_id) for b in egress]
            if permissions:
                self.ec2.authorize_security_group_egress(
                    GroupId=group_id, IpPermissions=permissions
                )
        self._pending_rules.clear()

    @staticmethod
    def _egress_shape(block: Mapping[str, Any]) -> dict[str, Any]:
        shape: dict[str, Any] = {"protocol": str(block.get("protocol"))}
        for name in ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "security_groups"):
            if block.get(name):
                shape[name] = list(block[name])
        if block.get("self"):
            shape["self"] = True
        return shape

    def _block_permission(self, block: Mapping[str, Any], group_id: str) -> IpPermissionTypeDef:
        """An inline ``ingress``/``egress`` block of aws_security_group as an IpPermission."""
        groups = [self._id(g) for g in block.get("security_groups") or []]
        if block.get("self"):
            groups.append(group_id)
        return _permission(
            protocol=str(block["protocol"]),
            from_port=block.get("from_port"),
            to_port=block.get("to_port"),
            cidrs=block.get("cidr_blocks") or [],
            ipv6_cidrs=block.get("ipv6_cidr_blocks") or [],
            prefix_lists=block.get("prefix_list_ids") or [],
            groups=groups,
            description=block.get("description") or "",
        )

    def _rule(self, direction: str) -> Callable[[dict[str, Any]], None]:
        def create(attrs: dict[str, Any]) -> None:
            group_id = self._id(attrs["security_group_id"])
            referenced = attrs.get("referenced_security_group_id")
            permission = _permission(
                protocol=str(attrs["ip_protocol"]),
                from_port=attrs.get("from_port"),
                to_port=attrs.get("to_port"),
                cidrs=[attrs["cidr_ipv4"]] if attrs.get("cidr_ipv4") else [],
                ipv6_cidrs=[attrs["cidr_ipv6"]] if attrs.get("cidr_ipv6") else [],
                prefix_lists=[attrs["prefix_list_id"]] if attrs.get("prefix_list_id") else [],
                groups=[self._id(referenced)] if referenced else [],
                description=attrs.get("description") or "",
            )
            tag_spec = self._tag_spec("security-group-rule", attrs)
            if direction == "ingress":
                response = self.ec2.authorize_security_group_ingress(
                    GroupId=group_id, IpPermissions=[permission], TagSpecifications=tag_spec
                )
            else:
                response = self.ec2.authorize_security_group_egress(
                    GroupId=group_id, IpPermissions=[permission], TagSpecifications=tag_spec
                )
            rules = response.get("SecurityGroupRules", [])
            if rules and "SecurityGroupRuleId" in rules[0]:
                self._remember(attrs["id"], rules[0]["SecurityGroupRuleId"])

        return create

    # -- IAM -------------------------------------------------------------------------------

    def _role(self, attrs: dict[str, Any]) -> None:
        extra: dict[str, Any] = {}
        if attrs.get("description"):
            extra["Description"] = attrs["description"]
        if attrs.get("permissions_boundary"):
            extra["PermissionsBoundary"] = attrs["permissions_boundary"]
        role = self.iam.create_role(
            RoleName=attrs["name"],
            Path=attrs.get("path") or "/",
            AssumeRolePolicyDocument=attrs["assume_role_policy"],
            MaxSessionDuration=int(attrs.get("max_session_duration") or 3600),
            Tags=_tag_list(_tags_of(attrs)),
            **extra,
        )["Role"]
        if attrs.get("unique_id"):
            self._remember(attrs["unique_id"], role["RoleId"])

    def _role_policy(self, attrs: dict[str, Any]) -> None:
        self.iam.put_role_policy(
            RoleName=attrs["role"], PolicyName=attrs["name"], PolicyDocument=attrs["policy"]
        )

    def _role_policy_attachment(self, attrs: dict[str, Any]) -> None:
        self.iam.attach_role_policy(RoleName=attrs["role"], PolicyArn=attrs["policy_arn"])

    def _instance_profile(self, attrs: dict[str, Any]) -> None:
        profile = self.iam.create_instance_profile(
            InstanceProfileName=attrs["name"],
            Path=attrs.get("path") or "/",
            Tags=_tag_list(_tags_of(attrs)),
        )["InstanceProfile"]
        if attrs.get("unique_id"):
            self._remember(attrs["unique_id"], profile["InstanceProfileId"])
        if attrs.get("role"):
            self.iam.add_role_to_instance_profile(
                InstanceProfileName=attrs["name"], RoleName=attrs["role"]
            )

    # -- S3 --------------------------------------------------------------------------------

    def _bucket(self, attrs: dict[str, Any]) -> None:
        name = attrs["bucket"]
        region = attrs.get("region") or DEMO_REGION
        if region == "us-east-1":
            self.s3.create_bucket(Bucket=name)
        else:
            self.s3.create_bucket(
                Bucket=name,
                CreateBucketConfiguration={
                    "LocationConstraint": cast("BucketLocationConstraintType", region)
                },
            )
        tags = _tags_of(attrs)
        if tags:
            self.s3.put_bucket_tagging(
                Bucket=name,
                Tagging={"TagSet": _tag_list(tags)},
            )
        # Provider 3-style inline settings; the split resources, applied later, override them.
        versioning = (attrs.get("versioning") or [{}])[0]
        if versioning.get("enabled"):
            self._put_versioning(name, "Enabled")
        sse = (attrs.get("server_side_encryption_configuration") or [{}])[0]
        rule = (sse.get("rule") or [{}])[0]
        default = (rule.get("apply_server_side_encryption_by_default") or [{}])[0]
        algorithm = default.get("sse_algorithm")
        if algorithm and (algorithm != "AES256" or default.get("kms_master_key_id")):
            self._put_encryption(name, rule)
        if attrs.get("policy"):
            self.s3.put_bucket_policy(Bucket=name, Policy=attrs["policy"])

    def _put_versioning(self, bucket: str, status: str) -> None:
        self.s3.put_bucket_versioning(
            Bucket=bucket,
            VersioningConfiguration={"Status": cast("BucketVersioningStatusType", status)},
        )

    def _put_encryption(self, bucket: str, rule: Mapping[str, Any]) -> None:
        default = (rule.get("apply_server_side_encryption_by_default") or [{}])[0]
        by_default: ServerSideEncryptionByDefaultTypeDef = {
            "SSEAlgorithm": default["sse_algorithm"]
        }
        if default.get("kms_master_key_id"):
            by_default["KMSMasterKeyID"] = default["kms_master_key_id"]
        self.s3.put_bucket_encryption(
            Bucket=bucket,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {
                        "ApplyServerSideEncryptionByDefault": by_default,
                        "BucketKeyEnabled": bool(rule.get("bucket_key_enabled")),
                    }
                ]
            },
        )

    def _bucket_versioning(self, attrs: dict[str, Any]) -> None:
        status = attrs["versioning_configuration"][0]["status"]
        # "Disabled" is Terraform's word for "never enabled": there is nothing to send.
        if status != "Disabled":
            self._put_versioning(attrs["bucket"], status)

    def _bucket_encryption(self, attrs: dict[str, Any]) -> None:
        self._put_encryption(attrs["bucket"], attrs["rule"][0])

    def _bucket_public_access_block(self, attrs: dict[str, Any]) -> None:
        self.s3.put_public_access_block(
            Bucket=attrs["bucket"],
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": bool(attrs.get("block_public_acls")),
                "BlockPublicPolicy": bool(attrs.get("block_public_policy")),
                "IgnorePublicAcls": bool(attrs.get("ignore_public_acls")),
                "RestrictPublicBuckets": bool(attrs.get("restrict_public_buckets")),
            },
        )

    def _bucket_policy(self, attrs: dict[str, Any]) -> None:
        self.s3.put_bucket_policy(Bucket=attrs["bucket"], Policy=attrs["policy"])

    # -- RDS -------------------------------------------------------------------------------

    def _db_subnet_group(self, attrs: dict[str, Any]) -> None:
        self.rds.create_db_subnet_group(
            DBSubnetGroupName=attrs["name"],
            DBSubnetGroupDescription=attrs.get("description") or attrs["name"],
            SubnetIds=[self._id(s) for s in attrs["subnet_ids"]],
            Tags=_tag_list(_tags_of(attrs)),
        )

    def _db_instance(self, attrs: dict[str, Any]) -> None:
        extra: dict[str, Any] = {}
        for key, name in (
            ("db_name", "DBName"),
            ("db_subnet_group_name", "DBSubnetGroupName"),
            ("backup_window", "PreferredBackupWindow"),
            ("maintenance_window", "PreferredMaintenanceWindow"),
            ("storage_type", "StorageType"),
            ("availability_zone", "AvailabilityZone"),
        ):
            if attrs.get(key):
                extra[name] = attrs[key]
        db = self.rds.create_db_instance(
            DBInstanceIdentifier=attrs["identifier"],
            DBInstanceClass=attrs["instance_class"],
            Engine=attrs["engine"],
            EngineVersion=attrs.get("engine_version_actual") or attrs["engine_version"],
            AllocatedStorage=int(attrs["allocated_storage"]),
            MasterUsername=attrs["username"],
            # The state's password is never read: the emulator gets a throwaway one.
            MasterUserPassword=secrets.token_urlsafe(24),
            VpcSecurityGroupIds=[self._id(g) for g in attrs.get("vpc_security_group_ids") or []],
            Port=int(attrs.get("port") or 5432),
            MultiAZ=bool(attrs.get("multi_az")),
            PubliclyAccessible=bool(attrs.get("publicly_accessible")),
            StorageEncrypted=bool(attrs.get("storage_encrypted")),
            DeletionProtection=bool(attrs.get("deletion_protection")),
            BackupRetentionPeriod=int(attrs.get("backup_retention_period") or 0),
            CopyTagsToSnapshot=bool(attrs.get("copy_tags_to_snapshot")),
            AutoMinorVersionUpgrade=bool(attrs.get("auto_minor_version_upgrade")),
            Tags=_tag_list(_tags_of(attrs)),
            **extra,
        )["DBInstance"]
        if attrs.get("resource_id") and "DbiResourceId" in db:
            self._remember(attrs["resource_id"], db["DbiResourceId"])

    # -- EC2 instances ---------------------------------------------------------------------

    def _instance(self, attrs: dict[str, Any]) -> None:
        extra: dict[str, Any] = {}
        if attrs.get("iam_instance_profile"):
            extra["IamInstanceProfile"] = {"Name": attrs["iam_instance_profile"]}
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
        instance = self.ec2.run_instances(
            ImageId=attrs["ami"],
            InstanceType=attrs["instance_type"],
            MinCount=1,
            MaxCount=1,
            SubnetId=self._id(attrs["subnet_id"]),
            SecurityGroupIds=[self._id(g) for g in attrs.get("vpc_security_group_ids") or []],
            Monitoring={"Enabled": bool(attrs.get("monitoring"))},
            EbsOptimized=bool(attrs.get("ebs_optimized")),
            TagSpecifications=self._tag_spec("instance", attrs),
            **extra,
        )["Instances"][0]
        self._remember(attrs["id"], instance["InstanceId"])
        interfaces = instance.get("NetworkInterfaces", [])
        if interfaces and attrs.get("primary_network_interface_id"):
            self._remember(
                attrs["primary_network_interface_id"], interfaces[0]["NetworkInterfaceId"]
            )
        volumes = [m["Ebs"]["VolumeId"] for m in instance.get("BlockDeviceMappings", [])]
        root = (attrs.get("root_block_device") or [{}])[0]
        if volumes and root.get("volume_id"):
            self._remember(root["volume_id"], volumes[0])

    @staticmethod
    def _tag_spec(resource_type: str, attrs: Mapping[str, Any]) -> list[TagSpecificationTypeDef]:
        tags = _tags_of(attrs)
        if not tags:
            return []
        spec: TagSpecificationTypeDef = {
            "ResourceType": cast("ResourceTypeType", resource_type),
            "Tags": _tag_list(tags),
        }
        return [spec]

    # -- the drift -------------------------------------------------------------------------

    def inject(self, ids: Mapping[str, str], doc: Mapping[str, Any]) -> list[InjectedDrift]:
        """Change the estate behind Terraform's back; return what was changed."""
        attrs = {address: a for _, address, a in _instances(doc)}
        injected: list[InjectedDrift] = []

        def made(rtype: ResourceType, rid: str, kind: DriftType, what: str) -> None:
            injected.append(InjectedDrift(rtype.value, rid, kind, what))

        def name_of(address: str) -> str:
            return _tags_of(attrs[address]).get("Name") or ids[address]

        web_0 = ids[WEB_0]
        self.ec2.modify_instance_attribute(InstanceId=web_0, InstanceType={"Value": RESIZED_TO})
        made(
            ResourceType.EC2,
            web_0,
            DriftType.MODIFIED,
            f"resized instance {name_of(WEB_0)} from {attrs[WEB_0]['instance_type']} "
            f"to {RESIZED_TO}",
        )

        bastion = ids[BASTION]
        old_owner = _tags_of(attrs[BASTION]).get("Owner", "")
        self.ec2.create_tags(Resources=[bastion], Tags=[{"Key": "Owner", "Value": NEW_OWNER}])
        made(
            ResourceType.EC2,
            bastion,
            DriftType.MODIFIED,
            f"changed tag Owner of instance {name_of(BASTION)} from {old_owner} to {NEW_OWNER}",
        )

        web_sg = ids[WEB_SECURITY_GROUP]
        self.ec2.authorize_security_group_ingress(
            GroupId=web_sg,
            IpPermissions=[_permission("tcp", 22, 22, cidrs=[_WORLD], description="debug")],
        )
        made(
            ResourceType.SECURITY_GROUP,
            web_sg,
            DriftType.MODIFIED,
            f"opened SSH (tcp/22) to {_WORLD} in security group "
            f"{attrs[WEB_SECURITY_GROUP]['name']}",
        )

        assets = ids[ASSETS_BUCKET]
        self._put_versioning(assets, "Suspended")
        made(
            ResourceType.S3, assets, DriftType.MODIFIED, f"suspended versioning of bucket {assets}"
        )

        database = ids[DATABASE]
        self.rds.modify_db_instance(
            DBInstanceIdentifier=database, PubliclyAccessible=True, ApplyImmediately=True
        )
        made(
            ResourceType.RDS,
            database,
            DriftType.MODIFIED,
            f"made database {database} publicly accessible",
        )

        web_role = ids[WEB_ROLE]
        self.iam.attach_role_policy(RoleName=web_role, PolicyArn=ADMIN_POLICY_ARN)
        made(
            ResourceType.IAM_ROLE,
            web_role,
            DriftType.MODIFIED,
            f"attached AdministratorAccess to role {web_role}",
        )

        logs = ids[LOGS_BUCKET]
        self.s3.delete_bucket(Bucket=logs)
        made(ResourceType.S3, logs, DriftType.MISSING, f"deleted bucket {logs}")

        self.s3.create_bucket(Bucket=CONSOLE_BUCKET)
        # AWS has blocked public access on new buckets by default since April 2023.
        self._bucket_public_access_block(
            {"bucket": CONSOLE_BUCKET, **dict.fromkeys(_PUBLIC_ACCESS_BLOCK_FLAGS, True)}
        )
        self.s3.put_bucket_tagging(
            Bucket=CONSOLE_BUCKET, Tagging={"TagSet": _tag_list(CONSOLE_TAGS)}
        )
        made(
            ResourceType.S3,
            CONSOLE_BUCKET,
            DriftType.UNMANAGED,
            f"created bucket {CONSOLE_BUCKET} in the console",
        )

        # What the console's launch wizard does by default: a new group with SSH from anywhere.
        wizard_sg = self.ec2.create_security_group(
            GroupName=CONSOLE_SECURITY_GROUP,
            Description=f"{CONSOLE_SECURITY_GROUP} created 2024-05-02T14:11:05.318Z",
            VpcId=attrs[PUBLIC_SUBNET]["vpc_id"],
        )["GroupId"]
        self.ec2.authorize_security_group_ingress(
            GroupId=wizard_sg, IpPermissions=[_permission("tcp", 22, 22, cidrs=[_WORLD])]
        )
        made(
            ResourceType.SECURITY_GROUP,
            wizard_sg,
            DriftType.UNMANAGED,
            f"created security group {CONSOLE_SECURITY_GROUP} (SSH from {_WORLD}) in the console",
        )

        console_instance = self.ec2.run_instances(
            ImageId=attrs[WEB_0]["ami"],
            InstanceType=cast("InstanceTypeType", CONSOLE_INSTANCE_TYPE),
            MinCount=1,
            MaxCount=1,
            SubnetId=attrs[PUBLIC_SUBNET]["id"],
            SecurityGroupIds=[wizard_sg],
            TagSpecifications=[
                {
                    "ResourceType": "instance",
                    "Tags": _tag_list({"Name": CONSOLE_INSTANCE_NAME, **CONSOLE_TAGS}),
                }
            ],
        )["Instances"][0]["InstanceId"]
        made(
            ResourceType.EC2,
            console_instance,
            DriftType.UNMANAGED,
            f"launched instance {CONSOLE_INSTANCE_NAME} ({CONSOLE_INSTANCE_TYPE}) in the console",
        )
        return injected


def _permission(
    protocol: str,
    from_port: Any,
    to_port: Any,
    *,
    cidrs: list[str] | None = None,
    ipv6_cidrs: list[str] | None = None,
    prefix_lists: list[str] | None = None,
    groups: list[str] | None = None,
    description: str = "",
) -> IpPermissionTypeDef:
    """One EC2 IpPermission; every peer carries the rule's description, as Terraform sends it."""
    described: dict[str, str] = {"Description": description} if description else {}
    permission: dict[str, Any] = {"IpProtocol": protocol}
    if protocol not in ("-1", "all"):
        permission["FromPort"] = int(from_port)
        permission["ToPort"] = int(to_port)
    if cidrs:
        permission["IpRanges"] = [{"CidrIp": c, **described} for c in cidrs]
    if ipv6_cidrs:
        permission["Ipv6Ranges"] = [{"CidrIpv6": c, **described} for c in ipv6_cidrs]
    if prefix_lists:
        permission["PrefixListIds"] = [{"PrefixListId": p, **described} for p in prefix_lists]
    if groups:
        permission["UserIdGroupPairs"] = [{"GroupId": g, **described} for g in groups]
    return permission  # type: ignore[return-value]
