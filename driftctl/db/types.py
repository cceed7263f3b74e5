"""Column types that map to PostgreSQL's native types and to their nearest SQLite equivalents.

SQLAlchemy's PostgreSQL dialect is imported only when something needs it (a PostgreSQL engine, the
models, the migrations): a command that reads a SQLite database never loads it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import DateTime, TypeDecorator, TypeEngine

if TYPE_CHECKING:
    # JSONB on PostgreSQL, JSON text on SQLite.
    JSONType: TypeEngine[Any]
    # INET on PostgreSQL; text long enough for an IPv6 address on SQLite.
    InetType: TypeEngine[Any]


class GUID(TypeDecorator[uuid.UUID]):
    """UUID on PostgreSQL; on SQLite the canonical lower-case 36-character text.

    Text with dashes keeps SQLite's order equal to UUID order, so an id prefix can be looked up
    as an index range on both engines.
    """

    impl = String(36)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects import postgresql

            return dialect.type_descriptor(postgresql.UUID(as_uuid=True))
        return dialect.type_descriptor(String(36))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, uuid.UUID):
            value = uuid.UUID(str(value))
        return value if dialect.name == "postgresql" else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> uuid.UUID | None:
        if value is None or isinstance(value, uuid.UUID):
            return value
        return uuid.UUID(str(value))


class UTCDateTime(TypeDecorator[datetime]):
    """TIMESTAMPTZ on PostgreSQL; on SQLite UTC text. Always returns aware UTC datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        result: datetime = value
        if result.tzinfo is None:
            return result.replace(tzinfo=UTC)
        return result.astimezone(UTC)


class LazyJSONB(TypeDecorator[Any]):
    """JSONType for reading (``driftctl.db.tables``): the same column types, but the PostgreSQL
    one is looked up when a PostgreSQL engine first uses it."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects import postgresql

            return dialect.type_descriptor(postgresql.JSONB())
        return dialect.type_descriptor(JSON())


class LazyInet(TypeDecorator[str]):
    """InetType for reading, as LazyJSONB is JSONType's."""

    impl = String(45)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects import postgresql

            return dialect.type_descriptor(postgresql.INET())
        return dialect.type_descriptor(String(45))


def __getattr__(name: str) -> Any:
    """JSONType and InetType (the models' and migrations' types), made on first use."""
    if name not in ("JSONType", "InetType"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from sqlalchemy.dialects import postgresql

    variants = {
        "JSONType": JSON().with_variant(postgresql.JSONB(), "postgresql"),
        "InetType": String(45).with_variant(postgresql.INET(), "postgresql"),
    }
    globals().update(variants)
    return variants[name]


def utcnow() -> datetime:
    return datetime.now(UTC)
