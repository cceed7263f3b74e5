"""``driftctl scan`` end to end: the real process against a moto server, states in every form."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from driftctl.db.models import Drift, Scan
from tests.cli.probe import DbProbe
from tests.e2e.scan_support import STATE_PATH, TOKEN, Served, denying_endpoint, served_estate
from tests.scan.estate import (
    BUCKET,
    DB,
    STATE_BUCKET,
    UNMANAGED_BUCKET,
    drift_keys,
    expected_drift_keys,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served_estate(tmp_path_factory.mktemp("estate")) as estate:
        yield estate


@pytest.fixture
def in_sync(served: Served) -> Served:
    served.estate.undo_drift()
    return served


@pytest.fixture
def drifted(served: Served) -> Served:
    served.estate.drift()
    return served


def assert_clean_stderr(stderr: str) -> None:
    assert "Traceback" not in stderr
    assert TOKEN not in stderr


def count(ctx: Any, model: Any) -> int:
    with ctx.read() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


# -- in sync, every --from form --------------------------------------------------------------

# Each run pairs two forms that declare complementary halves of the estate (network: instance
# and group; data: bucket, DB, role), so a form that read nothing would leave its half unmanaged.
NETWORK = "states/network/terraform.tfstate"
FORMS: dict[str, Callable[[Served], tuple[list[str], list[str]]]] = {
    # pair: (arguments, the origins the scan must report, in reading order)
    "file+s3-key": lambda s: (
        ["--from", NETWORK, "--from", f"tfstate+s3://{STATE_BUCKET}/env/prod/data.tfstate"],
        [NETWORK, f"s3://{STATE_BUCKET}/env/prod/data.tfstate"],
    ),
    "glob+http": lambda s: (
        [
            "--from",
            "states/*.tfstate",
            "--from",
            f"tfstate+http://{s.http.host}{STATE_PATH}",
            "--headers",
            f"Authorization=Bearer {TOKEN}",
        ],
        ["states/data.tfstate", f"http://{s.http.host}{STATE_PATH}"],
    ),
    "tfstate-scheme+s3-glob": lambda s: (
        [
            "--from",
            f"tfstate://{s.root / NETWORK}",
            "--from",
            f"tfstate+s3://{STATE_BUCKET}/env/*/d*.tfstate",
        ],
        [str(s.root / NETWORK), f"s3://{STATE_BUCKET}/env/prod/data.tfstate"],
    ),
    "directory": lambda s: (
        ["--from", str(s.root / "states")],
        [str(s.root / "states" / "data.tfstate"), str(s.root / NETWORK)],
    ),
}


@pytest.mark.parametrize("forms", list(FORMS))
def test_an_estate_in_sync_exits_0_with_no_drift(
    in_sync: Served, sqlite_db: DbProbe, forms: str
) -> None:
    args, origins = FORMS[forms](in_sync)
    before = len(in_sync.http.requests)

    run = in_sync.driftctl("scan", *args, "-o", "json", db_url=sqlite_db.url)

    assert run.exit_code == 0, run.stderr
    assert_clean_stderr(run.stderr)
    result = run.json()
    assert result["drifts"] == []
    assert result["exit_code"] == 0
    assert result["scan"]["status"] == "completed"
    assert result["scan"]["errors"] == []
    assert result["scan"]["iac_sources"] == origins
    assert result["scan"]["account_ids"] == ["123456789012"]
    assert result["scan"]["regions"] == ["us-east-1"]
    summary = result["summary"]
    assert (summary["managed"], summary["in_sync"], summary["unmanaged"]) == (5, 5, 0)
    assert (summary["modified"], summary["missing"]) == (0, 0)
    if "http" in forms:
        fetched = in_sync.http.requests[before:]
        assert [path for path, _ in fetched] == [STATE_PATH]
        assert fetched[0][1]["authorization"] == f"Bearer {TOKEN}"
        assert TOKEN not in run.stdout


# -- drift -----------------------------------------------------------------------------------


def test_drift_is_reported_exactly_and_recorded(drifted: Served, db: DbProbe) -> None:
    run = drifted.driftctl("scan", "--from", "estate.tfstate", "-o", "json", db_url=db.url)

    assert run.exit_code == 1, run.stderr
    assert_clean_stderr(run.stderr)
    assert run.stdout.lstrip().startswith("{")
    result = run.json()  # the whole of stdout is one JSON document
    assert result["exit_code"] == 1
    assert drift_keys(result["drifts"]) == expected_drift_keys(drifted.estate)
    by_id = {d["resource_id"]: d for d in result["drifts"]}
    ec2 = by_id[drifted.estate.instance_id]["difference"]["instance_type"]
    assert (ec2["change"], ec2["expected"], ec2["actual"]) == ("changed", "t3.micro", "t3.large")
    assert by_id[drifted.estate.instance_id]["cost_impact_monthly"] > 0
    assert by_id[BUCKET]["difference"]["versioning"] == {
        "change": "changed",
        "expected": "Enabled",
        "actual": "Suspended",
    }
    assert STATE_BUCKET not in by_id  # ignored by the .driftignore in the working directory
    assert result["summary"]["by_severity"] == {"critical": 2, "warning": 1, "info": 1}
    assert {d["status"] for d in result["drifts"]} == {"detected"}

    with db.ctx.read() as session:
        rows = session.execute(select(Drift)).scalars().all()
        scans = session.execute(select(Scan)).scalars().all()
    assert {(str(r.id), r.resource_id, r.drift_type, r.status) for r in rows} == {
        (d["id"], d["resource_id"], d["drift_type"], "detected") for d in result["drifts"]
    }
    assert [(str(s.id), s.status) for s in scans] == [(result["scan"]["id"], "completed")]


@pytest.mark.parametrize(
    ("args", "exit_code"),
    [
        (["--fail-on", "critical"], 1),
        (["--fail-on", "critical", "--type", "EC2"], 0),  # only the resize: a warning
        (["--fail-on", "never"], 0),
    ],
    ids=["critical", "critical-only-warnings", "never"],
)
def test_fail_on_sets_the_threshold(
    drifted: Served, sqlite_db: DbProbe, args: list[str], exit_code: int
) -> None:
    run = drifted.driftctl(
        "scan", "--from", "estate.tfstate", "-o", "json", *args, db_url=sqlite_db.url
    )

    assert run.exit_code == exit_code, run.stderr
    assert_clean_stderr(run.stderr)
    result = run.json()
    assert result["exit_code"] == exit_code
    expected = expected_drift_keys(drifted.estate)
    if "EC2" in args:
        expected = {k for k in expected if k[0] == "EC2"}
    assert drift_keys(result["drifts"]) == expected


@pytest.mark.parametrize("flag", ["--only-managed", "--only-unmanaged"])
def test_only_managed_and_only_unmanaged_filter(
    drifted: Served, sqlite_db: DbProbe, flag: str
) -> None:
    run = drifted.driftctl(
        "scan", "--from", "estate.tfstate", "-o", "json", flag, db_url=sqlite_db.url
    )

    assert run.exit_code == 1, run.stderr
    printed = drift_keys(run.json()["drifts"])
    every = expected_drift_keys(drifted.estate)
    if flag == "--only-managed":
        assert printed == {k for k in every if k[2] == "modified"}
    else:
        assert printed == {k for k in every if k[2] == "unmanaged"}
        assert {k[1] for k in printed} == {UNMANAGED_BUCKET}


def test_sarif_to_an_output_file_and_the_table_on_stdout(
    drifted: Served, sqlite_db: DbProbe
) -> None:
    out = drifted.root / "drift.sarif"
    out.unlink(missing_ok=True)

    run = drifted.driftctl(
        "scan",
        "--from",
        "estate.tfstate",
        "-o",
        "sarif",
        "--output-file",
        str(out),
        db_url=sqlite_db.url,
    )

    assert run.exit_code == 1, run.stderr
    assert_clean_stderr(run.stderr)
    sarif = json.loads(out.read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert len(results) == 4
    assert sorted(r["level"] for r in results) == ["error", "error", "note", "warning"]
    text = json.dumps(results)
    for resource_id in (drifted.estate.instance_id, drifted.estate.group_id, BUCKET):
        assert resource_id in text
    # stdout keeps the human table
    assert drifted.estate.instance_id in run.stdout
    assert not run.stdout.lstrip().startswith("{")


def test_no_store_prints_drift_and_writes_nothing(drifted: Served, sqlite_db: DbProbe) -> None:
    run = drifted.driftctl(
        "scan", "--from", "estate.tfstate", "-o", "json", "--no-store", db_url=sqlite_db.url
    )

    assert run.exit_code == 1, run.stderr
    result = run.json()
    assert drift_keys(result["drifts"]) == expected_drift_keys(drifted.estate)
    assert result["scan"]["id"] is None
    assert {d["id"] for d in result["drifts"]} == {None}
    assert count(sqlite_db.ctx, Drift) == 0
    assert count(sqlite_db.ctx, Scan) == 0


# -- a type AWS refuses to show --------------------------------------------------------------


def test_access_denied_on_one_type_is_partial_and_keeps_its_drift_open(
    drifted: Served, sqlite_db: DbProbe
) -> None:
    estate = drifted.estate
    estate.resize_db("db.t3.small")
    try:
        first = drifted.driftctl(
            "scan", "--from", "estate.tfstate", "-o", "json", db_url=sqlite_db.url
        )
        assert first.exit_code == 1, first.stderr
        rds = [d for d in first.json()["drifts"] if d["resource_type"] == "RDS"]
        assert [(d["resource_id"], sorted(d["difference"])) for d in rds] == [
            (DB, ["instance_class"])
        ]
    finally:
        estate.resize_db("db.t3.micro")

    # The DB is back in shape, but this scan may not read RDS at all.
    with denying_endpoint() as deny:
        run = drifted.driftctl(
            "scan",
            "--from",
            "estate.tfstate",
            "-o",
            "json",
            db_url=sqlite_db.url,
            AWS_ENDPOINT_URL_RDS=deny,
        )

    assert run.exit_code == 6, run.stderr
    assert_clean_stderr(run.stderr)
    [line] = run.stderr.splitlines()
    error = json.loads(line)["error"]
    assert error["code"] == "EXTERNAL_SERVICE_ERROR"
    assert "RDS in us-east-1 (AccessDenied)" in error["message"]
    result = run.json()
    assert result["exit_code"] == 6
    assert result["scan"]["status"] == "partial"
    # Both types read through the RDS API: DB subnet groups too.
    assert [(e["resource_type"], e["region"], e["code"]) for e in result["scan"]["errors"]] == [
        ("DB_SUBNET_GROUP", "us-east-1", "AccessDenied"),
        ("RDS", "us-east-1", "AccessDenied"),
    ]
    assert drift_keys(result["drifts"]) == expected_drift_keys(estate)
    with sqlite_db.ctx.read() as session:
        statuses = {
            (r.resource_type, r.resource_id): r.status
            for r in session.execute(select(Drift)).scalars()
        }
        newest_first = select(Scan).order_by(col(Scan.started_at).desc())
        last = session.execute(newest_first).scalars().first()
    assert statuses[("RDS", DB)] == "detected"
    assert set(statuses.values()) == {"detected"}
    assert last is not None and last.status == "partial"
    assert "RDS" not in last.resource_types_read
