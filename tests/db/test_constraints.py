"""What the database itself enforces: CHECKs, the open-fingerprint index, triggers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session

from driftctl.db.models import UPDATED_AT_TABLES, Drift, User
from tests.factories import make_drift

OLD = datetime(2020, 1, 1, tzinfo=UTC)


def _add(engine: Any, row: Any) -> None:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        session.add(row)


def _user(**overrides: Any) -> User:
    values: dict[str, Any] = {
        "email": f"{uuid.uuid4().hex[:8]}@example.com",
        "password_hash": "x" * 60,
        "role": "engineer",
    }
    values.update(overrides)
    return User(**values)


# --- CHECK constraints ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"severity": "urgent", "severity_rank": 3},
        {"severity": "critical", "severity_rank": 1},  # rank must follow severity
        {"status": "closed"},
        {"drift_type": "changed"},
        {"detected_by": "cron"},
        {"resolved_how": "magic"},
        {"cost_impact_monthly": Decimal("-0.01")},
        {"cost_impact_monthly": Decimal("1000000")},
    ],
    ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()),
)
def test_check_constraints_refuse_bad_drift_values(engine: Any, overrides: dict[str, Any]) -> None:
    drift = make_drift()
    for name, value in overrides.items():
        setattr(drift, name, value)
    with pytest.raises(IntegrityError):
        _add(engine, drift)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM drifts")).scalar_one() == 0


def test_check_constraints_accept_good_drift_values(engine: Any) -> None:
    _add(engine, make_drift(severity="critical", resolved_how=None, cost_impact_monthly=0))
    _add(engine, make_drift(status="resolved", resolved_how="acknowledged"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM drifts")).scalar_one() == 2


@pytest.mark.parametrize(
    "email", ["not-an-email", "a@b", "two words@example.com", "a@b@example.com", "@example.com"]
)
def test_check_constraint_refuses_bad_email(engine: Any, email: str) -> None:
    with pytest.raises(IntegrityError):
        _add(engine, _user(email=email))


def test_check_constraints_on_users(engine: Any) -> None:
    _add(engine, _user(email="ada.lovelace@example.co.uk"))
    with pytest.raises(IntegrityError):
        _add(engine, _user(role="superuser"))


def test_raw_sql_is_held_to_the_same_checks(engine: Any) -> None:
    """The constraints live in the database, not only in the ORM."""
    drift_id = make_drift().id
    _add(engine, make_drift(id=drift_id))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            text("UPDATE drifts SET cost_impact_monthly = -5 WHERE id = :id"),
            {"id": _bind_id(engine, drift_id)},
        )


def _bind_id(engine: Any, value: uuid.UUID) -> Any:
    return value if engine.dialect.name == "postgresql" else str(value)


# --- one open drift per fingerprint --------------------------------------------------------


def test_second_open_drift_with_same_fingerprint_is_refused(engine: Any) -> None:
    first = make_drift()
    _add(engine, first)
    for status in ("detected", "triaged", "approved", "rejected"):
        twin = make_drift(resource_id=first.resource_id, status=status)
        assert twin.fingerprint == first.fingerprint
        with pytest.raises(IntegrityError):
            _add(engine, twin)


def test_same_fingerprint_allowed_once_the_first_is_resolved(engine: Any) -> None:
    first = make_drift()
    _add(engine, first)
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE drifts SET status = 'resolved', resolved_how = 'manual-fix' WHERE id = :id"
            ),
            {"id": _bind_id(engine, first.id)},
        )
    second = make_drift(resource_id=first.resource_id)
    _add(engine, second)  # no IntegrityError now
    # Resolved drifts can pile up; open ones cannot.
    _add(engine, make_drift(resource_id=first.resource_id, status="resolved"))
    with pytest.raises(IntegrityError):
        _add(engine, make_drift(resource_id=first.resource_id))
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT status FROM drifts WHERE fingerprint = :f ORDER BY status"),
            {"f": first.fingerprint},
        ).all()
    assert [r[0] for r in rows] == ["detected", "resolved", "resolved"]


# --- triggers ------------------------------------------------------------------------------


def test_triggers_exist(engine: Any) -> None:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            names = set(
                conn.execute(
                    text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                ).scalars()
            )
            expected = {f"trg_{t}_updated_at" for t in UPDATED_AT_TABLES} | {
                "trg_audit_logs_no_update",
                "trg_audit_logs_no_delete",
            }
        else:
            names = set(
                conn.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars()
            )
            expected = {f"trg_{t}_updated_at" for t in UPDATED_AT_TABLES} | {
                "trg_audit_logs_immutable"
            }
    assert names == expected


def _read_updated_at(engine: Any, model: Any, row_id: uuid.UUID) -> datetime:
    with Session(engine) as session:
        row = session.get(model, row_id)
        assert row is not None
        value: datetime = row.updated_at
        return value


@pytest.mark.parametrize(
    ("model", "factory", "statement"),
    [
        (Drift, lambda: make_drift(updated_at=OLD), "UPDATE drifts SET status = 'triaged'"),
        (User, lambda: _user(updated_at=OLD), "UPDATE users SET first_name = 'Ada'"),
    ],
    ids=["drifts", "users"],
)
def test_updated_at_changes_on_a_raw_update(
    engine: Any, model: Any, factory: Any, statement: str
) -> None:
    row = factory()
    _add(engine, row)
    assert _read_updated_at(engine, model, row.id) == OLD
    before = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(text(f"{statement} WHERE id = :id"), {"id": _bind_id(engine, row.id)})
    after = _read_updated_at(engine, model, row.id)
    # The trigger stamps the database's clock; allow for a little clock skew and rounding.
    assert after.tzinfo is not None
    assert abs((after - before).total_seconds()) < 60
    assert after > OLD


def test_audit_logs_refuse_update_and_delete(engine: Any) -> None:
    from driftctl.db.repositories import audit as audit_repo

    with Session(engine, expire_on_commit=False) as session, session.begin():
        row = audit_repo.append(session, action="seed_loaded", details={"n": 1})
    key = _bind_id(engine, row.id)
    for statement in (
        "UPDATE audit_logs SET action = 'drift_approved' WHERE id = :id",
        "UPDATE audit_logs SET details = NULL WHERE id = :id",
        "DELETE FROM audit_logs WHERE id = :id",
        "DELETE FROM audit_logs",
    ):
        with pytest.raises(DBAPIError, match="immutable"), engine.begin() as conn:
            conn.execute(text(statement), {"id": key})
    with engine.connect() as conn:
        assert conn.execute(text("SELECT action FROM audit_logs")).scalars().all() == [
            "seed_loaded"
        ]
