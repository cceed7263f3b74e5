"""An AccessDenied on one detail call leaves only that type and region partial, never a crash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from driftctl.domain import GLOBAL_REGION
from driftctl.iac.sources import load_expected
from driftctl.scanner.runner import ScanPlan, scan_actual
from tests.types.entries import ENTRIES
from tests.types.harness import REGION, emulated_account


class _Denied:
    """Just enough of an HTTP response for botocore to raise the error it carries."""

    def __init__(self) -> None:
        self.status_code = 403
        self.headers: dict[str, str] = {}
        self.content = b""


def _deny(**_: Any) -> tuple[_Denied, dict[str, Any]]:
    error = {"Code": "AccessDeniedException", "Message": "not allowed"}
    return _Denied(), {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 403}}


@pytest.mark.parametrize(
    ("resource_type", "event", "region"),
    [
        ("DYNAMODB_TABLE", "before-call.dynamodb.DescribeContinuousBackups", REGION),
        ("ECR_REPOSITORY", "before-call.ecr.GetLifecyclePolicy", REGION),
        ("ROUTE53_ZONE", "before-call.route-53.GetHostedZone", GLOBAL_REGION),
        ("CLOUDWATCH_METRIC_ALARM", "before-call.cloudwatch.ListTagsForResource", REGION),
    ],
)
def test_a_denied_detail_call_leaves_its_type_partial(
    resource_type: str, event: str, region: str, tmp_path: Path
) -> None:
    with emulated_account(ENTRIES[resource_type], tmp_path) as account:
        expected = load_expected([str(account.state_path)])
        ids: dict[str, set[str]] = {}
        for resource in expected.resources:
            ids.setdefault(resource.resource_type, set()).add(resource.resource_id)

        def session() -> boto3.session.Session:
            fresh = boto3.session.Session(region_name=REGION)
            fresh.events.register(event, _deny)
            return fresh

        actual = scan_actual(
            ScanPlan(
                resource_types=[resource_type, "ROUTE53_RECORD"],
                regions=[REGION],
                session_factory=session,
                expected_ids={t: frozenset(v) for t, v in ids.items()},
            )
        )
    assert [(e.resource_type, e.region, e.code) for e in actual.errors] == [
        (resource_type, region, "AccessDeniedException")
    ]
    assert (resource_type, region) not in actual.read_ok
    assert ("ROUTE53_RECORD", GLOBAL_REGION) in actual.read_ok
