"""No keyring (a server, an SSH box): ``login`` keeps the token in a 0600 file in the user config
directory, says so once on stderr, and ``logout`` removes it. Lookup order: DRIFTCTL_TOKEN, the
keyring, the token file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from driftctl.config import user_config_dir
from driftctl.db.models import AuditLog, LoginSession
from driftctl.services.identity import NOT_LOGGED_IN, hash_token
from driftctl.services.tokens import TOKEN_FILENAME, keyring_entry
from tests.fakes import MemoryKeyring
from tests.files import file_mode
from tests.team.helpers import ADMIN_EMAIL, PASSWORD, Team

ENGINEER = "eli@corp.example"


def token_file() -> Path:
    return user_config_dir() / TOKEN_FILENAME


def saved_tokens() -> dict[str, str]:
    tokens: dict[str, str] = json.loads(token_file().read_text())["tokens"]
    return tokens


def sessions(team: Team) -> list[LoginSession]:
    with team.ctx.read() as session:
        stmt = select(LoginSession).order_by(col(LoginSession.created_at))
        return list(session.execute(stmt).scalars())


def login(team: Team, email: str = ADMIN_EMAIL, *extra: str) -> Any:
    return team.run(["login", "--email", email, *extra], token=None, stdin=PASSWORD + "\n")


def test_login_without_keyring_uses_a_private_token_file(team: Team, umask_000: None) -> None:
    # The root conftest pins the "fail" keyring backend: no keyring on this machine.
    result = login(team)

    assert result.exit_code == 0, result.stderr
    path = token_file()
    assert result.stdout.startswith(f"logged in as {ADMIN_EMAIL} (admin) until ")
    assert result.stdout.rstrip().endswith(f"the token is kept in {path}")
    assert result.stderr == (
        f"warning: no system keyring here: the token is kept in {path} (readable only by you)\n"
    )
    assert (file_mode(path), file_mode(path.parent)) == (0o600, 0o700)
    token = saved_tokens()[keyring_entry(team.db_url)]
    assert token not in result.stdout + result.stderr
    (row,) = sessions(team)
    assert row.refresh_token == hash_token(token)
    with team.ctx.read() as session:
        created = session.execute(
            select(AuditLog).where(col(AuditLog.action) == "session_created")
        ).scalar_one()
    assert created.details is not None and created.details["stored_in"] == "file"

    # Later commands find the login without DRIFTCTL_TOKEN, and say where it came from.
    assert team.run(["list"], token=None).exit_code == 0
    whoami = team.run(["whoami", "-o", "json"], token=None).json()
    assert whoami["email"] == ADMIN_EMAIL and whoami["token_source"] == "file"
    assert "token from token file" in team.run(["whoami"], token=None).stdout


def test_logout_removes_the_token_from_the_file(team: Team) -> None:
    assert login(team).exit_code == 0

    result = team.run(["logout"], token=None)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"logged out {ADMIN_EMAIL}\n"
    assert saved_tokens() == {}
    assert all(s.is_revoked for s in sessions(team))
    after = team.run(["list"], token=None)
    assert after.exit_code == 5 and NOT_LOGGED_IN in after.stderr


def test_logging_in_again_replaces_the_saved_session(team: Team) -> None:
    team.add(ENGINEER, "engineer")
    assert login(team).exit_code == 0
    assert login(team, ENGINEER).exit_code == 0

    old, new = sessions(team)
    assert old.is_revoked and not new.is_revoked
    assert list(saved_tokens()) == [keyring_entry(team.db_url)]
    assert team.run(["whoami", "-o", "json"], token=None).json()["email"] == ENGINEER


def test_one_token_per_database(team: Team, tmp_path: Path, cli: Any) -> None:
    from driftctl.config import load_settings
    from driftctl.services import users
    from driftctl.services.context import open_context

    other = f"sqlite:///{tmp_path / 'other.db'}"
    ctx = open_context(load_settings(database_url=other), command="pytest")
    users.add_user(ctx, "olga@corp.example", role="admin", password=PASSWORD)
    ctx.dispose()

    assert login(team).exit_code == 0
    other_login = cli(
        ["--db", other, "login", "--email", "olga@corp.example"], stdin=PASSWORD + "\n"
    )
    assert other_login.exit_code == 0, other_login.stderr

    assert set(saved_tokens()) == {keyring_entry(team.db_url), keyring_entry(other)}
    assert cli(["--db", other, "whoami", "-o", "json"]).json()["email"] == "olga@corp.example"
    assert team.run(["whoami", "-o", "json"], token=None).json()["email"] == ADMIN_EMAIL


def test_the_environment_token_comes_first(team: Team) -> None:
    team.add(ENGINEER, "engineer")
    assert login(team).exit_code == 0  # saved in the file
    engineer_token = team.login(ENGINEER)  # --print-token: saved nowhere

    whoami = team.run(["whoami", "-o", "json"], token=engineer_token).json()

    assert whoami["email"] == ENGINEER and whoami["token_source"] == "env"
    assert list(saved_tokens()) == [keyring_entry(team.db_url)]


def test_print_token_writes_no_file(team: Team) -> None:
    team.login(ADMIN_EMAIL)
    assert not token_file().exists()


def test_json_login_says_where_the_token_is(team: Team) -> None:
    result = login(team, ADMIN_EMAIL, "-o", "json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["stored_in"] == "file" and data["token_file"] == str(token_file())
    assert "token" not in data


def test_a_null_keyring_counts_as_no_keyring(team: Team) -> None:
    import keyring
    from keyring.backends import null

    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())
    try:
        assert login(team).exit_code == 0
        assert keyring_entry(team.db_url) in saved_tokens()
        assert team.run(["list"], token=None).exit_code == 0
    finally:
        keyring.set_keyring(previous)


def test_with_a_keyring_no_file_is_written(team: Team, memory_keyring: MemoryKeyring) -> None:
    result = login(team)
    assert result.exit_code == 0, result.stderr
    assert "system keyring" in result.stdout and result.stderr == ""
    assert not token_file().exists()


def test_a_token_file_readable_by_others_is_tightened(team: Team) -> None:
    assert login(team).exit_code == 0
    os.chmod(token_file(), 0o644)
    assert team.run(["list"], token=None).exit_code == 0
    assert file_mode(token_file()) == 0o600


def test_unwritable_config_directory_is_one_clear_error(team: Team) -> None:
    config = user_config_dir()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("a file where the directory should be")

    result = login(team)

    assert result.exit_code == 2
    assert result.stderr.startswith("error: cannot write the token file")
    assert "--print-token" in result.stderr
    assert all(s.is_revoked for s in sessions(team))
