"""Schema administration: upgrade and current revision."""

from __future__ import annotations

from typing import Any

from driftctl.domain import Role
from driftctl.services.context import Context, _schema_revision, timed


@timed
def upgrade(ctx: Context, revision: str = "head") -> tuple[str | None, str | None]:
    """Run migrations up to ``revision``; returns (before, after). Admin only in team mode."""
    from driftctl.db import migrate
    from driftctl.services.context import _db_errors

    before = _schema_revision(ctx)
    if before is not None:
        ctx.actor.require(Role.ADMIN, "upgrade the database")
    with _db_errors(ctx):
        migrate.upgrade(ctx.engine, revision)
    return before, _schema_revision(ctx)


@timed
def current(ctx: Context) -> dict[str, Any]:
    from driftctl.db import SCHEMA_HEAD
    from driftctl.db.engine import redact_url

    revision = _schema_revision(ctx)
    return {
        "revision": revision,
        "head": SCHEMA_HEAD,
        "up_to_date": revision == SCHEMA_HEAD,
        "database": redact_url(ctx.settings.database_url),
    }
