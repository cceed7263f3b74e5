"""The Alembic revisions: they build the schema the models describe, on both engines, and back."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Index, func, inspect, select, text
from sqlalchemy.sql.elements import TextClause
from sqlmodel import col

from driftctl.db import SCHEMA_HEAD, migrate, models
from driftctl.db.engine import create_engine
from driftctl.db.models import AuditLog, Drift
from tests.factories import make_drift


def _script() -> ScriptDirectory:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrate.scripts_dir()))
    return ScriptDirectory.from_config(cfg)


def _tables(engine: Any) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_schema_head_constant_is_the_alembic_head() -> None:
    heads = _script().get_heads()
    assert len(heads) == 1, f"the migration history has several heads: {heads}"
    assert migrate.head_revision() == heads[0]
    assert heads[0] == SCHEMA_HEAD


def test_upgrade_from_empty(empty_engine: Any) -> None:
    assert migrate.current_revision(empty_engine) is None
    assert _tables(empty_engine) == set()
    migrate.upgrade(empty_engine)
    assert migrate.current_revision(empty_engine) == SCHEMA_HEAD
    assert _tables(empty_engine) == {*models.metadata.tables, "alembic_version"}


def test_upgrade_is_idempotent(engine: Any) -> None:
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == SCHEMA_HEAD


def test_downgrade_to_base_and_upgrade_again(fresh_engine: Any) -> None:
    migrate.downgrade(fresh_engine, "base")
    assert migrate.current_revision(fresh_engine) is None
    assert _tables(fresh_engine) <= {"alembic_version"}
    _assert_no_driftctl_objects_left(fresh_engine)

    migrate.upgrade(fresh_engine)
    assert migrate.current_revision(fresh_engine) == SCHEMA_HEAD
    assert _tables(fresh_engine) == {*models.metadata.tables, "alembic_version"}
    # The rebuilt schema works, triggers included.
    _insert_drift(fresh_engine)
    with fresh_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM drifts")).scalar_one() == 1


def _assert_no_driftctl_objects_left(engine: Any) -> None:
    """Downgrade removes triggers and functions too, or the next upgrade would collide."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            left = conn.execute(
                text(
                    "SELECT name FROM sqlite_master WHERE type IN ('trigger', 'index') "
                    "AND tbl_name <> 'alembic_version'"
                )
            ).all()
        else:
            left = conn.execute(
                text("SELECT proname FROM pg_proc WHERE proname LIKE 'driftctl%'")
            ).all()
    assert left == []


def _insert_drift(engine: Any, **overrides: Any) -> uuid.UUID:
    from sqlmodel import Session

    drift = make_drift(**overrides)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        session.add(drift)
    return drift.id


# --- the migrated schema equals the models -------------------------------------------------


def _desc_columns(index: Index) -> list[tuple[str, bool]]:
    """(column, descending) per element of a model index, including ``text("col DESC")``."""
    out: list[tuple[str, bool]] = []
    for expr in index.expressions:
        if isinstance(expr, TextClause):
            match = re.fullmatch(r"\s*(\w+)\s+(ASC|DESC)\s*", expr.text, re.IGNORECASE)
            assert match, f"unexpected index expression {expr.text!r} in {index.name}"
            out.append((match.group(1), match.group(2).upper() == "DESC"))
        else:
            out.append((str(getattr(expr, "name", expr)), False))
    return out


def _has_text_element(index: Index) -> bool:
    return any(isinstance(e, TextClause) for e in index.expressions)


def _model_indexes() -> dict[str, Index]:
    return {
        str(idx.name): idx for table in models.metadata.tables.values() for idx in table.indexes
    }


def _split_sqlite_desc_index_diffs(diffs: list[Any]) -> tuple[list[Any], set[str]]:
    """Drop the remove/add pairs SQLite produces for ``text("col DESC")`` indexes.

    SQLite's reflection reports such an index as its plain column list and cannot say it is
    descending, while the model holds an expression, so Alembic sees "remove the reflected one,
    add the model's one" for every DESC index even though they are identical. Only pairs for
    indexes whose model has a text element are dropped, and their real definition is checked
    with PRAGMA index_xinfo instead (``_assert_sqlite_desc_indexes``), so nothing goes unchecked.
    """
    desc_models = {n for n, idx in _model_indexes().items() if _has_text_element(idx)}
    added = {d[1].name for d in diffs if d[0] == "add_index"} & desc_models
    removed = {d[1].name for d in diffs if d[0] == "remove_index"} & desc_models
    paired = added & removed
    rest = [d for d in diffs if not (d[0] in ("add_index", "remove_index") and d[1].name in paired)]
    return rest, paired


def _assert_sqlite_desc_indexes(conn: Any, names: set[str]) -> None:
    by_name = _model_indexes()
    for name in names:
        rows = conn.execute(text(f"PRAGMA index_xinfo('{name}')")).all()
        # Key columns only (key=1); "desc" is 1 for a descending column.
        actual = [(r.name, bool(r.desc)) for r in rows if r.key]
        assert actual == _desc_columns(by_name[name]), name


def test_migrated_schema_matches_the_models(engine: Any) -> None:
    with engine.connect() as conn:
        # Configured like migrations/env.py.
        mc = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "render_as_batch": conn.dialect.name == "sqlite",
                "target_metadata": models.metadata,
            },
        )
        diffs = compare_metadata(mc, models.metadata)
        if conn.dialect.name == "sqlite":
            diffs, desc_indexes = _split_sqlite_desc_index_diffs(diffs)
            # Every DESC expression index of the models must have gone through that path.
            expected_desc = {n for n, i in _model_indexes().items() if _has_text_element(i)}
            assert desc_indexes == expected_desc
            _assert_sqlite_desc_indexes(conn, desc_indexes)
    assert diffs == [], "migrations and models disagree; write a revision for:\n" + "\n".join(
        map(str, diffs)
    )


def test_check_constraints_match_the_models(engine: Any) -> None:
    """Autogenerate does not compare CHECK constraints, so compare their names here."""
    insp = inspect(engine)
    for name, table in models.metadata.tables.items():
        wanted = {
            c.name
            for c in table.constraints
            if c.__class__.__name__ == "CheckConstraint" and c.name
        }
        got = {c["name"] for c in insp.get_check_constraints(name)}
        # Booleans on some SQLite versions get an unnamed implicit CHECK; only named ones count.
        assert {g for g in got if g} == wanted, name


def test_partial_unique_index_is_partial(engine: Any) -> None:
    insp = inspect(engine)
    index = {i["name"]: i for i in insp.get_indexes("drifts")}["uq_drifts_open_fingerprint"]
    assert index["unique"]
    # One open drift per fingerprint and expected-state source.
    assert index["column_names"] == ["fingerprint", "source_key"]
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            sql = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'uq_drifts_open_fingerprint'")
            ).scalar_one()
        else:
            sql = conn.execute(
                text(
                    "SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_drifts_open_fingerprint'"
                )
            ).scalar_one()
    assert "resolved" in sql and "WHERE" in sql.upper()


# --- data across migrations (SQLite files are upgraded in place on first use) --------------


def _revisions_with_parent() -> list[tuple[str, str]]:
    return [
        (rev.revision, rev.down_revision)
        for rev in _script().walk_revisions()
        if isinstance(rev.down_revision, str)
    ]


def _counts(engine: Any) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in models.metadata.tables.items()
        }


def _fill(url: str) -> dict[str, int]:
    """Seed demo data and run one lifecycle change through the services; returns row counts."""
    from driftctl.config import load_settings
    from driftctl.services import drifts, seed
    from driftctl.services.context import open_context

    ctx = open_context(load_settings(database_url=url), command="pytest")
    try:
        seed.seed(ctx)
        with ctx.read() as session:
            detected = session.execute(
                select(col(Drift.id)).where(col(Drift.status) == "detected").limit(1)
            ).scalar_one()
        drifts.approve(ctx, [str(detected)], reason="intended change for the launch")
        return _counts(ctx.engine)
    finally:
        ctx.dispose()


def _audit_ok(url: str) -> bool:
    from driftctl.config import load_settings
    from driftctl.services import audit
    from driftctl.services.context import open_context

    ctx = open_context(load_settings(database_url=url), command="pytest")
    try:
        return audit.verify(ctx).ok
    finally:
        ctx.dispose()


def test_sqlite_file_with_data_survives_upgrade_and_reopen(sqlite_url: str) -> None:
    before = _fill(sqlite_url)
    assert before["drifts"] > 0 and before["audit_logs"] > 0

    engine = create_engine(sqlite_url)
    try:
        migrate.upgrade(engine)  # `driftctl db upgrade` on an up-to-date file
        assert migrate.current_revision(engine) == SCHEMA_HEAD
        assert _counts(engine) == before
    finally:
        engine.dispose()
    assert _audit_ok(sqlite_url)  # open_context's check-and-migrate path left the data alone


def test_sqlite_file_with_data_survives_each_downgrade_and_upgrade(sqlite_url: str) -> None:
    pairs = _revisions_with_parent()
    if not pairs:
        pytest.skip(
            f"only the initial revision {SCHEMA_HEAD} exists; downgrading it drops every table "
            "by design, so there is no intermediate revision to keep data at"
        )
    before = _fill(sqlite_url)
    engine = create_engine(sqlite_url)
    try:
        for revision, parent in pairs:
            migrate.downgrade(engine, parent)
            migrate.upgrade(engine, revision)
        migrate.upgrade(engine)
        assert _counts(engine) == before
    finally:
        engine.dispose()
    assert _audit_ok(sqlite_url)


def test_audit_rows_keep_their_hash_across_a_round_trip(db_url: str) -> None:
    """Hashes cover created_at to the microsecond; both engines must give it back unchanged."""
    _fill(db_url)
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(AuditLog)).scalar_one() > 3
    finally:
        engine.dispose()
    assert _audit_ok(db_url)


# --- 0004: channel names are data ------------------------------------------------------------


def _outbox_rows(engine: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT id, alert_id, channel, event, status, attempts, last_error "
                    "FROM notification_outbox ORDER BY channel, event"
                )
            )
        ]


def _db_uuid(engine: Any, value: uuid.UUID) -> Any:
    from driftctl.db.types import GUID

    return GUID().process_bind_param(value, engine.dialect)


def _db_ts(engine: Any, value: Any) -> Any:
    from driftctl.db.types import UTCDateTime

    return UTCDateTime().process_bind_param(value, engine.dialect)


# Columns of the models that revisions after 0003 add.
LATER = ("remediation_claim", "remediation_claimed_at")


def test_0004_keeps_outbox_rows_and_accepts_new_channel_names(empty_engine: Any) -> None:
    from sqlalchemy.exc import IntegrityError

    from driftctl.db.models import Alert

    migrate.upgrade(empty_engine, "0003")
    drift = make_drift()
    alert = Alert(
        drift_id=drift.id,
        type="drift_detected",
        severity="critical",
        title="t",
        message="m",
        notified_slack=True,
        notified_pagerduty=True,
    )
    # Core inserts of the columns 0003 has: the models carry columns later revisions add.
    with empty_engine.begin() as conn:
        for row in (drift, alert):
            table = type(row).__table__  # type: ignore[attr-defined]
            conn.execute(
                table.insert().values(
                    {c.name: getattr(row, c.name) for c in table.columns if c.name not in LATER}
                )
            )
    with empty_engine.begin() as conn:
        for channel, status in (
            ("slack", "sent"),
            ("email", "pending"),
            ("pagerduty", "sent"),
            ("webhook", "failed"),
        ):
            conn.execute(
                text(
                    "INSERT INTO notification_outbox (id, alert_id, channel, event, status, "
                    "attempts, next_attempt_at, last_error, created_at, updated_at) VALUES "
                    "(:id, :alert, :channel, 'trigger', :status, 1, :now, 'x', :now, :now)"
                ),
                {
                    "id": _db_uuid(empty_engine, uuid.uuid4()),
                    "alert": _db_uuid(empty_engine, alert.id),
                    "channel": channel,
                    "status": status,
                    "now": _db_ts(empty_engine, alert.created_at),
                },
            )
    before = _outbox_rows(empty_engine)
    assert len(before) == 4

    def add_teams_row() -> None:
        with empty_engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO notification_outbox (id, alert_id, channel, event, status, "
                    "attempts, next_attempt_at, created_at, updated_at) VALUES "
                    "(:id, :alert, 'teams', 'trigger', 'pending', 0, :now, :now, :now)"
                ),
                {
                    "id": _db_uuid(empty_engine, uuid.uuid4()),
                    "alert": _db_uuid(empty_engine, alert.id),
                    "now": _db_ts(empty_engine, alert.created_at),
                },
            )

    # 0003's CHECK lists the four original channels.
    with pytest.raises(IntegrityError):
        add_teams_row()

    migrate.upgrade(empty_engine)

    assert migrate.current_revision(empty_engine) == SCHEMA_HEAD
    assert _outbox_rows(empty_engine) == before
    names = {c["name"] for c in inspect(empty_engine).get_check_constraints("notification_outbox")}
    assert "ck_notification_outbox_channel" not in names
    assert {"ck_notification_outbox_status", "ck_notification_outbox_event"} <= names
    add_teams_row()
    with empty_engine.connect() as conn:
        flags = conn.execute(
            text("SELECT notified_slack, notified_email, notified_pagerduty FROM alerts")
        ).one()
        assert tuple(bool(f) for f in flags) == (True, False, True)
        # The batch copy on SQLite keeps the updated_at trigger (it is created again).
        if empty_engine.dialect.name == "sqlite":
            trigger = conn.execute(
                text(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                    "AND name = 'trg_notification_outbox_updated_at'"
                )
            ).scalar_one()
            assert trigger == 1
    # Back to 0003: the rows the old CHECK can hold survive.
    migrate.downgrade(empty_engine, "0003")
    assert _outbox_rows(empty_engine) == before
