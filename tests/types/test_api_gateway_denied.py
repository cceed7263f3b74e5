"""An AccessDenied on a per-API call leaves only the types reading it partial, in that region."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from driftctl.iac.sources import load_expected
from driftctl.scanner.runner import ScanPlan, scan_actual
from tests.types.entries import ENTRIES
from tests.types.harness import REGION, emulated_account

TYPES = ["API_GATEWAY_REST_API", "API_GATEWAY_STAGE", "API_GATEWAY_RESOURCE", "API_GATEWAY_METHOD"]


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
    ("operation", "fixture_of", "denied"),
    [
        ("GetStages", "API_GATEWAY_STAGE", {"API_GATEWAY_STAGE"}),
        ("GetResources", "API_GATEWAY_METHOD", {"API_GATEWAY_RESOURCE", "API_GATEWAY_METHOD"}),
        ("GetRestApis", "API_GATEWAY_STAGE", set(TYPES)),
    ],
)
def test_a_denied_call_leaves_its_readers_partial(
    operation: str, fixture_of: str, denied: set[str], tmp_path: Path
) -> None:
    with emulated_account(ENTRIES[fixture_of], tmp_path) as account:
        expected = load_expected([str(account.state_path)])
        ids: dict[str, set[str]] = {}
        for resource in expected.resources:
            ids.setdefault(resource.resource_type, set()).add(resource.resource_id)

        def session() -> boto3.session.Session:
            fresh = boto3.session.Session(region_name=REGION)
            fresh.events.register(f"before-call.api-gateway.{operation}", _deny)
            return fresh

        actual = scan_actual(
            ScanPlan(
                resource_types=[*TYPES, "ROUTE53_RECORD"],
                regions=[REGION],
                session_factory=session,
                expected_ids={t: frozenset(v) for t, v in ids.items()},
            )
        )
    assert {(e.resource_type, e.region, e.code) for e in actual.errors} == {
        (t, REGION, "AccessDeniedException") for t in denied
    }
    for rtype in TYPES:
        assert ((rtype, REGION) in actual.read_ok) is (rtype not in denied)
