"""``db seed``: demo data for an empty database only, usable right away, idempotent; a database
that already has users (or drifts) never gets the demo users and their published password."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from driftctl.db import models
from driftctl.services.seed import DEMO_PASSWORD
from tests.cli.probe import DbProbe
from tests.team.helpers import PASSWORD


def _counts(ctx: Any) -> dict[str, int]:
    with ctx.read() as session:
        return {
            name: int(session.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in models.metadata.tables.items()
        }


def test_readme_example_works_as_written(cli: Any) -> None:
    """driftctl --db sqlite:///demo.db db seed && driftctl --db sqlite:///demo.db list"""
    seeded = cli(["--db", "sqlite:///demo.db", "db", "seed"])
    assert seeded.exit_code == 0, seeded.stderr
    assert seeded.stdout == (
        "seeded: 3 users, 10 drifts, 4 alerts; logged in as admin@example.com (the demo admin)\n"
    )
    listed = cli(["--db", "sqlite:///demo.db", "list"])
    assert listed.exit_code == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == 11  # header + the 10 demo drifts
    whoami = cli(["--db", "sqlite:///demo.db", "whoami", "-o", "json"]).json()
    assert (whoami["email"], whoami["role"]) == ("admin@example.com", "admin")


def test_seed_then_list_on_both_engines(cli: Any, db: DbProbe) -> None:
    assert cli(["--db", db.url, "db", "seed"]).exit_code == 0
    listed = cli(["--db", db.url, "list", "-o", "json"])
    assert listed.exit_code == 0, listed.stderr
    assert listed.json()["pagination"]["total"] == 10


def test_a_second_seed_changes_nothing_with_or_without_a_login(cli: Any, db: DbProbe) -> None:
    assert cli(["--db", db.url, "db", "seed"]).exit_code == 0
    before = _counts(db.ctx)

    again = cli(["--db", db.url, "db", "seed"])  # logged in by the first seed
    assert cli(["--db", db.url, "logout"]).exit_code == 0
    after_logout = cli(["--db", db.url, "db", "seed"])  # no login at all

    for result in (again, after_logout):
        assert result.exit_code == 0, result.stderr
        assert (
            result.stdout
            == "seeded: 3 users, 10 drifts, 4 alerts (already present, nothing changed)\n"
        )
    counts = _counts(db.ctx)
    # logout revoked the session and audited it; the seed itself wrote nothing.
    assert {k: v for k, v in counts.items() if k != "audit_logs"} == {
        k: v for k, v in before.items() if k != "audit_logs"
    }
    assert counts["audit_logs"] == before["audit_logs"] + 1


def test_a_team_database_gets_no_demo_users(
    cli: Any, db: DbProbe, monkeypatch: pytest.MonkeyPatch
) -> None:
    from driftctl.services import users

    users.add_user(db.ctx, "ada@corp.example", role="admin", password=PASSWORD)
    token = cli(
        ["--db", db.url, "login", "--email", "ada@corp.example", "--print-token"],
        stdin=PASSWORD + "\n",
    ).stdout.strip()
    before = _counts(db.ctx)

    as_nobody = cli(["--db", db.url, "db", "seed"])
    monkeypatch.setenv("DRIFTCTL_TOKEN", token)
    as_admin = cli(["--db", db.url, "db", "seed", "-o", "json"])
    monkeypatch.delenv("DRIFTCTL_TOKEN")

    for result in (as_nobody, as_admin):
        assert result.exit_code == 2
        assert result.stdout == ""
    (line,) = as_nobody.stderr.splitlines()
    assert line.startswith("error: this database already has users (team mode)")
    assert "published password" in line and "sqlite:///demo.db" in line
    assert json.loads(as_admin.stderr)["error"]["code"] == "VALIDATION_ERROR"
    assert _counts(db.ctx) == before
    login = cli(
        ["--db", db.url, "login", "--email", "admin@example.com", "--print-token"],
        stdin=DEMO_PASSWORD + "\n",
    )
    assert login.exit_code == 5


def test_a_database_with_real_drifts_is_not_mixed_with_demo_ones(cli: Any, db: DbProbe) -> None:
    db.add()
    before = _counts(db.ctx)
    result = cli(["--db", db.url, "db", "seed"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: this database already has drifts")
    assert _counts(db.ctx) == before


@pytest.mark.e2e
def test_readme_example_in_a_shell(tmp_path: Path) -> None:
    driftctl = f"{sys.executable} -m driftctl"
    line = f"{driftctl} --db sqlite:///demo.db db seed && {driftctl} --db sqlite:///demo.db list"
    done = subprocess.run(
        ["sh", "-c", line], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith("seeded: 3 users, 10 drifts")
    assert len(done.stdout.splitlines()) == 12
