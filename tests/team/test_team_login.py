"""Logging in and out, tokens, sessions, and who commands run as."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import col

from driftctl.db.models import AuditLog, LoginSession, User
from driftctl.db.repositories import sessions as sessions_repo
from driftctl.db.repositories import users as users_repo
from driftctl.db.types import utcnow
from driftctl.services import identity, login
from driftctl.services.identity import NOT_LOGGED_IN, hash_token
from driftctl.services.tokens import keyring_entry
from tests.fakes import MemoryKeyring
from tests.team.helpers import ADMIN_EMAIL, PASSWORD, Team

ENGINEER = "eli@corp.example"


def _sessions(team: Team) -> list[LoginSession]:
    with team.ctx.read() as session:
        return list(session.execute(select(LoginSession)).scalars())


def _actions(team: Team) -> list[str]:
    with team.ctx.read() as session:
        rows = session.execute(select(AuditLog).order_by(col(AuditLog.seq))).scalars()
        return [r.action for r in rows]


def test_login_prints_only_the_token_and_stores_only_its_hash(team: Team) -> None:
    team.add(ENGINEER, "engineer")
    result = team.run(
        ["login", "--email", ENGINEER, "--print-token"], token=None, stdin=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.stderr
    token = result.stdout.strip()
    assert result.stdout == token + "\n"
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert f"logged in as {ENGINEER} (engineer)" in result.stderr

    (row,) = _sessions(team)
    assert row.refresh_token == hash_token(token) != token
    assert not row.is_revoked
    assert row.user_agent and row.user_agent.startswith("driftctl/")
    lifetime = row.expires_at - row.created_at
    assert timedelta(hours=11, minutes=59) < lifetime <= timedelta(hours=12)
    with team.ctx.read() as session:
        user = users_repo.get_by_email(session, ENGINEER)
        assert user is not None and user.last_login_at is not None
    assert _actions(team)[-1] == "session_created"

    whoami = team.run(["whoami", "-o", "json"], token=token).json()
    assert whoami["mode"] == "team"
    assert whoami["email"] == ENGINEER and whoami["role"] == "engineer"
    assert whoami["session_id"] == str(row.id)
    assert whoami["token_source"] == "env"


def test_login_ttl(team: Team) -> None:
    team.run(
        ["login", "--email", ADMIN_EMAIL, "--print-token", "--ttl", "2h"],
        token=None,
        stdin=PASSWORD + "\n",
    )
    (row,) = _sessions(team)
    assert timedelta(hours=1, minutes=59) < row.expires_at - row.created_at <= timedelta(hours=2)
    for bad in ("31d", "0m", "forever", "5y", "9" * 30 + "d", "99999999999w"):
        result = team.run(
            ["login", "--email", ADMIN_EMAIL, "--print-token", "--ttl", bad],
            token=None,
            stdin=PASSWORD + "\n",
        )
        assert result.exit_code == 2, (bad, result.stderr)
        assert "--ttl" in result.stderr
    assert len(_sessions(team)) == 1


@pytest.mark.parametrize("problem", ["wrong password", "unknown e-mail", "inactive user"])
def test_bad_logins_all_look_the_same(team: Team, problem: str) -> None:
    team.add(ENGINEER, "engineer")
    email, password = ENGINEER, PASSWORD
    if problem == "wrong password":
        password = "not-the-right-password"
    elif problem == "unknown e-mail":
        email = "nobody@corp.example"
    else:
        with team.ctx.write() as session:
            user = users_repo.get_by_email(session, ENGINEER)
            assert user is not None
            users_repo.update_user(session, user_id=user.id, values={"is_active": False})
    audit_before = team.audit_count()

    result = team.run(
        ["login", "--email", email, "--print-token"], token=None, stdin=password + "\n"
    )

    assert result.exit_code == 5
    assert result.stdout == ""
    assert "error: invalid e-mail or password" in result.stderr
    assert "login failed" in result.stderr  # the warning log line
    assert password not in result.stderr
    assert _sessions(team) == []
    assert team.audit_count() == audit_before


def test_expired_token_is_refused(team: Team) -> None:
    token = "an-expired-session-token-for-testing-only"
    with team.ctx.write() as session:
        assert team.admin.id is not None
        sessions_repo.add(
            session,
            user_id=team.admin.id,
            token_hash=hash_token(token),
            expires_at=utcnow() - timedelta(minutes=5),
            user_agent="test",
            created_at=utcnow() - timedelta(hours=12),
        )
    result = team.run(["list"], token=token)
    assert result.exit_code == 5
    assert "expired at" in result.stderr
    assert "DRIFTCTL_TOKEN" in result.stderr


def test_logout_revokes_the_session(team: Team) -> None:
    token = team.login(ADMIN_EMAIL)
    assert team.run(["list"], token=token).exit_code == 0

    result = team.run(["logout"], token=token)
    assert result.exit_code == 0, result.stderr
    assert f"logged out {ADMIN_EMAIL}" in result.stdout
    (row,) = _sessions(team)
    assert row.is_revoked
    assert _actions(team)[-1] == "session_revoked"

    after = team.run(["list"], token=token)
    assert after.exit_code == 5
    assert "revoked" in after.stderr
    # Logging out twice revokes nothing more and audits nothing more.
    again = team.run(["logout"], token=token)
    assert again.exit_code == 0
    assert "already ended" in again.stdout
    assert _actions(team).count("session_revoked") == 1


def test_unknown_token_is_refused(team: Team) -> None:
    result = team.run(["list"], token="made-up-token-that-was-never-issued")
    assert result.exit_code == 5
    assert "not a known session" in result.stderr


def test_inactive_users_token_is_refused(team: Team) -> None:
    team.add(ENGINEER, "engineer")
    token = team.login(ENGINEER)
    with team.ctx.write() as session:
        user = users_repo.get_by_email(session, ENGINEER)
        assert user is not None
        # Flip the flag alone (deactivate also revokes sessions) to test the user check itself.
        users_repo.update_user(session, user_id=user.id, values={"is_active": False})
    result = team.run(["list"], token=token)
    assert result.exit_code == 5
    assert f"user {ENGINEER} is deactivated" in result.stderr


def test_deactivating_a_user_ends_their_sessions(team: Team) -> None:
    team.add(ENGINEER, "engineer")
    token = team.login(ENGINEER)
    assert team.run(["user", "deactivate", ENGINEER], token=team.login(ADMIN_EMAIL)).exit_code == 0
    result = team.run(["list"], token=token)
    assert result.exit_code == 5
    assert "revoked" in result.stderr


def test_team_mode_without_a_token(team: Team) -> None:
    for args in (["list"], ["whoami"], ["audit"], ["user", "list"]):
        result = team.run(args, token=None)
        assert result.exit_code == 5, args
        assert NOT_LOGGED_IN in result.stderr
    # The way in, a schema check, and help work without a login.
    assert team.run(["db", "current"], token=None).exit_code == 0
    assert team.run(["--help"], token=None).exit_code == 0
    assert team.cli(["--version"]).exit_code == 0
    assert team.login(ADMIN_EMAIL)


def test_json_error_when_not_logged_in(team: Team) -> None:
    result = team.run(["list", "-o", "json"], token=None)
    assert result.exit_code == 5
    import json

    error = json.loads(result.stderr.strip().splitlines()[-1])["error"]
    assert error["code"] == "FORBIDDEN"


def test_local_mode_needs_no_login(
    ctx: Any, db_url: str, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = cli(["whoami", "--db", db_url])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("local mode:")
    # A stray token means nothing to a database without users.
    monkeypatch.setenv("DRIFTCTL_TOKEN", "left-over-token-from-another-database")
    data = cli(["whoami", "--db", db_url, "-o", "json"]).json()
    assert data["mode"] == "local" and data["role"] == "admin"
    assert cli(["list", "--db", db_url]).exit_code == 0


def test_whoami_redacts_the_database_password(ctx: Any) -> None:
    from driftctl.config import load_settings
    from driftctl.services.context import Context

    settings = load_settings(database_url="postgresql://app:s3cret-pw@db.internal/driftctl")
    fake = Context(settings=settings, engine=ctx.engine, read_engine=ctx.read_engine)
    info = login.whoami(fake)
    assert "s3cret-pw" not in info.database and "db.internal" in info.database


@pytest.fixture
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Any) -> Any:
    """A database without any driftctl table (before the first ``db upgrade``)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    from tests.team.conftest import fresh_pg_database

    with fresh_pg_database(migrated=False) as url:
        yield url


@pytest.mark.parametrize(
    "empty_db_url",
    ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
    indirect=True,
)
def test_no_schema_yet_means_local_mode(empty_db_url: str, cli: Any) -> None:
    from driftctl.config import load_settings
    from driftctl.services.context import open_context

    ctx = open_context(load_settings(database_url=empty_db_url), migrate=False)
    try:
        actor = identity.current_actor(ctx)
    finally:
        ctx.dispose()
    assert actor.is_local and actor.role.value == "admin"
    result = cli(["db", "upgrade", "--db", empty_db_url])
    assert result.exit_code == 0, result.stderr
    assert "upgraded" in result.stdout


def test_session_use_is_recorded_at_most_once_a_minute(team: Team) -> None:
    token = team.login(ADMIN_EMAIL)
    (fresh,) = _sessions(team)
    assert fresh.last_used_at is None
    assert team.run(["list"], token=token).exit_code == 0
    (first,) = _sessions(team)
    assert first.last_used_at is not None
    assert team.run(["list"], token=token).exit_code == 0
    (second,) = _sessions(team)
    assert second.last_used_at == first.last_used_at


def test_keyring_login_whoami_logout(team: Team, memory_keyring: MemoryKeyring) -> None:
    result = team.run(["login", "--email", ADMIN_EMAIL], token=None, stdin=PASSWORD + "\n")
    assert result.exit_code == 0, result.stderr
    assert "system keyring" in result.stdout
    entry = ("driftctl", keyring_entry(team.db_url))
    token = memory_keyring.entries[entry]
    assert token not in result.stdout + result.stderr
    (row,) = _sessions(team)
    assert row.refresh_token == hash_token(token)

    whoami = team.run(["whoami", "-o", "json"], token=None).json()
    assert whoami["email"] == ADMIN_EMAIL and whoami["token_source"] == "keyring"

    # Logging in again replaces this machine's previous session for the same database.
    assert (
        team.run(["login", "--email", ADMIN_EMAIL], token=None, stdin=PASSWORD + "\n").exit_code
        == 0
    )
    old, new = sorted(_sessions(team), key=lambda s: s.created_at)
    assert old.is_revoked and not new.is_revoked
    assert memory_keyring.entries[entry] != token

    out = team.run(["logout"], token=None)
    assert out.exit_code == 0, out.stderr
    assert entry not in memory_keyring.entries
    assert all(s.is_revoked for s in _sessions(team))
    after = team.run(["list"], token=None)
    assert after.exit_code == 5 and NOT_LOGGED_IN in after.stderr


def test_keyring_entries_differ_per_database(tmp_path: Any) -> None:
    a = keyring_entry(f"sqlite:///{tmp_path / 'a.db'}")
    b = keyring_entry(f"sqlite:///{tmp_path / 'b.db'}")
    pg1 = keyring_entry("postgresql://u:one@db.example/driftctl")
    pg2 = keyring_entry("postgresql+psycopg://u:two@db.example/driftctl")
    assert len({a, b, pg1}) == 3
    # The password is not part of the key: rotating it keeps the login.
    assert pg1 == pg2
    assert "one" not in pg1 and "db.example" not in pg1


def test_password_reset_ends_sessions_and_changes_the_password(team: Team) -> None:
    team.add(ENGINEER, "engineer")
    old_token = team.login(ENGINEER)
    admin = team.login(ADMIN_EMAIL)
    new_password = "a-brand-new-password-7"
    result = team.run(["user", "reset-password", ENGINEER], token=admin, stdin=new_password + "\n")
    assert result.exit_code == 0, result.stderr
    assert team.run(["list"], token=old_token).exit_code == 5
    assert (
        team.run(
            ["login", "--email", ENGINEER, "--print-token"], token=None, stdin=PASSWORD + "\n"
        ).exit_code
        == 5
    )
    assert team.login(ENGINEER, new_password)
    with team.ctx.read() as session:
        row = session.execute(
            select(AuditLog).where(col(AuditLog.action) == "user_password_reset")
        ).scalar_one()
    assert row.details is not None and row.details["sessions_revoked"] == 1
    assert row.old_value is None and row.new_value is None
    assert row.actor_email == ADMIN_EMAIL


def test_users_table_keeps_no_plain_password(team: Team) -> None:
    with team.ctx.read() as session:
        (user,) = session.execute(select(User)).scalars()
    assert PASSWORD not in user.password_hash and user.password_hash.startswith("scrypt$")


def test_a_refusing_keyring_leaves_no_live_session(
    team: Team, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    from keyring.errors import KeyringLocked

    def locked(service: str, username: str, password: str) -> None:
        raise KeyringLocked("locked")

    monkeypatch.setattr(memory_keyring, "set_password", locked)
    result = team.run(["login", "--email", ADMIN_EMAIL], token=None, stdin=PASSWORD + "\n")
    assert result.exit_code == 6
    assert "--print-token" in result.stderr
    (row,) = _sessions(team)
    assert row.is_revoked
    assert _actions(team)[-2:] == ["session_created", "session_revoked"]


def test_logout_without_a_login(team: Team) -> None:
    result = team.run(["logout"], token=None)
    assert result.exit_code == 5
    assert "not logged in" in result.stderr
