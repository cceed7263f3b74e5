"""Fixtures for the alert tests: config files, contexts, drifts with alerts, a scanned account."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.alerts.alerts_helpers import SG_PORT_22_WORLD, Scenario, secret_env, write_config

# The notification tests' servers and keyring fixtures, shared rather than rebuilt.
from tests.notify.conftest import (  # noqa: F401
    _no_real_secrets,
    http_server,
    memory_keyring,
    refused_url,
    smtp_server,
)
from tests.notify.notify_helpers import RecordingServer


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The CLI reconfigures the ``driftctl`` logger; put it back so later tests' caplog works."""
    logger = logging.getLogger("driftctl")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved[0], saved[1], saved[2]


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database: SQLite, or each engine for tests marked BOTH_ENGINES.

    Most alert behaviour lives above SQL; the tests of claims, LISTEN/NOTIFY and the recording
    queries run on PostgreSQL too.
    """
    from tests.conftest import PG_ENV, _create_pg_database, _drop_pg_database, _migrate

    engine = getattr(request, "param", "sqlite")
    if engine == "sqlite":
        url = f"sqlite:///{tmp_path / 'driftctl.db'}"
        _migrate(url)
        yield url
        return
    if not os.environ.get(PG_ENV):
        pytest.skip(f"PostgreSQL tests need {PG_ENV}")
    url, name = _create_pg_database()
    try:
        _migrate(url)
        yield url
    finally:
        _drop_pg_database(name)


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return tmp_path / "driftctl.toml"


@pytest.fixture
def make_ctx(db_url: str, config_path: Path) -> Iterator[Callable[..., Any]]:
    """Write driftctl.toml with the given tables and open a service context on it."""
    from driftctl.config import load_settings
    from driftctl.services.context import open_context

    opened: list[Any] = []

    def build(notify: dict[str, Any] | None = None, alerts: dict[str, Any] | None = None) -> Any:
        write_config(config_path, notify=notify or {}, alerts=alerts or {})
        settings = load_settings(config_path=config_path, database_url=db_url)
        context = open_context(settings, command="pytest")
        opened.append(context)
        return context

    yield build
    for context in opened:
        context.dispose()


@pytest.fixture
def scenario(
    db_url: str,
    config_path: Path,
    make_ctx: Callable[..., Any],
    http_server: RecordingServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., Scenario]:
    """A database, a config pointing the HTTP channels at the recording server, and a CLI.

    Secrets come from DRIFTCTL_SECRET_* variables (the keyring is the failing backend).
    """

    def build(**kwargs: Any) -> Scenario:
        for name, value in secret_env(kwargs.get("url") or http_server.base_url).items():
            monkeypatch.setenv(name, value)
        return Scenario.create(
            db_url=db_url,
            config_path=config_path,
            make_ctx=make_ctx,
            server=http_server,
            **kwargs,
        )

    return build


@pytest.fixture
def aws_account(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """An emulated account with one instance in a security group opened to the world on 22,
    and a state file in which that group has no ingress (a critical drift)."""
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
        sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=SG_PORT_22_WORLD)
        egress = [
            {
                "cidr_blocks": ["0.0.0.0/0"],
                "from_port": 0,
                "to_port": 0,
                "protocol": "-1",
                "ipv6_cidr_blocks": [],
                "prefix_list_ids": [],
                "security_groups": [],
                "self": False,
                "description": "",
            }
        ]
        instance = ec2.run_instances(
            ImageId="ami-12345678",
            InstanceType="t3.micro",
            MinCount=1,
            MaxCount=1,
            SecurityGroupIds=[sg],
        )["Instances"][0]
        iid = instance["InstanceId"]
        state = {
            "version": 4,
            "terraform_version": "1.9.8",
            "serial": 1,
            "lineage": "5d1c0b5e-alerts-test",
            "outputs": {},
            "resources": [
                _resource(
                    "aws_security_group",
                    {
                        "id": sg,
                        "arn": f"arn:aws:ec2:us-east-1:123456789012:security-group/{sg}",
                        "name": "web",
                        "description": "web",
                        "vpc_id": vpc,
                        "ingress": [],
                        "egress": egress,
                        "tags": {},
                    },
                ),
                _resource(
                    "aws_instance",
                    {
                        "id": iid,
                        "arn": f"arn:aws:ec2:us-east-1:123456789012:instance/{iid}",
                        "ami": "ami-12345678",
                        "instance_type": "t3.micro",
                        "subnet_id": instance["SubnetId"],
                        "vpc_security_group_ids": [sg],
                        "tags": {},
                    },
                ),
            ],
        }
        path = tmp_path / "terraform.tfstate"
        path.write_text(json.dumps(state))
        yield {"state": path, "sg": sg, "instance": iid, "ec2": ec2}


def _resource(rtype: str, attributes: dict[str, Any]) -> dict[str, Any]:
    return {
        "mode": "managed",
        "type": rtype,
        "name": "web",
        "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
        "instances": [{"schema_version": 1, "attributes": attributes, "sensitive_attributes": []}],
    }


@pytest.fixture
def run_scan(aws_account: dict[str, Any], tmp_path: Path) -> Callable[[Any], Any]:
    """Scan the emulated account into CTX's database (EC2 and security groups)."""
    from driftctl.services.scanning import ScanOptions
    from driftctl.services.scanning import run_scan as scan

    def run(ctx: Any) -> Any:
        return scan(
            ctx,
            ScanOptions(
                sources=[str(aws_account["state"])],
                resource_types=["EC2", "SECURITY_GROUP"],
                session_factory=lambda: boto3.Session(region_name="us-east-1"),
                cwd=tmp_path,
            ),
        )

    return run


@pytest.fixture
def now() -> datetime:
    from driftctl.db.types import utcnow

    return utcnow()
