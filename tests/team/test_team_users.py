"""user add | list | set-role | deactivate: validation, conflicts, audit rows."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from driftctl.db.models import AuditLog, User
from driftctl.db.repositories import users as users_repo
from driftctl.errors import ValidationError
from driftctl.services import users
from tests.team.helpers import ADMIN_EMAIL, PASSWORD, Team


def _add(cli: Any, db_url: str, email: str, role: str, stdin: str = PASSWORD + "\n") -> Any:
    return cli(["user", "add", email, "--role", role, "--db", db_url], stdin=stdin)


def _user_count(ctx: Any) -> int:
    with ctx.read() as session:
        return users_repo.count(session)


def _audit_rows(ctx: Any, action: str) -> list[AuditLog]:
    with ctx.read() as session:
        stmt = select(AuditLog).where(col(AuditLog.action) == action).order_by(col(AuditLog.seq))
        return list(session.execute(stmt).scalars())


@pytest.mark.parametrize("role", ["engineer", "viewer"])
def test_first_user_must_be_admin(ctx: Any, db_url: str, cli: Any, role: str) -> None:
    result = _add(cli, db_url, "first@corp.example", role)
    assert result.exit_code == 2
    assert "first user of a database must be an admin" in result.stderr
    assert _user_count(ctx) == 0


def test_first_admin_by_the_local_actor_then_admins_only(ctx: Any, db_url: str, cli: Any) -> None:
    first = _add(cli, db_url, "First@Corp.Example", "admin")
    assert first.exit_code == 0, first.stderr
    assert first.stdout == "added first@corp.example (admin)\n"
    (row,) = _audit_rows(ctx, "user_created")
    assert row.actor_id is None  # the implicit local admin has no user row
    assert row.new_value == {"email": "first@corp.example", "role": "admin", "is_active": True}
    assert row.details is not None and row.details["first_user"] is True
    # The database is now in team mode: the local actor can no longer add users.
    second = _add(cli, db_url, "second@corp.example", "admin")
    assert second.exit_code == 5
    assert _user_count(ctx) == 1


def test_duplicate_email_is_a_conflict(team: Team) -> None:
    token = team.login(ADMIN_EMAIL)
    for email in (ADMIN_EMAIL, ADMIN_EMAIL.upper(), f"  {ADMIN_EMAIL} "):
        result = team.run(
            ["user", "add", email, "--role", "viewer"], token=token, stdin=PASSWORD + "\n"
        )
        assert result.exit_code == 4, (email, result.stderr)
        assert "already exists" in result.stderr
    assert _user_count(team.ctx) == 1


@pytest.mark.parametrize(
    "email",
    [
        "no-at-sign.example",
        "a@b",
        "two words@corp.example",
        "a@b@corp.example",
        "@corp.example",
        "x@.",
        "tab\there@corp.example",
        "a@corp.",
        "",
    ],
)
def test_bad_email_is_a_usage_error(ctx: Any, db_url: str, cli: Any, email: str) -> None:
    result = _add(cli, db_url, email, "admin")
    assert result.exit_code == 2
    assert "invalid e-mail" in result.stderr
    assert _user_count(ctx) == 0


@pytest.mark.parametrize(
    "email",
    [
        "a@b.co",
        "first.last+tag@sub.corp.example",
        "a@b",
        "a b@c.de",
        "a@b@c.de",
        "@b.co",
        "a@.co",
        "a@b.",
        "ab.co",
        "a@b.c.",
        "x@-.y",
    ],
)
def test_email_rule_matches_the_database_check(ctx: Any, email: str) -> None:
    """Whatever the code accepts, the users CHECK accepts, and the other way round."""
    try:
        users.normalize_email(email)
        code_ok = True
    except ValidationError:
        code_ok = False
    try:
        with ctx.write() as session:
            session.add(User(email=email, password_hash="x", role="viewer"))
        db_ok = True
    except IntegrityError as exc:
        assert "email_format" in str(exc.orig)
        db_ok = False
    assert code_ok == db_ok


def test_password_length(ctx: Any, db_url: str, cli: Any) -> None:
    short = _add(cli, db_url, "first@corp.example", "admin", stdin="x" * 11 + "\n")
    assert short.exit_code == 2
    assert "at least 12 characters" in short.stderr
    assert "x" * 11 not in short.stderr
    assert _user_count(ctx) == 0
    ok = _add(cli, db_url, "first@corp.example", "admin", stdin="y" * 12 + "\n")
    assert ok.exit_code == 0, ok.stderr


def test_password_is_the_first_line_of_stdin(ctx: Any, db_url: str, cli: Any) -> None:
    first_line = "first-line-password-1"
    result = _add(cli, db_url, "first@corp.example", "admin", stdin=f"{first_line}\r\nsecond\n")
    assert result.exit_code == 0, result.stderr
    with ctx.read() as session:
        user = users_repo.get_by_email(session, "first@corp.example")
    from driftctl.passwords import verify_password

    assert user is not None and verify_password(first_line, user.password_hash)
    login = cli(
        ["login", "--email", "first@corp.example", "--print-token", "--db", db_url],
        stdin=first_line + "\nignored\n",
    )
    assert login.exit_code == 0, login.stderr


def test_empty_stdin_is_a_usage_error(ctx: Any, db_url: str, cli: Any) -> None:
    result = _add(cli, db_url, "first@corp.example", "admin", stdin="")
    assert result.exit_code == 2
    assert "no password given" in result.stderr


def test_terminal_prompt_hides_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    from driftctl.cli import auth_cmd

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    seen: dict[str, Any] = {}

    def fake_prompt(text: str, **kwargs: Any) -> str:
        seen.update(kwargs)
        return "typed-at-the-terminal"

    monkeypatch.setattr("sys.stdin", Tty(""))
    monkeypatch.setattr("typer.prompt", fake_prompt)
    assert auth_cmd.read_password(confirm=True) == "typed-at-the-terminal"
    assert seen["hide_input"] is True and seen["confirmation_prompt"] is True
    assert seen["err"] is True  # the prompt must not pollute stdout (--print-token)


def test_user_list_json_envelope_without_hashes(team: Team) -> None:
    team.add("eli@corp.example", "engineer")
    team.add("vic@corp.example", "viewer")
    result = team.run(["user", "list", "-o", "json", "--limit", "2"], token=team.login(ADMIN_EMAIL))
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["pagination"] == {
        "total": 3,
        "page": 1,
        "page_size": 2,
        "total_pages": 2,
        "has_more": True,
    }
    assert [u["email"] for u in data["items"]] == ["admin@corp.example", "eli@corp.example"]
    assert "password_hash" not in result.stdout and "scrypt" not in result.stdout
    assert set(data["items"][0]) == {
        "id",
        "email",
        "role",
        "first_name",
        "last_name",
        "is_active",
        "created_at",
        "updated_at",
        "last_login_at",
    }
    table = team.run(["user", "list"], token=team.login(ADMIN_EMAIL))
    assert "vic@corp.example" in table.stdout and "viewer" in table.stdout


def test_set_role_and_deactivate_are_audited(team: Team) -> None:
    token = team.login(ADMIN_EMAIL)
    team.add("eli@corp.example", "engineer")
    result = team.run(["user", "set-role", "eli@corp.example", "viewer", "-o", "json"], token=token)
    assert result.exit_code == 0, result.stderr
    assert result.json()["role"] == "viewer"
    (changed,) = _audit_rows(team.ctx, "user_role_changed")
    assert changed.old_value == {"role": "engineer"} and changed.new_value == {"role": "viewer"}
    assert changed.actor_email == ADMIN_EMAIL and changed.actor_id == team.admin.id
    assert changed.details is not None and changed.details["email"] == "eli@corp.example"

    # Setting the same role again changes and audits nothing.
    assert team.run(["user", "set-role", "eli@corp.example", "viewer"], token=token).exit_code == 0
    assert len(_audit_rows(team.ctx, "user_role_changed")) == 1

    result = team.run(["user", "deactivate", "eli@corp.example"], token=token)
    assert result.exit_code == 0, result.stderr
    (gone,) = _audit_rows(team.ctx, "user_deactivated")
    assert gone.old_value == {"is_active": True} and gone.new_value == {"is_active": False}


def test_the_last_admin_stays(team: Team) -> None:
    token = team.login(ADMIN_EMAIL)
    for args in (
        ["user", "set-role", ADMIN_EMAIL, "engineer"],
        ["user", "deactivate", ADMIN_EMAIL],
    ):
        result = team.run(args, token=token)
        assert result.exit_code == 4, result.stderr
        assert "last active admin" in result.stderr
    # With a second admin, the first can step down.
    team.add("ada2@corp.example", "admin")
    assert team.run(["user", "set-role", ADMIN_EMAIL, "engineer"], token=token).exit_code == 0


def test_unknown_user_and_bad_role(team: Team) -> None:
    token = team.login(ADMIN_EMAIL)
    missing = team.run(["user", "set-role", "ghost@corp.example", "viewer"], token=token)
    assert missing.exit_code == 3
    assert "no user with e-mail ghost@corp.example" in missing.stderr
    bad = team.run(["user", "set-role", ADMIN_EMAIL, "superuser"], token=token)
    assert bad.exit_code == 2
    assert "invalid role" in bad.stderr
    bad_add = team.run(
        ["user", "add", "x@corp.example", "--role", "root"], token=token, stdin=PASSWORD + "\n"
    )
    assert bad_add.exit_code == 2
