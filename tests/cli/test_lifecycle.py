"""Every lifecycle transition through the command line, allowed and refused (SPEC §5)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli.probe import DbProbe

REASON = "intended change for the launch"
OPEN = ("detected", "triaged", "approved", "rejected")
ALL = (*OPEN, "resolved")

# command line (after the ids), status before -> status after, audit action
ALLOWED = [
    (["triage"], "detected", "triaged", "drift_triaged"),
    (["triage", "--note", "looking at it"], "detected", "triaged", "drift_triaged"),
    (["approve", "--reason", REASON], "detected", "approved", "drift_approved"),
    (["approve", "--reason", REASON], "triaged", "approved", "drift_approved"),
    (["reject", "--reason", REASON], "detected", "rejected", "drift_rejected"),
    (["reject", "--reason", REASON], "triaged", "rejected", "drift_rejected"),
    (["resolve", "--how", "manual-fix"], "approved", "resolved", "drift_resolved"),
    (["resolve", "--how", "manual-fix"], "rejected", "resolved", "drift_resolved"),
    *[
        (
            ["resolve", "--how", "acknowledged", "--reason", "won't fix"],
            s,
            "resolved",
            "drift_resolved",
        )
        for s in OPEN
    ],
]

REFUSED = [
    *[(["triage"], s) for s in ALL if s != "detected"],
    *[(["approve", "--reason", REASON], s) for s in ("approved", "rejected", "resolved")],
    *[(["reject", "--reason", REASON], s) for s in ("approved", "rejected", "resolved")],
    *[(["resolve", "--how", "manual-fix"], s) for s in ("detected", "triaged", "resolved")],
    (["resolve", "--how", "acknowledged"], "resolved"),
]


def _resolved_extra(status: str) -> dict[str, Any]:
    return {"resolved_how": "acknowledged"} if status == "resolved" else {}


@pytest.mark.parametrize(
    ("command", "before", "after", "action"),
    ALLOWED,
    ids=[
        "-".join(
            [c[0], *(c[2:3] if c[0] == "resolve" else []), *(["note"] if "--note" in c else []), b]
        )
        for c, b, _, _ in ALLOWED
    ],
)
def test_allowed_transition(
    cli: Any, db: DbProbe, command: list[str], before: str, after: str, action: str
) -> None:
    drift_id = db.add(status=before, **_resolved_extra(before))
    bystander = db.add()
    audit_before = db.audit_count()

    result = cli(["--db", db.url, command[0], drift_id, *command[1:]])

    assert result.exit_code == 0, result.stderr
    assert drift_id in result.stdout
    assert result.stderr == ""
    drift = db.drift(drift_id)
    assert drift.status == after
    assert db.status(bystander) == "detected"
    rows = db.audit(drift_id)
    assert db.audit_count() == audit_before + 1
    assert len(rows) == 1
    assert rows[0].action == action
    assert rows[0].old_value == {"status": before}
    assert rows[0].new_value == {"status": after}
    assert rows[0].actor_email  # the local actor is recorded
    if command[0] == "approve":
        assert drift.approval_reason == REASON and drift.approved_at is not None
    if command[0] == "reject":
        assert drift.rejection_reason == REASON and drift.rejected_at is not None
    if command[0] == "resolve":
        assert drift.resolved_how == command[2] and drift.resolved_at is not None
        assert rows[0].details and rows[0].details["how"] == command[2]
    if command[0] == "triage":
        assert drift.triaged_at is not None
        if "--note" in command:
            assert rows[0].details == {"note": "looking at it"}


@pytest.mark.parametrize(
    ("command", "status"),
    REFUSED,
    ids=[f"{c[0]}{'-' + c[2] if c[0] == 'resolve' else ''}-{s}" for c, s in REFUSED],
)
def test_transition_from_wrong_status_exits_4(
    cli: Any, db: DbProbe, command: list[str], status: str
) -> None:
    drift_id = db.add(status=status, **_resolved_extra(status))
    before = db.snapshot()

    result = cli(["--db", db.url, command[0], drift_id, *command[1:]])

    assert result.exit_code == 4, result.stderr
    assert result.stdout == ""
    assert status in result.stderr and drift_id in result.stderr
    assert db.snapshot() == before


def test_wrong_status_json_error(cli: Any, db: DbProbe) -> None:
    drift_id = db.add(status="approved")
    result = cli(["--db", db.url, "-o", "json", "approve", drift_id, "--reason", REASON])
    assert result.exit_code == 4
    assert result.stdout == ""
    error = json.loads(result.stderr)["error"]
    assert error["code"] == "CONFLICT"
    assert error["details"] == {"id": drift_id, "status": "approved"}


@pytest.mark.parametrize("status", ["approved", "resolved"])
def test_auto_remediate_refuses_a_drift_it_may_not_touch(
    cli: Any, db: DbProbe, status: str
) -> None:
    # Refused before AWS is read: an approved drift is intended, a resolved one is closed.
    drift_id = db.add(status=status)
    before = db.snapshot()
    result = cli(["--db", db.url, "resolve", drift_id, "--how", "auto-remediate"])
    assert result.exit_code == 4
    assert len(result.stderr.strip().splitlines()) == 1
    assert status in result.stderr
    assert db.snapshot() == before


def test_unknown_how_is_exit_2(cli: Any, db: DbProbe) -> None:
    drift_id = db.add(status="approved")
    before = db.snapshot()
    result = cli(["--db", db.url, "resolve", drift_id, "--how", "fixed-it"])
    assert result.exit_code == 2
    assert "--how" in result.stderr
    assert db.snapshot() == before


@pytest.mark.parametrize(
    "command",
    [
        ["triage"],
        ["approve", "--reason", REASON],
        ["reject", "--reason", REASON],
        ["resolve", "--how", "acknowledged"],
    ],
    ids=lambda c: c[0],
)
def test_unknown_id_exits_3(cli: Any, db: DbProbe, command: list[str]) -> None:
    db.add()
    before = db.snapshot()
    for unknown in ("00000000-0000-4000-8000-000000000000", "0000000"):
        result = cli(["--db", db.url, command[0], unknown, *command[1:]])
        assert result.exit_code == 3, result.stderr
        assert result.stdout == ""
        assert "no drift" in result.stderr
    assert db.snapshot() == before


def test_show_unknown_id_exits_3(cli: Any, db: DbProbe) -> None:
    result = cli(["--db", db.url, "show", "00000000-0000-4000-8000-000000000000"])
    assert result.exit_code == 3
    assert result.stdout == ""


AMBIGUOUS = ("abcdef12-0000-4000-8000-000000000001", "abcdef12-0000-4000-8000-000000000002")


@pytest.mark.parametrize("command", [["approve", "--reason", REASON], ["show"]], ids=lambda c: c[0])
def test_ambiguous_prefix_exits_2_listing_candidates(
    cli: Any, db: DbProbe, command: list[str]
) -> None:
    for i, drift_id in enumerate(AMBIGUOUS):
        db.add(id=drift_id, resource_id=f"i-ambiguous{i}")
    before = db.snapshot()

    result = cli(["--db", db.url, command[0], "abcdef12", *command[1:]])

    assert result.exit_code == 2
    assert result.stdout == ""
    assert "ambiguous" in result.stderr
    for drift_id in AMBIGUOUS:
        assert drift_id in result.stderr
    assert db.snapshot() == before

    as_json = cli(["--db", db.url, "-o", "json", command[0], "abcdef12", *command[1:]])
    assert as_json.exit_code == 2
    error = json.loads(as_json.stderr)["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert sorted(error["details"]["candidates"]) == sorted(AMBIGUOUS)


def test_unique_prefix_and_uppercase_are_accepted(cli: Any, db: DbProbe) -> None:
    for i, drift_id in enumerate(AMBIGUOUS):
        db.add(id=drift_id, resource_id=f"i-ambiguous{i}")
    # Long enough to be unique; upper case as people copy it from other tools.
    prefix = AMBIGUOUS[1][:-1].upper() + "2"
    result = cli(["--db", db.url, "approve", prefix, "--reason", REASON])
    assert result.exit_code == 0, result.stderr
    assert db.status(AMBIGUOUS[1]) == "approved"
    assert db.status(AMBIGUOUS[0]) == "detected"


def test_prefix_shorter_than_6_is_exit_2(cli: Any, db: DbProbe) -> None:
    drift_id = db.add()
    result = cli(["--db", db.url, "approve", drift_id[:5], "--reason", REASON])
    assert result.exit_code == 2
    assert "at least 6" in result.stderr
    assert db.status(drift_id) == "detected"


@pytest.mark.parametrize("verb", ["approve", "reject"])
@pytest.mark.parametrize(
    "reason_args",
    [[], ["--reason", "too short"], ["--reason", "         x         "], ["--reason", ""]],
    ids=["missing", "9-chars", "padded", "empty"],
)
def test_reason_missing_or_short_exits_2(
    cli: Any, db: DbProbe, verb: str, reason_args: list[str]
) -> None:
    drift_id = db.add()
    before = db.snapshot()
    result = cli(["--db", db.url, verb, drift_id, *reason_args])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "--reason" in result.stderr and "10" in result.stderr
    assert db.snapshot() == before


def test_reason_of_exactly_10_characters_is_enough(cli: Any, db: DbProbe) -> None:
    drift_id = db.add()
    result = cli(["--db", db.url, "approve", drift_id, "--reason", "0123456789"])
    assert result.exit_code == 0, result.stderr
    assert db.drift(drift_id).approval_reason == "0123456789"


def test_several_ids_change_together(cli: Any, db: DbProbe) -> None:
    ids = [db.add() for _ in range(3)]
    result = cli(["--db", db.url, "-o", "json", "approve", *ids, "--reason", REASON])
    assert result.exit_code == 0, result.stderr
    assert sorted(i["id"] for i in result.json()["items"]) == sorted(ids)
    assert all(db.status(i) == "approved" for i in ids)
    assert len(db.audit(action="drift_approved")) == 3


@pytest.mark.parametrize("bad", ["wrong-status", "unknown", "ambiguous"])
def test_several_ids_are_all_or_nothing(cli: Any, db: DbProbe, bad: str) -> None:
    good = [db.add(), db.add()]
    if bad == "wrong-status":
        culprit, code = db.add(status="rejected"), 4
    elif bad == "unknown":
        culprit, code = "12345678-1234-4234-8234-123456789abc", 3
    else:
        for i, drift_id in enumerate(AMBIGUOUS):
            db.add(id=drift_id, resource_id=f"i-ambiguous{i}")
        culprit, code = "abcdef12", 2
    before = db.snapshot()

    # The bad id sits between good ones: the first must be rolled back, not left approved.
    result = cli(["--db", db.url, "approve", good[0], culprit, good[1], "--reason", REASON])

    assert result.exit_code == code, result.stderr
    assert result.stdout == ""
    assert db.snapshot() == before
    assert db.audit(action="drift_approved") == []


def test_same_drift_twice_in_one_call_changes_it_once(cli: Any, db: DbProbe) -> None:
    drift_id = db.add()
    result = cli(["--db", db.url, "triage", drift_id, drift_id[:8], drift_id.upper()])
    assert result.exit_code == 0, result.stderr
    assert len(db.audit(drift_id)) == 1


def test_ids_from_stdin(cli: Any, db: DbProbe) -> None:
    ids = [db.add() for _ in range(3)]
    untouched = db.add()
    stdin = f"{ids[0]}\n\n  {ids[1][:8]}  \n{ids[2]}\n"
    result = cli(["--db", db.url, "reject", "-", "--reason", REASON], stdin=stdin)
    assert result.exit_code == 0, result.stderr
    assert [db.status(i) for i in ids] == ["rejected"] * 3
    assert db.status(untouched) == "detected"
    assert len(db.audit(action="drift_rejected")) == 3


def test_ids_from_stdin_and_arguments_mixed(cli: Any, db: DbProbe) -> None:
    first, second = db.add(), db.add()
    result = cli(["--db", db.url, "triage", first, "-"], stdin=second + "\n")
    assert result.exit_code == 0, result.stderr
    assert db.status(first) == db.status(second) == "triaged"


def test_empty_stdin_is_exit_2(cli: Any, db: DbProbe) -> None:
    db.add()
    before = db.snapshot()
    result = cli(["--db", db.url, "approve", "-", "--reason", REASON], stdin="\n\n")
    assert result.exit_code == 2
    assert "no drift ids" in result.stderr
    assert db.snapshot() == before


def test_pipeline_from_list_json_to_approve(cli: Any, db: DbProbe) -> None:
    """SPEC §6: list -o json | jq -r '.items[].id' | approve - --reason …"""
    critical = [db.add(severity="critical") for _ in range(2)]
    db.add(severity="info")
    listed = cli(["--db", db.url, "list", "--severity", "critical", "-o", "json"])
    stdin = "".join(item["id"] + "\n" for item in listed.json()["items"])
    result = cli(["--db", db.url, "approve", "-", "--reason", REASON], stdin=stdin)
    assert result.exit_code == 0, result.stderr
    assert sorted(i for i, s in db.statuses().items() if s == "approved") == sorted(critical)


@pytest.mark.parametrize("verb", ["approve", "reject", "resolve"])
def test_deciding_marks_unread_alerts_read(cli: Any, db: DbProbe, verb: str) -> None:
    drift_id = db.add(status="approved" if verb == "resolve" else "detected")
    unread = [db.add_alert(drift_id), db.add_alert(drift_id, severity="critical")]
    already_read = db.add_alert(drift_id, is_read=True)
    other_drift = db.add()
    other_alert = db.add_alert(other_drift)
    args = ["--how", "manual-fix"] if verb == "resolve" else ["--reason", REASON]

    result = cli(["--db", db.url, verb, drift_id, *args])

    assert result.exit_code == 0, result.stderr
    alerts = {str(a.id): a for a in db.alerts(drift_id)}
    for alert_id in unread:
        assert alerts[alert_id].is_read
        assert alerts[alert_id].read_at is not None
    assert alerts[already_read].is_read and alerts[already_read].read_at is None
    assert not db.alerts(other_drift)[0].is_read
    read_rows = db.audit(drift_id, action="alert_read")
    assert sorted(r.new_value["alert_id"] for r in read_rows) == sorted(unread)  # type: ignore[index]
    assert str(other_alert) not in {r.new_value["alert_id"] for r in read_rows}  # type: ignore[index]
    # Still exactly one status-change row.
    assert len([r for r in db.audit(drift_id) if r.action != "alert_read"]) == 1


def test_triage_leaves_alerts_unread(cli: Any, db: DbProbe) -> None:
    drift_id = db.add()
    db.add_alert(drift_id)
    result = cli(["--db", db.url, "triage", drift_id])
    assert result.exit_code == 0
    assert not db.alerts(drift_id)[0].is_read


def test_full_lifecycle_shows_in_audit_and_show(cli: Any, db: DbProbe) -> None:
    drift_id = db.add()
    steps = [
        ["triage", drift_id, "--note", "checking with the app team"],
        ["reject", drift_id, "--reason", "port 22 must stay closed"],
        ["resolve", drift_id, "--how", "manual-fix", "--reason", "closed it"],
    ]
    for step in steps:
        assert cli(["--db", db.url, *step]).exit_code == 0
    trail = cli(["--db", db.url, "show", drift_id, "-o", "json"]).json()["audit_trail"]
    assert [(r["old_value"]["status"], r["new_value"]["status"]) for r in trail] == [
        ("detected", "triaged"),
        ("triaged", "rejected"),
        ("rejected", "resolved"),
    ]
    verify = cli(["--db", db.url, "audit", "verify"])
    assert verify.exit_code == 0, verify.stderr
    assert "3 rows" in verify.stdout
