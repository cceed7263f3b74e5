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
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from driftctl.domain import DriftType
from driftctl.errors import InternalError, ValidationError
from driftctl.types import registry
from driftctl.types.build import (
    BuildContext,
    build_state,
    instances,
    resource_ids,
    rewrite_ids,
    tag_list,
    tags_of,
)
from driftctl.types.s3 import put_public_access_block
from driftctl.types.security_group import permission

DEMO_REGION = "us-east-1"
# moto's default account; the bundled state is written for it.
DEMO_ACCOUNT_ID = "123456789012"
STATE_FILENAME = "terraform.tfstate"
# The resource types the demo scans: every registered one.
DEMO_RESOURCE_TYPES: tuple[str, ...] = registry.names()

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

_WORLD = "0.0.0.0/0"
_PUBLIC_ACCESS_BLOCK_FLAGS = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)


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
        ctx = BuildContext(session, DEMO_REGION)
        check_emulation(ctx)
        try:
            build_state(ctx, json.loads(text))
        except KeyError as exc:
            raise InternalError(f"the demo cannot build the bundled state: {exc}") from None
        rewritten = _new_lineage(rewrite_ids(text, ctx.ids))
        doc = json.loads(rewritten)
        state_path = _write_state(workdir, rewritten)
        estate = DemoEstate(
            state_path=state_path,
            region=DEMO_REGION,
            account_id=DEMO_ACCOUNT_ID,
            resource_ids=resource_ids(doc),
        )
        if inject:
            estate.injected = inject_drift(ctx, estate.resource_ids, doc)
    except (BotoCoreError, ClientError) as exc:
        raise InternalError(f"building the demo estate failed: {_reason(exc)}") from None
    return estate


def _new_lineage(text: str) -> str:
    """The state with a lineage of its own: each demo run is a new account, and its drifts must
    not be taken for (and resolve) an earlier run's."""
    import re
    import uuid

    return re.sub(r'"lineage":\s*"[^"]*"', f'"lineage": "{uuid.uuid4()}"', text, count=1)


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


def check_emulation(ctx: BuildContext) -> None:
    """Refuse to build anywhere but in demo_mock()'s emulated account."""
    account = ctx.client("sts").get_caller_identity().get("Account")
    if account != DEMO_ACCOUNT_ID:
        raise InternalError("the demo estate is only built in the emulated AWS account")
    try:
        ctx.client("iam").get_policy(PolicyArn=READ_ONLY_POLICY_ARN)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "NoSuchEntity":
            raise
        raise InternalError(
            "the AWS emulation lacks AWS-managed IAM policies: start it with demo_mock()"
        ) from None


def inject_drift(
    ctx: BuildContext, ids: Mapping[str, str], doc: Mapping[str, Any]
) -> list[InjectedDrift]:
    """Change the estate behind Terraform's back; return what was changed."""
    ec2, s3 = ctx.client("ec2"), ctx.client("s3")
    rds, iam = ctx.client("rds"), ctx.client("iam")
    attrs = {address: a for _, address, a in instances(doc)}
    injected: list[InjectedDrift] = []

    def made(rtype: str, rid: str, kind: DriftType, what: str) -> None:
        injected.append(InjectedDrift(rtype, rid, kind, what))

    def name_of(address: str) -> str:
        return tags_of(attrs[address]).get("Name") or ids[address]

    web_0 = ids[WEB_0]
    ec2.modify_instance_attribute(InstanceId=web_0, InstanceType={"Value": RESIZED_TO})
    made(
        "EC2",
        web_0,
        DriftType.MODIFIED,
        f"resized instance {name_of(WEB_0)} from {attrs[WEB_0]['instance_type']} to {RESIZED_TO}",
    )

    bastion = ids[BASTION]
    old_owner = tags_of(attrs[BASTION]).get("Owner", "")
    ec2.create_tags(Resources=[bastion], Tags=[{"Key": "Owner", "Value": NEW_OWNER}])
    made(
        "EC2",
        bastion,
        DriftType.MODIFIED,
        f"changed tag Owner of instance {name_of(BASTION)} from {old_owner} to {NEW_OWNER}",
    )

    web_sg = ids[WEB_SECURITY_GROUP]
    ec2.authorize_security_group_ingress(
        GroupId=web_sg,
        IpPermissions=[permission("tcp", 22, 22, cidrs=[_WORLD], description="debug")],
    )
    made(
        "SECURITY_GROUP",
        web_sg,
        DriftType.MODIFIED,
        f"opened SSH (tcp/22) to {_WORLD} in security group {attrs[WEB_SECURITY_GROUP]['name']}",
    )

    assets = ids[ASSETS_BUCKET]
    s3.put_bucket_versioning(Bucket=assets, VersioningConfiguration={"Status": "Suspended"})
    made("S3", assets, DriftType.MODIFIED, f"suspended versioning of bucket {assets}")

    database = ids[DATABASE]
    rds.modify_db_instance(
        DBInstanceIdentifier=database, PubliclyAccessible=True, ApplyImmediately=True
    )
    made(
        "RDS",
        database,
        DriftType.MODIFIED,
        f"made database {database} publicly accessible",
    )

    web_role = ids[WEB_ROLE]
    iam.attach_role_policy(RoleName=web_role, PolicyArn=ADMIN_POLICY_ARN)
    made(
        "IAM_ROLE",
        web_role,
        DriftType.MODIFIED,
        f"attached AdministratorAccess to role {web_role}",
    )

    logs = ids[LOGS_BUCKET]
    s3.delete_bucket(Bucket=logs)
    made("S3", logs, DriftType.MISSING, f"deleted bucket {logs}")

    s3.create_bucket(Bucket=CONSOLE_BUCKET)
    # AWS has blocked public access on new buckets by default since April 2023.
    put_public_access_block(
        ctx, {"bucket": CONSOLE_BUCKET, **dict.fromkeys(_PUBLIC_ACCESS_BLOCK_FLAGS, True)}
    )
    s3.put_bucket_tagging(Bucket=CONSOLE_BUCKET, Tagging={"TagSet": tag_list(CONSOLE_TAGS)})
    made(
        "S3",
        CONSOLE_BUCKET,
        DriftType.UNMANAGED,
        f"created bucket {CONSOLE_BUCKET} in the console",
    )

    # What the console's launch wizard does by default: a new group with SSH from anywhere.
    wizard_sg = ec2.create_security_group(
        GroupName=CONSOLE_SECURITY_GROUP,
        Description=f"{CONSOLE_SECURITY_GROUP} created 2024-05-02T14:11:05.318Z",
        VpcId=attrs[PUBLIC_SUBNET]["vpc_id"],
    )["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=wizard_sg, IpPermissions=[permission("tcp", 22, 22, cidrs=[_WORLD])]
    )
    made(
        "SECURITY_GROUP",
        wizard_sg,
        DriftType.UNMANAGED,
        f"created security group {CONSOLE_SECURITY_GROUP} (SSH from {_WORLD}) in the console",
    )

    console_instance = ec2.run_instances(
        ImageId=attrs[WEB_0]["ami"],
        InstanceType=CONSOLE_INSTANCE_TYPE,
        MinCount=1,
        MaxCount=1,
        SubnetId=attrs[PUBLIC_SUBNET]["id"],
        SecurityGroupIds=[wizard_sg],
        TagSpecifications=[
            {
                "ResourceType": "instance",
                "Tags": tag_list({"Name": CONSOLE_INSTANCE_NAME, **CONSOLE_TAGS}),
            }
        ],
    )["Instances"][0]["InstanceId"]
    made(
        "EC2",
        console_instance,
        DriftType.UNMANAGED,
        f"launched instance {CONSOLE_INSTANCE_NAME} ({CONSOLE_INSTANCE_TYPE}) in the console",
    )
    return injected
