"""INTERNET_GATEWAY: a refused default-VPC lookup leaves the region partial, judging no gateway
it cannot tell from the one AWS made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from driftctl.scanner.runner import ScanPlan, scan_actual
from tests.types.entries.internet_gateway import ENTRY, MAIN
from tests.types.harness import REGION, emulated_account


def _refuse(**_kwargs: Any) -> None:
    error = {"Error": {"Code": "UnauthorizedOperation", "Message": "not allowed"}}
    raise ClientError(error, "DescribeVpcs")  # type: ignore[arg-type]


def test_a_refused_default_vpc_lookup_is_a_partial_region(tmp_path: Path) -> None:
    with emulated_account(ENTRY, tmp_path) as account:
        ec2 = account.client("ec2")
        stray = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        vpc = ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
        ec2.attach_internet_gateway(InternetGatewayId=stray, VpcId=vpc)

        def session() -> boto3.session.Session:
            fresh = boto3.session.Session(region_name=REGION)
            fresh.events.register("before-call.ec2.DescribeVpcs", _refuse)
            return fresh

        declared = account.ids[MAIN]
        actual = scan_actual(
            ScanPlan(
                resource_types=["INTERNET_GATEWAY"],
                regions=[REGION],
                session_factory=session,
                expected_ids={"INTERNET_GATEWAY": frozenset({declared})},
            )
        )
        [error] = actual.errors
        assert (error.resource_type, error.region, error.code) == (
            "INTERNET_GATEWAY",
            REGION,
            "UnauthorizedOperation",
        )
        listed = {r.resource_id for r in actual.resources}
        assert declared in listed and stray not in listed
        assert ("INTERNET_GATEWAY", REGION) not in actual.read_ok
