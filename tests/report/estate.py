"""The seeded estate of the summary tests plus drifts whose AWS strings are hostile markup."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from tests.costs.seed import Seeded, seed_estate
from tests.factories import insert_drifts, make_drift

XSS_TAG = "<script>alert(1)</script>"
# Would mark the page if it ever ran: closes the data element, then runs a script.
BREAKOUT_ID = "</script><script>document.body.setAttribute('data-pwned','1')</script>"
IMG_REGION = "<img src=x onerror=alert(3)>"
ODD_PATH = "tags.<b>Team</b> & \u2028co"


def seed_report_estate(ctx: Any, now: datetime) -> Seeded:
    """Six open drifts (one of them hostile) on top of ``seed_estate``."""
    seeded = seed_estate(ctx, now, xss_tag=XSS_TAG)
    hostile = make_drift(
        resource_id=BREAKOUT_ID,
        region=IMG_REGION,
        severity="warning",
        cost_impact_monthly=Decimal("7.50"),
        detected_at=now - timedelta(days=1),
        difference={
            ODD_PATH: {"change": "changed", "expected": "a&b", "actual": {"k": "</script>"}},
        },
    )
    insert_drifts(ctx, hostile)
    seeded.drifts["H"] = hostile
    return seeded
