"""What list, show and audit print: JSON shapes (SPEC §6), CSV, tables, sorting and filters."""

from __future__ import annotations

import csv
import io
import json
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from driftctl.db.models import AuditLog
from tests.cli.probe import DbProbe

REASON = "intended change for the launch"
SPEC_DRIFT_KEYS = {
    "id",
    "resource_id",
    "resource_type",
    "region",
    "account_id",
    "drift_type",
    "severity",
    "cost_impact_monthly",
    "status",
    "difference",
    "expected_state",
    "actual_state",
    "detected_at",
    "detected_by",
    "last_seen_at",
    "approved_at",
    "approved_by",
    "approval_reason",
    "rejected_at",
    "rejected_by",
    "rejection_reason",
    "resolved_at",
    "resolved_how",
    "created_at",
    "updated_at",
}
# "list may omit the three state objects"
STATE_KEYS = {"expected_state", "actual_state", "difference"}
TIMESTAMP_KEYS = {k for k in SPEC_DRIFT_KEYS if k.endswith("_at")}
PAGINATION_KEYS = {"total", "page", "page_size", "total_pages", "has_more"}
ERROR_CODES = {
    "VALIDATION_ERROR",
    "NOT_FOUND",
    "CONFLICT",
    "FORBIDDEN",
    "EXTERNAL_SERVICE_ERROR",
    "DATABASE_ERROR",
}
NOW = datetime.now(UTC).replace(microsecond=0)


def _assert_drift_json(item: dict[str, Any], *, with_states: bool) -> None:
    required = SPEC_DRIFT_KEYS if with_states else SPEC_DRIFT_KEYS - STATE_KEYS
    assert required <= set(item), required - set(item)
    for key in TIMESTAMP_KEYS:
        if item.get(key) is not None:
            assert datetime.fromisoformat(item[key]).utcoffset() is not None, key
    cost = item["cost_impact_monthly"]
    assert isinstance(cost, int | float) and round(cost, 2) == cost
    uuid.UUID(item["id"])


def test_list_json_shape(cli: Any, db: DbProbe) -> None:
    db.add(cost_impact_monthly=Decimal("30.37"))
    db.add(status="approved", approval_reason=REASON, approved_at=NOW, severity="critical")
    result = cli(["--db", db.url, "list", "-o", "json"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    data = result.json()
    assert set(data) == {"items", "pagination"}
    assert set(data["pagination"]) == PAGINATION_KEYS
    assert data["pagination"]["total"] == 2
    for item in data["items"]:
        _assert_drift_json(item, with_states=False)
    assert {i["cost_impact_monthly"] for i in data["items"]} == {30.37}


def test_show_json_shape(cli: Any, db: DbProbe) -> None:
    drift_id = db.add(cost_impact_monthly=Decimal("12.50"))
    db.add_alert(drift_id)
    assert cli(["--db", db.url, "approve", drift_id, "--reason", REASON]).exit_code == 0
    result = cli(["--db", db.url, "show", drift_id[:8], "-o", "json"])
    assert result.exit_code == 0, result.stderr
    data = result.json()
    _assert_drift_json(data, with_states=True)
    assert data["cost_impact_monthly"] == 12.5
    assert data["difference"]["instance_type"]["actual"] == "t3.large"
    assert data["status"] == "approved" and data["approval_reason"] == REASON
    assert isinstance(data["cost_history"], list)
    assert [a["id"] for a in data["alerts"]] and data["alerts"][0]["is_read"] is True
    assert [r["action"] for r in data["audit_trail"]] == ["drift_approved", "alert_read"]


def test_audit_json_shape(cli: Any, db: DbProbe) -> None:
    drift_id = db.add()
    cli(["--db", db.url, "triage", drift_id])
    cli(["--db", db.url, "approve", drift_id, "--reason", REASON])
    result = cli(["--db", db.url, "audit", "-o", "json"])
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert set(data) == {"items", "pagination"}
    assert set(data["pagination"]) == PAGINATION_KEYS
    assert data["pagination"]["total"] == 2
    columns = set(AuditLog.__table__.columns.keys())  # type: ignore[attr-defined]
    for item in data["items"]:
        assert columns <= set(item), columns - set(item)
        assert datetime.fromisoformat(item["created_at"]).utcoffset() is not None
    # Newest first.
    assert [i["action"] for i in data["items"]] == ["drift_approved", "drift_triaged"]


def test_audit_filters(cli: Any, db: DbProbe) -> None:
    first, second = db.add(), db.add()
    cli(["--db", db.url, "triage", first, second])
    cli(["--db", db.url, "approve", first, "--reason", REASON])
    by_drift = cli(["--db", db.url, "audit", "--drift", first[:8], "-o", "json"]).json()
    assert {i["drift_id"] for i in by_drift["items"]} == {first}
    by_action = cli(["--db", db.url, "audit", "--action", "drift_triaged", "-o", "json"]).json()
    assert by_action["pagination"]["total"] == 2
    actor = by_action["items"][0]["actor_email"]
    by_actor = cli(["--db", db.url, "audit", "--actor", actor, "-o", "json"]).json()
    assert by_actor["pagination"]["total"] == 3
    nobody = cli(["--db", db.url, "audit", "--actor", "nobody@example.com", "-o", "json"])
    assert nobody.json()["pagination"]["total"] == 0
    future = (NOW + timedelta(days=1)).date().isoformat()
    assert cli(["--db", db.url, "audit", "--since", future, "-o", "json"]).json()["items"] == []


def test_list_csv(cli: Any, db: DbProbe) -> None:
    ids = {db.add(), db.add(severity="critical")}
    result = cli(["--db", db.url, "list", "-o", "csv"])
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["id"] for r in rows} == ids
    header = result.stdout.splitlines()[0].split(",")
    assert header[:3] == ["id", "resource_id", "resource_type"]
    assert {"severity", "status", "cost_impact_monthly", "detected_at", "difference"} <= set(header)
    assert json.loads(rows[0]["difference"])["instance_type"]["expected"] == "t3.medium"
    assert {r["cost_impact_monthly"] for r in rows} == {"30.37"}


def test_list_csv_all_pages_has_one_header(cli: Any, db: DbProbe) -> None:
    db.add_many([{} for _ in range(105)])
    result = cli(["--db", db.url, "list", "--all", "-o", "csv"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("id,") and sum(line.startswith("id,") for line in lines) == 1
    assert len(list(csv.DictReader(io.StringIO(result.stdout)))) == 105


def test_list_all_json_over_several_pages(cli: Any, db: DbProbe) -> None:
    ids = set(db.add_many([{"detected_at": NOW - timedelta(minutes=i)} for i in range(130)]))
    result = cli(["--db", db.url, "list", "--all", "-o", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [i["id"] for i in data["items"]] and {i["id"] for i in data["items"]} == ids
    assert len(data["items"]) == 130
    assert data["pagination"]["total"] == 130 and data["pagination"]["has_more"] is False
    detected = [i["detected_at"] for i in data["items"]]
    assert detected == sorted(detected, reverse=True)


def test_list_all_table_piped_has_one_header(cli: Any, db: DbProbe) -> None:
    ids = db.add_many([{} for _ in range(205)])
    result = cli(["--db", db.url, "list", "--all"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert sum(line.startswith("id ") for line in lines) == 1
    assert len(lines) == 206
    assert {line.split()[0] for line in lines[1:]} == {i[:8] for i in ids}


def test_list_all_json_empty(cli: Any, db: DbProbe) -> None:
    result = cli(["--db", db.url, "list", "--all", "-o", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["items"] == []


def test_pagination(cli: Any, db: DbProbe) -> None:
    ids = db.add_many([{"detected_at": NOW - timedelta(minutes=i)} for i in range(7)])
    pages = [
        cli(["--db", db.url, "list", "--limit", "3", "--page", str(p), "-o", "json"]).json()
        for p in (1, 2, 3, 4)
    ]
    assert [[i["id"] for i in p["items"]] for p in pages] == [ids[0:3], ids[3:6], ids[6:7], []]
    assert pages[0]["pagination"] == {
        "total": 7,
        "page": 1,
        "page_size": 3,
        "total_pages": 3,
        "has_more": True,
    }
    assert pages[2]["pagination"]["has_more"] is False


# --- sorting -------------------------------------------------------------------------------

SORT_KEYS: dict[str, Callable[[dict[str, Any]], tuple[Any, ...]]] = {
    "detected": lambda d: (d["detected_at"],),
    "created": lambda d: (d["created_at"],),
    "cost": lambda d: (d["cost_impact_monthly"],),
    "severity": lambda d: (
        {"critical": 3, "warning": 2, "info": 1}[d["severity"]],
        d["detected_at"],
    ),
}


@pytest.fixture
def sortable(db: DbProbe) -> list[dict[str, Any]]:
    """Drifts whose detected/created/cost/severity orders all differ, with ties on severity."""
    rows = []
    severities = ["info", "critical", "warning", "critical", "info", "warning", "critical"]
    for i, severity in enumerate(severities):
        rows.append(
            {
                "id": uuid.uuid4(),
                "severity": severity,
                "detected_at": NOW - timedelta(hours=(i * 5) % 7),
                "created_at": NOW - timedelta(hours=(i * 3) % 7),
                "cost_impact_monthly": Decimal(f"{(i * 4) % 7}.25"),
            }
        )
    db.add_many(rows)
    return rows


def test_every_sort_both_directions(cli: Any, db: DbProbe, sortable: list[dict[str, Any]]) -> None:
    wrong = []
    for sort, key in SORT_KEYS.items():
        for asc in (False, True):
            args = ["--db", db.url, "list", "--sort", sort, "-o", "json"]
            result = cli([*args, "--asc"] if asc else args)
            assert result.exit_code == 0, result.stderr
            got = [i["id"] for i in result.json()["items"]]
            expected = sorted(sortable, key=lambda d: (*key(d), d["id"]), reverse=not asc)
            if got != [str(d["id"]) for d in expected]:
                wrong.append(f"--sort {sort}{' --asc' if asc else ''}")
    assert wrong == []


def test_default_sort_is_detected_desc(
    cli: Any, db: DbProbe, sortable: list[dict[str, Any]]
) -> None:
    default = cli(["--db", db.url, "list", "-o", "json"]).json()["items"]
    explicit = cli(["--db", db.url, "list", "--sort", "detected", "-o", "json"]).json()["items"]
    assert default == explicit


def test_unknown_sort_is_exit_2(cli: Any, db: DbProbe) -> None:
    result = cli(["--db", db.url, "list", "--sort", "name"])
    assert result.exit_code == 2
    assert result.stdout == ""


# --- filters -------------------------------------------------------------------------------


@pytest.fixture
def varied(db: DbProbe) -> list[dict[str, Any]]:
    # Ages relative to this moment: the --since cases below have hours of margin either way.
    now = datetime.now(UTC)
    rows = [
        {
            "resource_type": "EC2",
            "region": "us-east-1",
            "severity": "critical",
            "status": "detected",
            "drift_type": "modified",
            "detected_at": now - timedelta(hours=1),
            "iac_source": "prod.tfstate#aws_instance.web",
            "resource_id": "i-0aaa",
        },
        {
            "resource_type": "EC2",
            "region": "eu-west-1",
            "severity": "warning",
            "status": "triaged",
            "drift_type": "modified",
            "detected_at": now - timedelta(days=3),
            "resource_id": "i-0bbb",
        },
        {
            "resource_type": "S3",
            "region": "us-east-1",
            "severity": "critical",
            "status": "approved",
            "drift_type": "unmanaged",
            "detected_at": now - timedelta(days=10),
            "resource_id": "acme-logs_100%",
        },
        {
            "resource_type": "SECURITY_GROUP",
            "region": "us-west-2",
            "severity": "info",
            "status": "rejected",
            "drift_type": "modified",
            "detected_at": now - timedelta(hours=30),
            "resource_id": "sg-0ccc",
        },
        {
            "resource_type": "RDS",
            "region": "us-east-1",
            "severity": "warning",
            "status": "resolved",
            "resolved_how": "acknowledged",
            "drift_type": "missing",
            "detected_at": now - timedelta(days=40),
            "resource_id": "orders-db",
        },
        {
            "resource_type": "IAM_ROLE",
            "region": "global",
            "severity": "critical",
            "status": "detected",
            "drift_type": "modified",
            "detected_at": now - timedelta(minutes=5),
            "resource_id": "ci-deployer",
            "iac_source": "iam.tfstate#aws_iam_role.deployer",
        },
    ]
    ids = db.add_many(rows)
    return [{**r, "id": i} for r, i in zip(rows, ids, strict=True)]


def _ids(rows: list[dict[str, Any]], pred: Any) -> set[str]:
    return {r["id"] for r in rows if pred(r)}


FILTERS: list[tuple[list[str], Any]] = [
    (["--status", "detected"], lambda r: r["status"] == "detected"),
    (
        ["--status", "approved", "--status", "rejected"],
        lambda r: r["status"] in ("approved", "rejected"),
    ),
    (["--status", "triaged,resolved"], lambda r: r["status"] in ("triaged", "resolved")),
    (["--severity", "critical"], lambda r: r["severity"] == "critical"),
    (["--severity", "info", "--severity", "warning"], lambda r: r["severity"] != "critical"),
    (["--type", "EC2"], lambda r: r["resource_type"] == "EC2"),
    (["--type", "security_group"], lambda r: r["resource_type"] == "SECURITY_GROUP"),
    (["--type", "S3,RDS"], lambda r: r["resource_type"] in ("S3", "RDS")),
    (["--type", "IAM_ROLE"], lambda r: r["resource_type"] == "IAM_ROLE"),
    (["--region", "us-east-1"], lambda r: r["region"] == "us-east-1"),
    (
        ["--region", "eu-west-1", "--region", "global"],
        lambda r: r["region"] in ("eu-west-1", "global"),
    ),
    (["--drift-type", "modified"], lambda r: r["drift_type"] == "modified"),
    (["--drift-type", "missing,unmanaged"], lambda r: r["drift_type"] != "modified"),
    (["--search", "I-0A"], lambda r: r["resource_id"] == "i-0aaa"),  # case-insensitive
    (["--search", "deployer"], lambda r: r["resource_id"] == "ci-deployer"),  # iac_source too
    (["--search", "100%"], lambda r: r["resource_id"] == "acme-logs_100%"),
    (["--search", "_"], lambda r: "_" in r["resource_id"] or "_" in (r.get("iac_source") or "")),
    (["--search", "%"], lambda r: "%" in r["resource_id"]),
    (["--search", "nothing-matches"], lambda r: False),
    # Ages: i-0aaa 1h, ci-deployer 5m, sg-0ccc 30h, i-0bbb 3d, acme-logs 10d, orders-db 40d.
    (["--since", "2d"], lambda r: r["resource_id"] in {"i-0aaa", "ci-deployer", "sg-0ccc"}),
    (["--since", "24h"], lambda r: r["resource_id"] in {"i-0aaa", "ci-deployer"}),
    (["--since", "90m"], lambda r: r["resource_id"] in {"i-0aaa", "ci-deployer"}),
    (["--since", "2w"], lambda r: r["resource_id"] != "orders-db"),
    (
        ["--since", (NOW - timedelta(days=5)).date().isoformat()],  # midnight UTC, 5 days ago
        lambda r: r["resource_id"] in {"i-0aaa", "ci-deployer", "sg-0ccc", "i-0bbb"},
    ),
    (
        [
            "--type",
            "EC2",
            "--region",
            "us-east-1",
            "--severity",
            "critical",
            "--status",
            "detected",
        ],
        lambda r: r["resource_id"] == "i-0aaa",
    ),
]


def test_every_filter(cli: Any, db: DbProbe, varied: list[dict[str, Any]]) -> None:
    # One database for all filters (they only read); every mismatch is reported at once.
    wrong = []
    for args, pred in FILTERS:
        result = cli(["--db", db.url, "list", *args, "-o", "json"])
        assert result.exit_code == 0, (args, result.stderr)
        data = result.json()
        expected = _ids(varied, pred)
        got = {i["id"] for i in data["items"]}
        if got != expected or data["pagination"]["total"] != len(expected):
            wrong.append(f"{' '.join(args)}: got {len(got)} of {len(expected)} expected")
    assert wrong == []


# --- table output: literal markup, visible control characters -------------------------------

HOSTILE_ID = "i-[bold red]x[/]\x1b[31mred\x1b[0m"
HOSTILE_TAG = "[bold red]x[/]"


@pytest.fixture
def hostile(db: DbProbe) -> str:
    return db.add(
        resource_id=HOSTILE_ID,
        difference={
            "tags.Owner": {"change": "changed", "expected": "team-a", "actual": HOSTILE_TAG},
            "tags.Note": {"change": "added", "expected": None, "actual": "\x1b]0;pwned\x07"},
        },
        actual_state={"tags": {"Owner": HOSTILE_TAG}},
    )


def _assert_literal(text: str, *, colour: bool = False) -> None:
    if colour:
        # Rich styles the table itself; the data's own sequences must still be neutralised.
        assert "\x1b[31mred" not in text and "\x1b]0;" not in text and "\x07" not in text
    else:
        assert "\x1b" not in text and "\x07" not in text
    assert "[bold red]x[/]" in text
    assert "\\x1b[31mred\\x1b[0m" in text


def _as_terminal(monkeypatch: pytest.MonkeyPatch, tty: bool) -> None:
    """Make the command believe stdout is a colour terminal (still captured by the test)."""
    if not tty:
        return
    from rich.console import Console

    monkeypatch.setattr("driftctl.cli.runtime.stdout_is_tty", lambda: True)
    monkeypatch.setattr(
        "driftctl.cli.runtime.console",
        lambda: Console(file=sys.stdout, force_terminal=True, color_system="truecolor", width=200),
    )


@pytest.mark.parametrize("tty", [False, True], ids=["piped", "terminal"])
def test_list_table_shows_markup_and_escapes_literally(
    cli: Any, db: DbProbe, hostile: str, tty: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    _as_terminal(monkeypatch, tty)
    result = cli(["--db", db.url, "list"])
    assert result.exit_code == 0, result.stderr
    _assert_literal(result.stdout, colour=tty)
    if tty:
        assert "\x1b[" in result.stdout  # really rendered as a colour terminal
    assert hostile[:8] in result.stdout


@pytest.mark.parametrize("tty", [False, True], ids=["piped", "terminal"])
def test_show_table_shows_markup_and_escapes_literally(
    cli: Any, db: DbProbe, hostile: str, tty: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    _as_terminal(monkeypatch, tty)
    result = cli(["--db", db.url, "show", hostile])
    assert result.exit_code == 0, result.stderr
    _assert_literal(result.stdout, colour=tty)
    assert "tags.Owner" in result.stdout and "team-a" in result.stdout
    assert "\\x1b]0;pwned\\x07" in result.stdout


def test_json_keeps_the_raw_values(cli: Any, db: DbProbe, hostile: str) -> None:
    """JSON is for programs: values round-trip exactly (escaped by JSON itself)."""
    result = cli(["--db", db.url, "show", hostile, "-o", "json"])
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout  # JSON escapes it as \u001b
    data = result.json()
    assert data["resource_id"] == HOSTILE_ID
    assert data["difference"]["tags.Owner"]["actual"] == HOSTILE_TAG


def test_list_table_piped_is_plain(cli: Any, db: DbProbe) -> None:
    drift_id = db.add(severity="critical")
    result = cli(["--db", db.url, "list"])
    assert result.exit_code == 0
    header, row = result.stdout.splitlines()
    assert header.split() == [
        "id",
        "severity",
        "status",
        "drift_type",
        "resource_type",
        "resource_id",
        "region",
        "cost_impact_monthly",
        "detected_at",
    ]
    assert row.split()[:3] == [drift_id[:8], "critical", "detected"]
    assert "page 1 of 1 (1 drift)\n" in result.stderr


def test_audit_table(cli: Any, db: DbProbe) -> None:
    drift_id = db.add()
    cli(["--db", db.url, "approve", drift_id, "--reason", REASON])
    result = cli(["--db", db.url, "audit"])
    assert result.exit_code == 0, result.stderr
    assert "drift_approved" in result.stdout
    assert "detected → approved" in result.stdout
    assert "\x1b" not in result.stdout
