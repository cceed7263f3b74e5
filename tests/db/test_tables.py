"""The Core tables read commands query agree with the models, column for column."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from driftctl.db import models, tables

DIALECTS = (sqlite.dialect(), postgresql.dialect())


def _columns(table: Any) -> list[tuple[str, bool, bool, tuple[str, ...]]]:
    """(name, nullable, primary key, the column's SQL type on each engine), in table order."""
    return [
        (
            c.name,
            bool(c.nullable),
            bool(c.primary_key),
            tuple(str(c.type.compile(dialect=d)) for d in DIALECTS),
        )
        for c in table.columns
    ]


@pytest.mark.parametrize("name", sorted(tables.metadata.tables))
def test_core_table_has_the_models_columns(name: str) -> None:
    assert _columns(tables.metadata.tables[name]) == _columns(models.metadata.tables[name])


def test_core_tables_are_not_alembic_s_target() -> None:
    assert tables.metadata is not models.metadata
    assert set(tables.metadata.tables) < set(models.metadata.tables)


@pytest.mark.parametrize("name", ["JSONType", "InetType"])
def test_the_models_pg_variants_are_made_once(name: str) -> None:
    from driftctl.db import types

    assert getattr(types, name) is getattr(types, name)


def test_unknown_type_name_is_an_attribute_error() -> None:
    from driftctl.db import types

    with pytest.raises(AttributeError):
        types.NoSuchType  # noqa: B018
