"""An AccessDenied on one detail call leaves only that type and region partial."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from driftctl.iac.sources import load_expected
from driftctl.scanner.runner import ScanPlan, scan_actual
from tests.types.entries import ENTRIES
from tests.types.harness import REGION, emulated_account

DENIED = {
    "LAMBDA_FUNCTION": "GetFunction",
    "LAMBDA_PERMISSION": "GetPolicy",
    "SSM_PARAMETER": "ListTagsForResource",
    "SECRETSMANAGER_SECRET": "GetResourcePolicy",
    "ACM_CERTIFICATE": "DescribeCertificate",
}


@pytest.mark.parametrize("resource_type", sorted(DENIED))
def test_access_denied_on_details_is_a_partial_read(
    resource_type: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = BaseClient._make_api_call

    def deny(self: BaseClient, operation: str, params: Any) -> Any:
        if operation == DENIED[resource_type]:
            error = {"Error": {"Code": "AccessDeniedException", "Message": "no DB_PASSWORD=x"}}
            raise ClientError(error, operation)  # type: ignore[arg-type]
        return real(self, operation, params)

    with emulated_account(ENTRIES[resource_type], tmp_path) as account:
        expected = load_expected([str(account.state_path)])
        ids: dict[str, set[str]] = {}
        for resource in expected.resources:
            ids.setdefault(resource.resource_type, set()).add(resource.resource_id)
        monkeypatch.setattr(BaseClient, "_make_api_call", deny)
        # Another type in the same scan still reads fine.
        actual = scan_actual(
            ScanPlan(
                resource_types=[resource_type, "RDS"],
                regions=[REGION],
                session_factory=lambda: account.build.session,
                expected_ids={t: frozenset(v) for t, v in ids.items()},
            )
        )
    assert [(e.resource_type, e.region, e.code) for e in actual.errors] == [
        (resource_type, REGION, "AccessDeniedException")
    ]
    assert (resource_type, REGION) not in actual.read_ok
    assert ("RDS", REGION) in actual.read_ok
    assert "DB_PASSWORD=x" not in actual.errors[0].message
