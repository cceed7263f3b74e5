"""Shared pieces of the team-mode tests: the test password, an in-memory keyring, Team."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from driftctl.services.context import Actor, Context

PASSWORD = "correct-horse-battery-42"
ADMIN_EMAIL = "admin@corp.example"


@dataclass
class Team:
    """A team-mode database: the first admin exists; helpers add users and log them in."""

    ctx: Context
    db_url: str
    cli: Any
    monkeypatch: pytest.MonkeyPatch
    admin: Actor

    def add(self, email: str, role: str, password: str = PASSWORD) -> Any:
        """Add a user through the service, acting as the first admin."""
        from driftctl.services import users

        return users.add_user(self.ctx, email, role=role, password=password)

    def login(self, email: str, password: str = PASSWORD, *extra: str) -> str:
        """Log in through the CLI with --print-token; returns the token."""
        result = self.run(
            ["login", "--email", email, "--print-token", *extra], token=None, stdin=password + "\n"
        )
        assert result.exit_code == 0, result.stderr
        return str(result.stdout.strip())

    def run(self, args: list[str], *, token: str | None, stdin: str = "") -> Any:
        """Run the CLI against this database, with DRIFTCTL_TOKEN set to ``token`` (or unset)."""
        if token is None:
            self.monkeypatch.delenv("DRIFTCTL_TOKEN", raising=False)
        else:
            self.monkeypatch.setenv("DRIFTCTL_TOKEN", token)
        return self.cli([*args, "--db", self.db_url], stdin=stdin)

    def audit_count(self) -> int:
        from driftctl.db.repositories import audit as audit_repo

        with self.ctx.read() as session:
            return audit_repo.count(session, filters=audit_repo.AuditFilter())


def unique_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@corp.example"
