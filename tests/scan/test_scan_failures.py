"""Scans that struggle or cannot run: throttling, AWS unreachable, unusable state files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from driftctl.db.models import AuditLog, Drift, Scan
from driftctl.errors import ExternalServiceError
from driftctl.services.scanning import ScanOptions, run_scan
from tests.iac.conftest import StateFactory
from tests.scan.estate import World, hooked_scan_session, write_json
from tests.scanner.scanner_helpers import error_response, free_port


def rows(ctx: Any, model: Any) -> list[Any]:
    with ctx.read() as session:
        return list(session.execute(select(model)).scalars())


def counts(ctx: Any) -> tuple[int, int]:
    """(drifts, audit rows)."""
    with ctx.read() as session:
        drifts = session.execute(select(func.count()).select_from(Drift)).scalar_one()
        audit = session.execute(select(func.count()).select_from(AuditLog)).scalar_one()
    return int(drifts), int(audit)


@pytest.fixture
def unreachable_aws(monkeypatch: pytest.MonkeyPatch) -> str:
    """AWS_ENDPOINT_URL pointing at a loopback port nothing listens on."""
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    return url


@pytest.fixture
def one_instance_state(tmp_path: Path) -> Path:
    path = tmp_path / "terraform.tfstate"
    write_json(path, StateFactory.doc(StateFactory.instance()))
    return path


# -- AWS slow to answer ----------------------------------------------------------------------


@pytest.mark.usefixtures("fast_retries")
def test_throttled_calls_are_retried_and_the_scan_completes(world: World, ctx: Any) -> None:
    world.estate.resize_instance("t3.large")
    throttled = {"count": 0}

    def throttle_twice(request: Any, **_: Any) -> Any:
        if throttled["count"] < 2:
            throttled["count"] += 1
            return error_response(request, 400, "Throttling", "Rate exceeded", "ec2")
        return None

    throttling = hooked_scan_session(
        first_hooks=[("before-send.ec2.DescribeInstances", throttle_twice)]
    )
    outcome = world.scan(ctx, session_factory=throttling)

    assert outcome.result["scan"]["status"] == "completed"
    assert outcome.result["scan"]["api_calls"]["ec2:DescribeInstances"] == 3
    assert [(d["resource_id"], d["drift_type"]) for d in outcome.result["drifts"]] == [
        (world.estate.instance_id, "modified")
    ]
    assert outcome.exit_code == 1


# -- AWS unreachable -------------------------------------------------------------------------


@pytest.mark.usefixtures("unreachable_aws")
def test_unreachable_aws_raises_and_marks_the_scan_failed(
    ctx: Any, one_instance_state: Path
) -> None:
    options = ScanOptions(
        sources=[str(one_instance_state)],
        cwd=one_instance_state.parent,
        max_attempts=1,
        connect_timeout=0.5,
        read_timeout=0.5,
    )

    with pytest.raises(ExternalServiceError) as raised:
        run_scan(ctx, options)

    assert "\n" not in raised.value.message
    assert "Could not connect" in raised.value.message
    [scan] = rows(ctx, Scan)
    assert scan.status == "failed"
    assert scan.finished_at is not None
    assert [e["code"] for e in scan.errors] == ["EXTERNAL_SERVICE_ERROR"]
    assert counts(ctx) == (0, 0)


@pytest.mark.usefixtures("unreachable_aws", "fast_retries")
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_unreachable_aws_through_the_cli_exits_6_with_one_line(
    cli: Any, db_url: str, ctx: Any, one_instance_state: Path, as_json: bool
) -> None:
    args = ["--db", db_url, "scan", "--from", str(one_instance_state)]
    result = cli([*args, "-o", "json"] if as_json else args)

    assert result.exit_code == 6
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    if as_json:
        error = json.loads(line)["error"]
        assert error["code"] == "EXTERNAL_SERVICE_ERROR"
        assert "cannot identify the AWS account" in error["message"]
    else:
        assert line.startswith("error: cannot identify the AWS account")
    assert [s.status for s in rows(ctx, Scan)] == ["failed"]
    assert counts(ctx) == (0, 0)


# -- state files that cannot be used ---------------------------------------------------------

V3_STATE = {
    "version": 3,
    "terraform_version": "0.11.14",
    "serial": 4,
    "lineage": "0f5b2f8e-6c1a-4d1e-9a55-0d8d6f2c9a11",
    "modules": [
        {
            "path": ["root"],
            "outputs": {},
            "resources": {
                "aws_instance.web": {
                    "type": "aws_instance",
                    "primary": {"id": "i-0abc1234def567890", "attributes": {"ami": "ami-1"}},
                }
            },
        }
    ],
}
SHOW_JSON = {
    "format_version": "1.0",
    "terraform_version": "1.7.5",
    "values": {
        "root_module": {
            "resources": [
                {
                    "address": "aws_instance.web",
                    "mode": "managed",
                    "type": "aws_instance",
                    "name": "web",
                    "values": {"id": "i-0abc1234def567890", "instance_type": "t3.micro"},
                }
            ]
        }
    },
}


def _bad_source(kind: str, tmp_path: Path) -> str:
    if kind == "v3-state":
        write_json(tmp_path / "old.tfstate", V3_STATE)
        return str(tmp_path / "old.tfstate")
    if kind == "show-json":
        write_json(tmp_path / "show.json", SHOW_JSON)
        return str(tmp_path / "show.json")
    if kind == "truncated":
        text = json.dumps(StateFactory.doc(StateFactory.instance()))
        (tmp_path / "cut.tfstate").write_text(text[: len(text) // 2])
        return str(tmp_path / "cut.tfstate")
    if kind == "missing":
        return str(tmp_path / "nowhere.tfstate")
    (tmp_path / "empty").mkdir()
    return str(tmp_path / "empty")


@pytest.mark.usefixtures("aws")
@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("v3-state", "version"),
        ("show-json", "terraform show"),
        ("truncated", "JSON"),
        ("missing", "nowhere.tfstate"),
        ("empty", "no *.tfstate"),
    ],
)
def test_an_unusable_state_exits_2_with_one_line_and_records_no_drift(
    cli: Any, db_url: str, ctx: Any, tmp_path: Path, kind: str, says: str
) -> None:
    source = _bad_source(kind, tmp_path)

    result = cli(["--db", db_url, "scan", "--from", source])

    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ")
    assert says.lower() in line.lower()
    assert "Traceback" not in result.stderr
    assert counts(ctx) == (0, 0)
    # Bad input writes nothing at all, not even a scan row (SPEC §9: no partial write).
    assert rows(ctx, Scan) == []
