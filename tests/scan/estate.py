"""A small AWS estate built with boto3 (in-process moto or a moto server) and its Terraform states.

One instance, one security group, one bucket (with split versioning), one DB instance and one
role. Ids come from whatever moto hands out; ``Estate.state_docs`` writes states matching what was
built. ``drift`` / ``undo_drift`` apply and revert a fixed set of changes idempotently, so a test
says which world it needs instead of depending on test order.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import botocore.loaders
import botocore.session
from botocore.exceptions import ClientError

from tests.iac.conftest import StateFactory

if TYPE_CHECKING:
    from driftctl.services.scanning import ScanOptions, ScanOutcome

REGION = "us-east-1"
ACCOUNT = "123456789012"
AMI = "ami-0c02fb55956c7d316"
STATE_BUCKET = "estate-tfstate"
BUCKET = "estate-assets"
UNMANAGED_BUCKET = "estate-shadow-copy"
DB = "estate-db"
ROLE = "estate-role"
WORLD = "0.0.0.0/0"
SSH_WORLD = f"ingress[tcp:22:{WORLD}]"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
BLOCK_ALL = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


@functools.cache
def fake_session() -> boto3.session.Session:
    """A boto3 session with fake credentials in the estate's region.

    Shared: a session caches the service models its clients load (~250 ms each otherwise).
    """
    return boto3.session.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        aws_session_token="testing",
        region_name=REGION,
    )


@functools.cache
def _service_models() -> botocore.loaders.Loader:
    return botocore.loaders.create_loader()


def scan_session() -> boto3.session.Session:
    """A fresh session (its own event hooks, so its own API-call counts) for one scan.

    It shares one loader of service models with every other: building a client otherwise
    re-reads its model from disk (~250 ms), several times per scan.
    """
    core = botocore.session.get_session()
    loader = _service_models()
    core.register_component("data_loader", loader)
    session = boto3.session.Session(botocore_session=core, region_name=REGION)
    # boto3 appends its own data directory to the loader on every session.
    loader.search_paths[:] = list(dict.fromkeys(loader.search_paths))
    return session


def hooked_scan_session(
    *,
    hooks: Sequence[tuple[str, Callable[..., Any]]] = (),
    first_hooks: Sequence[tuple[str, Callable[..., Any]]] = (),
) -> Callable[[], boto3.session.Session]:
    """A ScanOptions.session_factory whose sessions carry botocore event hooks.

    ``first_hooks`` run before moto's own ``before-send`` handler, so a response they return
    is the one botocore uses.
    """

    def factory() -> boto3.session.Session:
        session = scan_session()
        for event_name, hook in hooks:
            session.events.register(event_name, hook)
        for event_name, hook in first_hooks:
            session.events.register_first(event_name, hook)
        return session

    return factory


@dataclass
class Estate:
    """The emulated account's resources and the states that declare them."""

    session: boto3.session.Session = field(default_factory=fake_session)
    endpoint: str | None = None  # None: in-process moto (mock_aws)
    instance_id: str = ""
    group_id: str = ""
    vpc_id: str = ""
    subnet_id: str = ""
    _clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        """A cached boto3 client of ``service`` talking to the emulated account."""
        if service not in self._clients:
            session: Any = self.session  # boto3-stubs only type literal service names
            self._clients[service] = session.client(service, endpoint_url=self.endpoint)
        return self._clients[service]

    # -- building ----------------------------------------------------------------------------

    def build(self) -> Estate:
        """Create the five resources and the state-backend bucket."""
        ec2 = self.client("ec2")
        self.vpc_id = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
        self.subnet_id = ec2.describe_subnets(
            Filters=[{"Name": "vpc-id", "Values": [self.vpc_id]}]
        )["Subnets"][0]["SubnetId"]
        self.group_id = ec2.create_security_group(
            GroupName="web", Description="web tier", VpcId=self.vpc_id
        )["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=self.group_id, IpPermissions=[_tcp(443, "10.0.0.0/8")]
        )
        self.instance_id = ec2.run_instances(
            ImageId=AMI,
            InstanceType="t3.micro",
            MinCount=1,
            MaxCount=1,
            SubnetId=self.subnet_id,
            SecurityGroupIds=[self.group_id],
            TagSpecifications=[
                {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]}
            ],
        )["Instances"][0]["InstanceId"]
        s3 = self.client("s3")
        for bucket in (STATE_BUCKET, BUCKET):
            s3.create_bucket(Bucket=bucket)
            s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=BLOCK_ALL)
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        self.client("rds").create_db_instance(
            DBInstanceIdentifier=DB,
            DBInstanceClass="db.t3.micro",
            Engine="postgres",
            EngineVersion="15.4",
            AllocatedStorage=20,
            BackupRetentionPeriod=7,
            MasterUsername="app",
            MasterUserPassword="not-a-real-password",
            Tags=[{"Key": "Team", "Value": "data"}],
        )
        self.client("iam").create_role(
            RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(TRUST), Path="/"
        )
        return self

    def state_docs(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """Two v4 states (network, data) declaring the estate exactly as it was built."""
        network = StateFactory.doc(
            StateFactory.resource(
                "aws_security_group",
                "web",
                {
                    "id": self.group_id,
                    "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{self.group_id}",
                    "name": "web",
                    "name_prefix": "",
                    "description": "web tier",
                    "vpc_id": self.vpc_id,
                    "owner_id": ACCOUNT,
                    "revoke_rules_on_delete": False,
                    "ingress": [_rule_block("tcp", 443, ["10.0.0.0/8"])],
                    "egress": [_rule_block("-1", 0, [WORLD])],
                    "tags": {},
                    "tags_all": {},
                    "timeouts": None,
                },
            ),
            StateFactory.instance(
                self.instance_id,
                name="web",
                attributes={
                    "ami": AMI,
                    "instance_type": "t3.micro",
                    "subnet_id": self.subnet_id,
                    "vpc_security_group_ids": [self.group_id],
                    "security_groups": [],
                    "iam_instance_profile": "",
                    "monitoring": False,
                    "ebs_optimized": False,
                    "metadata_options": [
                        {
                            "http_endpoint": "enabled",
                            "http_put_response_hop_limit": 1,
                            "http_tokens": "optional",
                            "instance_metadata_tags": "disabled",
                        }
                    ],
                },
            ),
        )
        network["resources"][1]["instances"][0]["dependencies"] = ["aws_security_group.web"]
        data = StateFactory.doc(
            StateFactory.resource(
                "aws_s3_bucket",
                "assets",
                {
                    "id": BUCKET,
                    "bucket": BUCKET,
                    "arn": f"arn:aws:s3:::{BUCKET}",
                    "region": REGION,
                    "force_destroy": False,
                    "object_lock_enabled": False,
                    "tags": {},
                    "tags_all": {},
                },
            ),
            StateFactory.resource(
                "aws_s3_bucket_versioning",
                "assets",
                {
                    "id": BUCKET,
                    "bucket": BUCKET,
                    "expected_bucket_owner": "",
                    "mfa": None,
                    "versioning_configuration": [{"mfa_delete": "", "status": "Enabled"}],
                },
            ),
            StateFactory.resource(
                "aws_db_instance",
                "main",
                {
                    "id": "db-ESTATE0000000000000000001",
                    "identifier": DB,
                    "arn": f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{DB}",
                    "instance_class": "db.t3.micro",
                    "engine": "postgres",
                    "engine_version": "15",
                    "engine_version_actual": "15.4",
                    "allocated_storage": 20,
                    "multi_az": False,
                    "publicly_accessible": False,
                    "storage_encrypted": False,
                    "deletion_protection": False,
                    "backup_retention_period": 7,
                    "username": "app",
                    "password": "not-a-real-password",
                    "tags": {"Team": "data"},
                    "tags_all": {"Team": "data"},
                },
                sensitive=[[{"type": "get_attr", "value": "password"}]],
            ),
            StateFactory.resource(
                "aws_iam_role",
                "app",
                {
                    "id": ROLE,
                    "name": ROLE,
                    "arn": f"arn:aws:iam::{ACCOUNT}:role/{ROLE}",
                    "assume_role_policy": json.dumps(TRUST),
                    "description": "",
                    "force_detach_policies": False,
                    "inline_policy": [{"name": "", "policy": ""}],
                    "managed_policy_arns": [],
                    "max_session_duration": 3600,
                    "path": "/",
                    "permissions_boundary": "",
                    "tags": {},
                    "tags_all": {},
                },
            ),
        )
        return network, data

    def combined_state(self) -> dict[str, Any]:
        """The whole estate in one state document."""
        network, data = self.state_docs()
        return StateFactory.doc(*network["resources"], *data["resources"])

    def write_states(self, root: Path) -> Path:
        """Write ``root/estate.tfstate``, ``root/states/{data,network/terraform}.tfstate`` and a
        ``.driftignore`` for the state bucket; returns the combined state's path."""
        network, data = self.state_docs()
        (root / "states" / "network").mkdir(parents=True, exist_ok=True)
        write_json(root / "states" / "network" / "terraform.tfstate", network)
        write_json(root / "states" / "data.tfstate", data)
        # The backend bucket belongs to no state here, as is usual for a state backend.
        (root / ".driftignore").write_text(f"# state backend\nS3.{STATE_BUCKET}\n")
        combined = root / "estate.tfstate"
        write_json(combined, self.combined_state())
        return combined

    # -- changing it -------------------------------------------------------------------------

    def drift(self, instance_type: str = "t3.large") -> None:
        """Instance resized, SSH opened to the world, versioning suspended, a bucket added."""
        self._set(instance_type=instance_type, ssh_open=True, versioning="Suspended", shadow=True)

    def undo_drift(self) -> None:
        """Put every change of ``drift`` back, so the estate matches its states again."""
        self._set(instance_type="t3.micro", ssh_open=False, versioning="Enabled", shadow=False)

    def resize_instance(self, instance_type: str) -> None:
        self.client("ec2").modify_instance_attribute(
            InstanceId=self.instance_id, InstanceType={"Value": instance_type}
        )

    def resize_db(self, instance_class: str) -> None:
        self.client("rds").modify_db_instance(
            DBInstanceIdentifier=DB, DBInstanceClass=instance_class, ApplyImmediately=True
        )

    def _set(self, *, instance_type: str, ssh_open: bool, versioning: str, shadow: bool) -> None:
        self.resize_instance(instance_type)
        ec2 = self.client("ec2")
        change = (
            ec2.authorize_security_group_ingress if ssh_open else ec2.revoke_security_group_ingress
        )
        try:
            change(GroupId=self.group_id, IpPermissions=[_tcp(22, WORLD)])
        except ClientError as exc:
            # Already in the wanted shape.
            if exc.response["Error"]["Code"] not in (
                "InvalidPermission.Duplicate",
                "InvalidPermission.NotFound",
            ):
                raise
        s3 = self.client("s3")
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": versioning})
        existing = {b["Name"] for b in s3.list_buckets()["Buckets"]}
        if shadow and UNMANAGED_BUCKET not in existing:
            s3.create_bucket(Bucket=UNMANAGED_BUCKET)
            # Blocked like any new bucket in AWS: unmanaged, but not exposed (severity info).
            s3.put_public_access_block(
                Bucket=UNMANAGED_BUCKET, PublicAccessBlockConfiguration=BLOCK_ALL
            )
        if not shadow and UNMANAGED_BUCKET in existing:
            s3.delete_bucket(Bucket=UNMANAGED_BUCKET)


@dataclass
class World:
    """The estate, the directory holding its states, and a way to scan it in-process."""

    estate: Estate
    root: Path

    @property
    def state(self) -> Path:
        return self.root / "estate.tfstate"

    def options(self, **overrides: Any) -> ScanOptions:
        """Scan options reading the combined state, from ``root`` (where .driftignore is)."""
        from driftctl.services.scanning import ScanOptions

        values: dict[str, Any] = {
            "sources": [str(self.state)],
            "cwd": self.root,
            "session_factory": scan_session,
        }
        values.update(overrides)
        return ScanOptions(**values)

    def scan(self, ctx: Any, **overrides: Any) -> ScanOutcome:
        """Run (and, with a context, record) a scan of the estate."""
        from driftctl.services.scanning import run_scan

        return run_scan(ctx, self.options(**overrides))


def drift_keys(drifts: list[dict[str, Any]]) -> set[tuple[str, str, str, str, tuple[str, ...]]]:
    """(resource_type, resource_id, drift_type, severity, difference paths) of printed drifts."""
    return {
        (
            d["resource_type"],
            d["resource_id"],
            d["drift_type"],
            d["severity"],
            tuple(sorted(d["difference"])),
        )
        for d in drifts
    }


def expected_drift_keys(estate: Estate) -> set[tuple[str, str, str, str, tuple[str, ...]]]:
    """What ``Estate.drift`` must produce."""
    return {
        ("EC2", estate.instance_id, "modified", "warning", ("instance_type",)),
        ("SECURITY_GROUP", estate.group_id, "modified", "critical", (SSH_WORLD,)),
        ("S3", BUCKET, "modified", "critical", ("versioning",)),
        ("S3", UNMANAGED_BUCKET, "unmanaged", "info", ()),
    }


def write_json(path: Path, doc: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")


def _tcp(port: int, cidr: str) -> dict[str, Any]:
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}]}


def _rule_block(protocol: str, port: int, cidrs: list[str]) -> dict[str, Any]:
    return {
        "cidr_blocks": cidrs,
        "description": "",
        "from_port": port,
        "ipv6_cidr_blocks": [],
        "prefix_list_ids": [],
        "protocol": protocol,
        "security_groups": [],
        "self": False,
        "to_port": port,
    }
