"""Passwords and tokens never reach the database, the logs or the JSON output."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlmodel import col

from driftctl.db.models import LoginSession, metadata
from driftctl.services.identity import hash_token
from tests.factories import insert_drifts, make_drift
from tests.fakes import MemoryKeyring
from tests.team.helpers import ADMIN_EMAIL, PASSWORD, Team

ENGINEER_PASSWORD = "engineer-s3cret-passphrase"
RESET_PASSWORD = "after-the-reset-passphrase"
WRONG_PASSWORD = "a-wrong-guess-passphrase"


def _dump(team: Team) -> str:
    """Every row of every table, as text."""
    lines = []
    with team.ctx.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(text(f"SELECT * FROM {table.name}")):
                lines.append(f"{table.name}: {tuple(row)!r}")
    return "\n".join(lines)


def test_no_password_or_token_leaks(team: Team, memory_keyring: MemoryKeyring) -> None:
    (drift_id,) = insert_drifts(team.ctx, make_drift())
    admin_token = team.login(ADMIN_EMAIL)
    outputs: list[Any] = []

    def run(args: list[str], token: str | None, stdin: str = "") -> Any:
        # -v: debug logs on stderr, so every log line is searched too.
        result = team.run([*args, "-v"], token=token, stdin=stdin)
        outputs.append(result)
        return result

    add = run(
        ["user", "add", "eli@corp.example", "--role", "engineer", "-o", "json"],
        admin_token,
        ENGINEER_PASSWORD + "\n",
    )
    assert add.exit_code == 0, add.stderr
    printed = run(
        ["login", "--email", "eli@corp.example", "--print-token"], None, ENGINEER_PASSWORD + "\n"
    )
    eng_token = printed.stdout.strip()
    assert run(["triage", drift_id, "-o", "json"], eng_token).exit_code == 0
    assert (
        run(["login", "--email", "eli@corp.example", "--print-token"], None, WRONG_PASSWORD + "\n")
    ).exit_code == 5
    keyring_login = run(
        ["login", "--email", "eli@corp.example", "-o", "json"], None, ENGINEER_PASSWORD + "\n"
    )
    assert keyring_login.exit_code == 0, keyring_login.stderr
    (keyring_token,) = memory_keyring.entries.values()
    assert (
        run(["user", "reset-password", "eli@corp.example"], admin_token, RESET_PASSWORD + "\n")
    ).exit_code == 0
    for args in (["whoami", "-o", "json"], ["user", "list", "-o", "json"], ["audit", "-o", "json"]):
        assert run(args, admin_token).exit_code == 0
    assert run(["logout"], eng_token).exit_code == 0

    passwords = [PASSWORD, ENGINEER_PASSWORD, RESET_PASSWORD, WRONG_PASSWORD]
    tokens = [admin_token, eng_token, keyring_token]
    dump = _dump(team)
    for secret in passwords + tokens:
        assert secret not in dump
    # The dump is complete: the sessions' token hashes and the users' password hashes are in it.
    assert hash_token(eng_token) in dump and "scrypt$" in dump
    with team.ctx.read() as session:
        stored = set(session.execute(select(col(LoginSession.refresh_token))).scalars())
    assert hash_token(admin_token) in stored

    for result in outputs:
        visible = result.stderr + ("" if result is printed else result.stdout)
        for secret in passwords + tokens:
            assert secret not in visible
        assert "scrypt$" not in visible and "password_hash" not in visible
    # The one place a token is shown is --print-token's stdout, alone.
    assert printed.stdout == eng_token + "\n"
    assert any("login failed" in r.stderr for r in outputs)
    assert any("service call finished" in r.stderr for r in outputs)  # -v really logged


def test_audit_rows_hold_no_secret_material(team: Team) -> None:
    team.add("eli@corp.example", "engineer")
    token = team.login("eli@corp.example")
    team.run(
        ["user", "reset-password", "eli@corp.example"],
        token=team.login(ADMIN_EMAIL),
        stdin=RESET_PASSWORD + "\n",
    )
    team.run(["logout"], token=token)
    result = team.run(["audit", "-o", "json", "--limit", "1000"], token=team.login(ADMIN_EMAIL))
    assert result.exit_code == 0, result.stderr
    items = result.json()["items"]
    actions = {i["action"] for i in items}
    assert {"user_created", "session_created", "user_password_reset"} <= actions
    for item in items:
        for key in ("old_value", "new_value", "details"):
            blob = str(item[key] or "")
            for word in ("password", "hash", "token", "scrypt"):
                assert word not in blob.replace("sessions_revoked", ""), (item["action"], key)
