"""Schema administration: upgrade and current revision."""

from __future__ import annotations

from typing import Any

from driftctl.domain import Role
from driftctl.services.context import Context, schema_revision, timed


@timed
def upgrade(ctx: Context, revision: str = "head") -> tuple[str | None, str | None]:
    """Run migrations up to ``revision``; returns (before, after). Admin only in team mode."""
    from driftctl.db import migrate
    from driftctl.services.context import db_errors

    before = schema_revision(ctx)
    if before is not None:
        ctx.actor.require(Role.ADMIN, "upgrade the database")
    with db_errors(ctx):
        migrate.upgrade(ctx.engine, revision)
    return before, schema_revision(ctx)


@timed
def current(ctx: Context) -> dict[str, Any]:
    from driftctl.db import SCHEMA_HEAD
    from driftctl.db.engine import redact_url

    revision = schema_revision(ctx)
    return {
        "revision": revision,
        "head": SCHEMA_HEAD,
        "up_to_date": revision == SCHEMA_HEAD,
        "database": redact_url(ctx.settings.database_url),
    }
