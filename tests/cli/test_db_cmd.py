"""db upgrade / current / seed, and the schema check every command makes first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from driftctl.db import SCHEMA_HEAD, migrate, models
from driftctl.db.engine import create_engine
from driftctl.domain import DriftStatus, Severity
from driftctl.types import registry


def _revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        return migrate.current_revision(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["list"], 0),
        (["list", "-o", "json"], 0),
        (["audit"], 0),
        (["audit", "verify"], 0),
        (["show", "abcdef12"], 3),
        (["approve", "abcdef12", "--reason", "intended change"], 3),
        (["db", "seed"], 0),
    ],
    ids=lambda a: " ".join(a) if isinstance(a, list) else str(a),
)
def test_fresh_sqlite_file_is_created_and_migrated_on_first_use(
    cli: Any, args: list[str], code: int
) -> None:
    assert not Path("new.db").exists()
    result = cli(["--db", "sqlite:///new.db", *args])
    assert result.exit_code == code, result.stderr
    assert Path("new.db").is_file()
    assert _revision("sqlite:///new.db") == SCHEMA_HEAD


def test_fresh_sqlite_file_in_a_missing_directory_is_refused(cli: Any, tmp_path: Path) -> None:
    """A typo in an explicit path must not silently start an empty database elsewhere."""
    path = tmp_path / "a" / "b" / "drifts.db"
    result = cli(["--db", f"sqlite:///{path}", "list", "-o", "json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    error = json.loads(result.stderr)["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert f"directory {path.parent} does not exist" in error["message"]
    assert not (tmp_path / "a").exists()


def test_default_database_lives_in_the_user_data_dir(cli: Any) -> None:
    """No --db, no env: a SQLite file under XDG_DATA_HOME (set to a temp dir by the fixture)."""
    import os

    result = cli(["list"])
    assert result.exit_code == 0, result.stderr
    data_home = Path(os.environ["XDG_DATA_HOME"])
    assert list(data_home.rglob("*.db"))


def test_plain_path_is_accepted_as_a_sqlite_url(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    assert cli(["--db", str(path), "list"]).exit_code == 0
    assert path.is_file()


def test_postgres_without_schema_exits_6_naming_db_upgrade(cli: Any, pg_url: str) -> None:
    result = cli(["--db", pg_url, "list"])
    assert result.exit_code == 6
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert "driftctl db upgrade" in lines[0]
    assert _revision(pg_url) is None  # PostgreSQL is never migrated behind the user's back

    as_json = cli(["--db", pg_url, "-o", "json", "list"])
    assert as_json.exit_code == 6
    assert json.loads(as_json.stderr)["error"]["code"] == "DATABASE_ERROR"


def test_postgres_db_upgrade_then_commands_work(cli: Any, pg_url: str) -> None:
    before = cli(["--db", pg_url, "db", "current"])
    assert before.exit_code == 0, before.stderr
    assert before.stdout.startswith("(empty) behind")

    result = cli(["--db", pg_url, "db", "upgrade"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"database upgraded: (empty) -> {SCHEMA_HEAD}\n"
    assert _revision(pg_url) == SCHEMA_HEAD

    again = cli(["--db", pg_url, "db", "upgrade"])
    assert again.exit_code == 0
    assert again.stdout == f"database already at {SCHEMA_HEAD}\n"
    assert cli(["--db", pg_url, "list"]).exit_code == 0


def test_postgres_behind_head_exits_6(cli: Any, pg_url: str) -> None:
    engine = create_engine(pg_url)
    try:
        migrate.upgrade(engine)
        with engine.begin() as conn:
            from sqlalchemy import text

            conn.execute(text("UPDATE alembic_version SET version_num = '0000old'"))
    finally:
        engine.dispose()
    result = cli(["--db", pg_url, "list"])
    assert result.exit_code == 6
    assert "0000old" in result.stderr and "driftctl db upgrade" in result.stderr


def test_db_current_text_and_json(cli: Any, db_url: str) -> None:
    text_result = cli(["--db", db_url, "db", "current"])
    assert text_result.exit_code == 0, text_result.stderr
    assert text_result.stdout.startswith(f"{SCHEMA_HEAD} up to date  ")
    assert text_result.stdout.endswith("\n") and len(text_result.stdout.splitlines()) == 1

    json_result = cli(["--db", db_url, "db", "current", "-o", "json"])
    assert json_result.exit_code == 0
    info = json_result.json()
    assert info == {
        "revision": SCHEMA_HEAD,
        "head": SCHEMA_HEAD,
        "up_to_date": True,
        "database": info["database"],
    }
    assert info["database"].split(":")[0] in ("sqlite", "postgresql+psycopg")


def test_db_current_hides_the_password(cli: Any, pg_url: str) -> None:
    from sqlalchemy.engine import make_url

    url = make_url(pg_url)
    if not url.password:
        url = url.set(password="not-needed-pw")  # trust auth ignores it; it must not be printed
    rendered = url.render_as_string(hide_password=False)
    result = cli(["--db", rendered, "db", "current", "-o", "json"])
    assert result.exit_code == 0, result.stderr
    assert str(url.password) not in result.stdout
    assert "***" in result.json()["database"]


def test_db_current_on_empty_sqlite_does_not_migrate(cli: Any) -> None:
    result = cli(["--db", "sqlite:///empty.db", "db", "current", "-o", "json"])
    assert result.exit_code == 0, result.stderr
    assert result.json()["revision"] is None and result.json()["up_to_date"] is False


# --- seed ------------------------------------------------------------------------------------


def _counts(ctx: Any) -> dict[str, int]:
    with ctx.read() as session:
        return {
            name: int(session.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in models.metadata.tables.items()
        }


def _drifts(ctx: Any) -> dict[str, tuple[str, str, str]]:
    with ctx.read() as session:
        return {
            str(d.id): (d.status, d.severity, d.resource_id)
            for d in session.execute(select(models.Drift)).scalars()
        }


@pytest.fixture
def seeded(cli: Any, db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """``db seed`` run once; the seed creates users (team mode), so log in as its admin."""
    from driftctl.services.seed import DEMO_PASSWORD

    first = cli(["--db", db_url, "db", "seed"])
    assert first.exit_code == 0, first.stderr
    assert "already present" not in first.stdout
    login = cli(
        ["--db", db_url, "login", "--email", "admin@example.com", "--print-token"],
        stdin=DEMO_PASSWORD + "\n",
    )
    assert login.exit_code == 0, login.stderr
    monkeypatch.setenv("DRIFTCTL_TOKEN", login.stdout.strip())
    return db_url


def test_db_seed_twice_leaves_the_same_data(cli: Any, seeded: str, ctx: Any) -> None:
    after_first, drifts_first = _counts(ctx), _drifts(ctx)

    second = cli(["--db", seeded, "db", "seed"])

    assert second.exit_code == 0, second.stderr
    assert "already present" in second.stdout
    assert _counts(ctx) == after_first
    assert _drifts(ctx) == drifts_first
    assert after_first["drifts"] >= 10 and after_first["users"] == 3
    assert after_first["alerts"] > 0 and after_first["cost_metrics"] > 0


def test_seeded_data_covers_every_type_status_and_severity(cli: Any, seeded: str) -> None:
    result = cli(["--db", seeded, "list", "--all", "-o", "json"])
    assert result.exit_code == 0, result.stderr
    items = result.json()["items"]
    seeded_types = {i["resource_type"] for i in items}
    # The five original types have hand-written rows; every seeded type is a registered one.
    assert {"EC2", "SECURITY_GROUP", "S3", "RDS", "IAM_ROLE"} <= seeded_types
    assert seeded_types <= set(registry.names())
    assert {i["status"] for i in items} == {s.value for s in DriftStatus}
    assert {i["severity"] for i in items} == {s.value for s in Severity}
    assert {i["drift_type"] for i in items} == {"modified", "missing", "unmanaged"}
    resolved = [i for i in items if i["status"] == "resolved"]
    assert all(i["resolved_how"] and i["resolved_at"] for i in resolved)
    approved = [i for i in items if i["status"] == "approved"]
    assert all(len(i["approval_reason"]) >= 10 for i in approved)


def test_audit_verify_passes_after_seeding(cli: Any, seeded: str, ctx: Any) -> None:
    assert cli(["--db", seeded, "db", "seed"]).exit_code == 0
    result = cli(["--db", seeded, "audit", "verify", "-o", "json"])
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert report["ok"] is True
    assert report["rows_checked"] == _counts(ctx)["audit_logs"] > 0
    text_result = cli(["--db", seeded, "audit", "verify"])
    assert text_result.stdout == f"audit trail intact: {report['rows_checked']} rows verified\n"
