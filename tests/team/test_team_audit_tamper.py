"""The audit trail against someone with write access to the database.

The triggers refuse UPDATE and DELETE; a database superuser can drop them, and then
``audit verify`` still finds a rewritten or deleted row, and an anchor kept outside the database
finds a chain that was recomputed from end to end.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col

from driftctl.db.engine import create_engine
from driftctl.db.models import AuditLog
from driftctl.db.repositories.audit import GENESIS_HASH, compute_hash
from driftctl.services import drifts
from tests.factories import insert_drifts, make_drift
from tests.team.helpers import ADMIN_EMAIL, Team


@pytest.fixture
def db_url(fresh_db_url: str) -> str:
    """These tests drop triggers: each gets a database of its own."""
    return fresh_db_url


@pytest.fixture
def trail(team: Team) -> Team:
    """A team database with a few audit rows: users created, drifts triaged and approved."""
    team.add("eli@corp.example", "engineer")
    team.add("vic@corp.example", "viewer")
    ids = insert_drifts(team.ctx, make_drift(), make_drift())
    drifts.triage(team.ctx, ids, note="looking into it")
    drifts.approve(team.ctx, ids[:1], reason="bigger instance on purpose")
    assert team.audit_count() == 3 + 3  # three users, two triages, one approval
    return team


@pytest.fixture
def raw(db_url: str) -> Iterator[Any]:
    """An engine for writing SQL behind driftctl's back."""
    engine = create_engine(db_url)
    yield engine
    engine.dispose()


def _drop_triggers(engine: Any) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER trg_audit_logs_immutable ON audit_logs"))
        else:
            conn.execute(text("DROP TRIGGER trg_audit_logs_no_update"))
            conn.execute(text("DROP TRIGGER trg_audit_logs_no_delete"))


def _row(engine: Any, seq: int) -> AuditLog:
    with Session(engine) as session:
        row: AuditLog = session.execute(
            select(AuditLog).where(col(AuditLog.seq) == seq)
        ).scalar_one()
        return row


def _verify(team: Team, *extra: str) -> Any:
    return team.run(["audit", "verify", *extra], token=team.login("vic@corp.example"))


def test_intact_chain_verifies(trail: Team) -> None:
    result = _verify(trail)
    assert result.exit_code == 0, result.stderr
    # Seven rows: the viewer's own login is audited before the check runs.
    assert result.stdout == "audit trail intact: 7 rows verified\n"


@pytest.mark.parametrize("statement", ["update", "delete"])
def test_triggers_refuse_changes(trail: Team, raw: Any, statement: str) -> None:
    before = _row(raw, 2)
    stmt = (
        update(AuditLog).where(col(AuditLog.seq) == 2).values(details={"forged": True})
        if statement == "update"
        else delete(AuditLog).where(col(AuditLog.seq) == 2)
    )
    with pytest.raises(DBAPIError, match="immutable"), raw.begin() as conn:
        conn.execute(stmt)
    after = _row(raw, 2)
    assert (after.hash, after.details) == (before.hash, before.details)


def test_rewritten_row_is_found(trail: Team, raw: Any) -> None:
    _drop_triggers(raw)
    target = _row(raw, 4)
    with raw.begin() as conn:
        conn.execute(
            update(AuditLog)
            .where(col(AuditLog.seq) == 4)
            .values(details={"note": "nothing to see"})
        )
    result = _verify(trail)
    assert result.exit_code == 4
    assert f"audit trail broken at row 4 ({target.id})" in result.stderr
    assert "altered" in result.stderr


def test_deleted_row_is_found(trail: Team, raw: Any) -> None:
    _drop_triggers(raw)
    with raw.begin() as conn:
        conn.execute(delete(AuditLog).where(col(AuditLog.seq) == 3))
    result = _verify(trail, "-o", "json")
    assert result.exit_code == 4
    report = result.json()
    assert report["ok"] is False
    assert report["broken_at"]["seq"] == 4
    assert "row 3 of the chain is missing" in report["problem"]


def test_anchor_finds_a_recomputed_chain(trail: Team, raw: Any) -> None:
    token = trail.login(ADMIN_EMAIL)
    anchored = trail.run(["audit", "anchor"], token=token)
    assert anchored.exit_code == 0, anchored.stderr
    anchor = anchored.stdout.strip()

    _drop_triggers(raw)
    # Rewrite row 2 and recompute every hash after it, as a careful forger would.
    with Session(raw) as session, session.begin():
        rows = list(session.execute(select(AuditLog).order_by(col(AuditLog.seq))).scalars())
        prev = GENESIS_HASH
        for row in rows:
            if row.seq == 2:
                row.new_value = {"email": "eli@corp.example", "role": "admin", "is_active": True}
            row.prev_hash = prev
            row.hash = compute_hash(prev, row)
            prev = row.hash

    plain = trail.run(["audit", "verify"], token=token)
    # The chain is consistent again: only the anchor kept outside can tell.
    assert plain.exit_code == 0, plain.stderr
    result = trail.run(["audit", "verify", "--anchor", anchor], token=token)
    assert result.exit_code == 4
    assert "history up to the anchor was rewritten" in result.stderr
