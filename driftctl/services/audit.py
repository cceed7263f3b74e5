"""Reading and verifying the audit trail (SPEC §7)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from driftctl.db.repositories import audit as audit_repo
from driftctl.errors import ValidationError
from driftctl.services.context import Context, timed
from driftctl.services.drifts import audit_to_dict, resolve_id
from driftctl.services.listing import Page, check_page


@timed
def list_audit(
    ctx: Context,
    *,
    drift: str | None = None,
    actor: str | None = None,
    actions: list[str] | None = None,
    since: Any = None,
    page: int = 1,
    limit: int = 50,
) -> Page:
    """A page of audit rows, newest first. ValidationError/NotFoundError for a bad --drift."""
    offset = check_page(page, limit, max_limit=1000)
    with ctx.query() as conn:
        drift_ids = [resolve_id(conn, drift)] if drift else []
        filters = audit_repo.AuditFilter(
            drift_ids=drift_ids, actor=actor, actions=actions or [], since=since
        )
        total = audit_repo.count(conn, filters=filters)
        rows = audit_repo.list_page(conn, filters=filters, offset=offset, limit=limit)
        items = [audit_to_dict(r) for r in rows]
    return Page(items=items, total=total, page=page, page_size=limit)


@dataclass
class VerifyResult:
    ok: bool
    rows_checked: int
    head: dict[str, Any] | None
    broken_at: dict[str, Any] | None = None
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rows_checked": self.rows_checked,
            "head": self.head,
            "broken_at": self.broken_at,
            "problem": self.problem,
        }


def parse_anchor(text: str) -> tuple[uuid.UUID, str]:
    """``ID:HASH`` as printed by ``audit anchor``."""
    try:
        raw_id, digest = text.strip().split(":", 1)
        anchor_id = uuid.UUID(raw_id)
    except ValueError:
        raise ValidationError(f"invalid --anchor {text!r}: expected ID:HASH") from None
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValidationError(f"invalid --anchor {text!r}: the hash must be 64 hex characters")
    return anchor_id, digest


@timed
def verify(ctx: Context, *, anchor: str | None = None) -> VerifyResult:
    """Walk the hash chain; report the first row whose content, link or position is wrong."""
    anchor_parsed = parse_anchor(anchor) if anchor else None
    anchor_seen = False
    with ctx.query() as conn:
        prev_hash, expected_seq, checked, last = audit_repo.GENESIS_HASH, 1, 0, None
        for row in audit_repo.iter_chain(conn):
            where = {"id": str(row.id), "seq": row.seq, "action": row.action}
            problem = None
            if row.seq != expected_seq:
                problem = f"row {expected_seq} of the chain is missing (found {row.seq})"
            elif row.prev_hash != prev_hash:
                problem = "its prev_hash does not match the previous row"
            elif audit_repo.compute_hash(prev_hash, row) != row.hash:
                problem = "its content does not match its hash (the row was altered)"
            if problem is None and anchor_parsed and row.id == anchor_parsed[0]:
                anchor_seen = True
                if row.hash != anchor_parsed[1]:
                    problem = "the anchor's hash differs: history up to the anchor was rewritten"
            if problem:
                return VerifyResult(False, checked, _head(last), broken_at=where, problem=problem)
            prev_hash, expected_seq, checked, last = row.hash, row.seq + 1, checked + 1, row
    if anchor_parsed and not anchor_seen:
        return VerifyResult(
            False,
            checked,
            _head(last),
            broken_at={"id": str(anchor_parsed[0])},
            problem="the anchored row is no longer in the chain",
        )
    return VerifyResult(True, checked, _head(last))


def _head(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"id": str(row.id), "seq": row.seq, "hash": row.hash}


@timed
def anchor(ctx: Context) -> dict[str, Any] | None:
    """The current chain head (row id + hash), to keep outside the database."""
    with ctx.query() as conn:
        return _head(audit_repo.tip(conn))
