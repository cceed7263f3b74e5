"""The README's bulk approve: ``driftctl list … -o json | jq -r '.items[].id' | driftctl approve -``
approves every drift the list filters select, not the first page."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from driftctl.db.types import utcnow
from tests.cli.probe import DbProbe

REASON = "accepted in review 2026-11-22"


def _jq_ids(listing: Any) -> str:
    """What ``jq -r '.items[].id'`` prints for a ``list -o json`` output."""
    assert listing.exit_code == 0, listing.stderr
    return "".join(f"{item['id']}\n" for item in listing.json()["items"])


def test_readme_pipeline_approves_all_75_selected(cli: Any, db: DbProbe) -> None:
    now = utcnow()
    selected = db.add_many(
        [{"severity": "info", "detected_at": now - timedelta(minutes=i)} for i in range(75)]
    )
    others = db.add_many(
        [{"severity": "warning"} for _ in range(10)] + [{"status": "approved"} for _ in range(5)]
    )

    listing = cli(
        ["--db", db.url, "list", "--status", "detected", "--severity", "info", "-o", "json"]
    )
    approved = cli(["--db", db.url, "approve", "-", "--reason", REASON], stdin=_jq_ids(listing))

    assert approved.exit_code == 0, approved.stderr
    assert len(approved.stdout.splitlines()) == 75
    statuses = db.statuses()
    assert {statuses[i] for i in selected} == {"approved"}
    assert [statuses[i] for i in others] == ["detected"] * 10 + ["approved"] * 5
    assert len(db.audit(action="drift_approved")) == 75


def test_spec_pipeline_without_filters_sees_every_drift(cli: Any, db: DbProbe) -> None:
    ids = set(db.add_many([{} for _ in range(75)]))

    listing = cli(["--db", db.url, "list", "-o", "json"])
    approved = cli(["--db", db.url, "approve", "-", "--reason", REASON], stdin=_jq_ids(listing))

    assert approved.exit_code == 0, approved.stderr
    assert set(db.statuses()) == ids and set(db.statuses().values()) == {"approved"}
    pagination = listing.json()["pagination"]
    assert pagination["total"] == 75 and pagination["has_more"] is False


def test_json_and_csv_page_only_when_asked(cli: Any, db: DbProbe) -> None:
    ids = db.add_many([{"detected_at": utcnow() - timedelta(minutes=i)} for i in range(75)])

    first = cli(["--db", db.url, "list", "-o", "json", "--limit", "20"]).json()
    second = cli(["--db", db.url, "list", "-o", "json", "--page", "2"]).json()
    every_csv = cli(["--db", db.url, "list", "-o", "csv"])

    assert [i["id"] for i in first["items"]] == ids[:20]
    assert first["pagination"]["has_more"] is True and first["pagination"]["total_pages"] == 4
    assert [i["id"] for i in second["items"]] == ids[20:40]
    assert [r["id"] for r in csv.DictReader(io.StringIO(every_csv.stdout))] == ids


def test_table_still_shows_one_page(cli: Any, db: DbProbe) -> None:
    db.add_many([{} for _ in range(75)])
    result = cli(["--db", db.url, "list"])
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 21  # header + 20 rows
    assert result.stderr == "page 1 of 4 (75 drifts)\n"
