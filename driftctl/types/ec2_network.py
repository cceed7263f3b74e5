"""What the VPC network types that this module serves share (NAT gateways, Elastic IPs, network
ACLs, VPC endpoints): one paginated EC2 Describe listing per region, and a month of an hourly
priced object for their cost estimates.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from driftctl.scanner.base import ScanContext

if TYPE_CHECKING:
    from driftctl.diff.pricing import CostImpact, Pricer
    from driftctl.types.spec import CostQuery

SERVICE = "ec2"


def listing(
    ctx: ScanContext, region: str, method: str, key: str, page: tuple[int, int] | None = (5, 1000)
) -> list[Any]:
    """Every item under ``key`` of the paginated (or, ``page`` None, single) ``method`` call."""
    client = ctx.aws.client(SERVICE, region)
    if page is None:
        return list(getattr(client, method)().get(key, []))
    pages = client.get_paginator(method).paginate(
        PaginationConfig={"PageSize": ctx.page_size_for(*page)}
    )
    return [item for answer in pages for item in answer.get(key, [])]


def ids(values: Iterable[Any]) -> list[str]:
    """Sorted distinct non-empty ids (AWS lists may repeat one or hold empty strings)."""
    return sorted({str(v) for v in values if v})


def hourly_cost(query: CostQuery, item: str, noun: str, priced: bool = True) -> CostImpact:
    """A month of one hourly-priced object, for an unmanaged (extra cost) or missing (saving)
    one; ``priced`` False for one AWS does not charge for (no cost, no note)."""
    from driftctl.diff.network_prices import month
    from driftctl.diff.pricing import CostImpact, Pricer

    if query.drift_type not in ("unmanaged", "missing") or not priced:
        return CostImpact(0.0)
    pricer: Pricer = Pricer(query.table, query.region)
    amount = month(pricer, item, noun)
    if query.drift_type == "missing":
        amount = -amount
    return pricer.result(amount, f"{query.drift_type} {noun} (hourly charge)")
