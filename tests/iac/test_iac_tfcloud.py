"""tfstate+tfcloud://WORKSPACE_ID: the current state version through the Terraform Cloud /
Enterprise API v2, against a real local HTTP server playing both the API and the storage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from driftctl.errors import ExternalServiceError, ValidationError
from driftctl.iac.sources import load_expected

if TYPE_CHECKING:
    from conftest import FakeHttp

TOKEN = "atlasv1.Zx9vQ2mN8kR4tY6uW1eAq7"
WS = "ws-6jrRyVDv1J8zQMB5"


def _version(download_url: str | None) -> bytes:
    attributes = {"serial": 7, "hosted-state-download-url": download_url}
    return json.dumps(
        {"data": {"id": "sv-1", "type": "state-versions", "attributes": attributes}}
    ).encode()


def test_reads_the_current_state_and_keeps_the_token_at_the_api(
    http_server: FakeHttp, other_http_server: FakeHttp, data_dir: Path
) -> None:
    download = f"{other_http_server.base_url}/v1/object/pre-signed"
    http_server.serve(f"/api/v2/workspaces/{WS}/current-state-version", _version(download))
    other_http_server.serve(
        "/v1/object/pre-signed", (data_dir / "aws_ec2_instance.tfstate").read_bytes()
    )

    state = load_expected(
        [f"tfstate+tfcloud://{WS}"], tfc_token=TOKEN, tfc_endpoint=f"{http_server.base_url}/api/v2"
    )

    assert [r.resource_id for r in state.resources] == ["i-0d3650a23f4e45dc0"]
    assert state.origins == [f"tfstate+tfcloud://{WS}"]
    [(_, api_headers)] = http_server.requests
    assert api_headers["authorization"] == f"Bearer {TOKEN}"
    assert api_headers["accept"] == "application/vnd.api+json"
    # The storage is another origin: the token does not travel there.
    [(_, storage_headers)] = other_http_server.requests
    assert "authorization" not in storage_headers


@pytest.mark.parametrize(
    ("status", "error", "text"),
    [
        (401, ExternalServiceError, "access denied (HTTP 401); check --tfc-token / TFE_TOKEN"),
        (404, ValidationError, "workspace not found, or the token cannot read it (HTTP 404)"),
    ],
)
def test_api_refusals_are_one_line_without_the_token(
    http_server: FakeHttp, status: int, error: type[Exception], text: str
) -> None:
    http_server.serve(f"/api/v2/workspaces/{WS}/current-state-version", b"{}", status=status)

    with pytest.raises(error) as raised:
        load_expected(
            [f"tfstate+tfcloud://{WS}"],
            tfc_token=TOKEN,
            tfc_endpoint=f"{http_server.base_url}/api/v2",
        )

    message: Any = raised.value.message  # type: ignore[attr-defined]
    assert message == f"tfstate+tfcloud://{WS}: {text}"
    assert TOKEN not in message


@pytest.mark.parametrize(
    ("source", "token", "body", "text"),
    [
        (f"tfstate+tfcloud://{WS}", None, None, "needs an API token: --tfc-token or TFE_TOKEN"),
        ("tfstate+tfcloud://prod", TOKEN, None, "not a workspace id"),
        (f"tfstate+tfcloud://{WS}", TOKEN, _version(None), "the workspace has no state yet"),
    ],
)
def test_bad_sources_are_validation_errors(
    http_server: FakeHttp, source: str, token: str | None, body: bytes | None, text: str
) -> None:
    if body is not None:
        http_server.serve(f"/api/v2/workspaces/{WS}/current-state-version", body)

    with pytest.raises(ValidationError) as raised:
        load_expected([source], tfc_token=token, tfc_endpoint=f"{http_server.base_url}/api/v2")

    assert text in raised.value.message


def test_scan_reads_a_workspace_with_the_token_from_the_environment(
    http_server: FakeHttp, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import run_cli

    download = f"{http_server.base_url}/state"
    http_server.serve(f"/api/v2/workspaces/{WS}/current-state-version", _version(download))
    http_server.serve("/state", (data_dir / "aws_ec2_instance.tfstate").read_bytes())
    monkeypatch.setenv("TFE_TOKEN", TOKEN)

    result = run_cli(
        [
            "--db",
            f"sqlite:///{tmp_path / 'd.db'}",
            "scan",
            "--from",
            f"tfstate+tfcloud://{WS}",
            "--tfc-endpoint",
            f"{http_server.base_url}/api/v2",
            "--fail-on-unsupported",
            "--region",
            "us-east-1",
            "--no-store",
            "-o",
            "json",
        ]
    )

    # No AWS here: the state was read (the error is the account, not the source).
    assert result.exit_code == 6, result.stderr
    assert "tfcloud" not in result.stderr and TOKEN not in result.stderr
    [(_, _), (_, storage)] = http_server.requests
    assert storage["authorization"] == f"Bearer {TOKEN}"  # same origin as the API
