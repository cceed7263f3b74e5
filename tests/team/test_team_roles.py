"""Who may run what: every role against every command that changes something."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from driftctl.db.models import Drift, User
from driftctl.db.repositories import users as users_repo
from tests.factories import insert_drifts, make_drift
from tests.team.helpers import PASSWORD, Team

TARGET = "target@corp.example"
NEW_USER = "new@corp.example"


@dataclass(frozen=True)
class Case:
    args: Callable[[str], list[str]]  # drift id -> argv
    needs: str  # the lowest role allowed
    done: Callable[[Team, str], bool]  # did the command take effect?
    stdin: str = ""


def _drift_status(team: Team, drift_id: str) -> str:
    import uuid

    with team.ctx.read() as session:
        drift = session.get(Drift, uuid.UUID(drift_id))
        assert drift is not None
        return drift.status


def _user(team: Team, email: str) -> User | None:
    with team.ctx.read() as session:
        return users_repo.get_by_email(session, email)


def _role_of(team: Team, email: str) -> str | None:
    user = _user(team, email)
    return user.role if user else None


def _is_active(team: Team, email: str) -> bool:
    user = _user(team, email)
    return bool(user and user.is_active)


def _revision(team: Team) -> str | None:
    from driftctl.services.context import schema_revision

    return schema_revision(team.ctx)


CASES = {
    "triage": Case(
        lambda d: ["triage", d], "engineer", lambda t, d: _drift_status(t, d) != "detected"
    ),
    "approve": Case(
        lambda d: ["approve", d, "--reason", "scaled up on purpose for the launch"],
        "engineer",
        lambda t, d: _drift_status(t, d) == "approved",
    ),
    "reject": Case(
        lambda d: ["reject", d, "--reason", "must be reverted by the owning team"],
        "engineer",
        lambda t, d: _drift_status(t, d) == "rejected",
    ),
    "resolve": Case(
        lambda d: ["resolve", d, "--how", "acknowledged"],
        "engineer",
        lambda t, d: _drift_status(t, d) == "resolved",
    ),
    "user add": Case(
        lambda d: ["user", "add", NEW_USER, "--role", "viewer"],
        "admin",
        lambda t, d: _user(t, NEW_USER) is not None,
        stdin=PASSWORD + "\n",
    ),
    "user set-role": Case(
        lambda d: ["user", "set-role", TARGET, "viewer"],
        "admin",
        lambda t, d: _role_of(t, TARGET) == "viewer",
    ),
    "user deactivate": Case(
        lambda d: ["user", "deactivate", TARGET],
        "admin",
        lambda t, d: not _is_active(t, TARGET),
    ),
    "user reset-password": Case(
        lambda d: ["user", "reset-password", TARGET],
        "admin",
        lambda t, d: (
            t.run(
                ["login", "--email", TARGET, "--print-token"],
                token=None,
                stdin="another-long-password\n",
            ).exit_code
            == 0
        ),
        stdin="another-long-password\n",
    ),
}
RANK = {"viewer": 1, "engineer": 2, "admin": 3}


@pytest.mark.parametrize("command", list(CASES))
@pytest.mark.parametrize("role", ["viewer", "engineer", "admin"])
def test_role_matrix(team: Team, role: str, command: str) -> None:
    case = CASES[command]
    (drift_id,) = insert_drifts(team.ctx, make_drift())
    team.add(TARGET, "engineer")
    actor = f"{role}-actor@corp.example"
    team.add(actor, role)
    token = team.login(actor)
    audit_before = team.audit_count()

    result = team.run(case.args(drift_id), token=token, stdin=case.stdin)

    allowed = RANK[role] >= RANK[case.needs]
    if allowed:
        assert result.exit_code == 0, result.stderr
        assert team.audit_count() > audit_before
        assert case.done(team, drift_id)
    else:
        assert result.exit_code == 5, result.stderr
        assert "may not" in result.stderr and f"needs {case.needs}" in result.stderr
        # A denied attempt is logged, never audited.
        assert "permission denied" in result.stderr
        assert team.audit_count() == audit_before
        assert not case.done(team, drift_id)


@pytest.mark.parametrize("role", ["viewer", "engineer", "admin"])
def test_db_upgrade_needs_admin_once_the_schema_exists(team: Team, role: str) -> None:
    actor = f"{role}-actor@corp.example"
    team.add(actor, role)
    result = team.run(["db", "upgrade"], token=team.login(actor))
    assert result.exit_code == (0 if role == "admin" else 5), result.stderr
    assert _revision(team) is not None


@pytest.mark.parametrize(
    "args",
    [
        ["list", "-o", "json"],
        ["audit", "-o", "json"],
        ["audit", "verify"],
        ["audit", "anchor"],
        ["whoami"],
        ["user", "list"],
        ["db", "current"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_viewer_runs_read_only_commands(team: Team, args: list[str]) -> None:
    insert_drifts(team.ctx, make_drift())
    team.add("viewer@corp.example", "viewer")
    result = team.run(args, token=team.login("viewer@corp.example"))
    assert result.exit_code == 0, result.stderr


def test_show_works_for_a_viewer(team: Team) -> None:
    (drift_id,) = insert_drifts(team.ctx, make_drift())
    team.add("viewer@corp.example", "viewer")
    result = team.run(["show", drift_id, "-o", "json"], token=team.login("viewer@corp.example"))
    assert result.exit_code == 0, result.stderr
    assert result.json()["id"] == drift_id
