"""Who is acting: the implicit local admin, or (team mode) the logged-in user."""

from __future__ import annotations

from driftctl.services.context import Actor, Context, local_actor


def current_actor(ctx: Context) -> Actor:
    """The actor for this process. Local mode until the database has users."""
    return local_actor()
