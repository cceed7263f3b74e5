"""What the two Route 53 types (``route53_zone``, ``route53_record``) share: one ListHostedZones
listing per scan (100 zones a page) and the spelling rules of DNS names.

DNS names compare the way DNS does: letter case and a trailing dot do not matter, and AWS's
octal escapes (``\\052`` for ``*`` in ``*.example.com``) mean the character they encode.
A zone id is the bare id (``Z0123…``), whichever way it is written (``/hostedzone/Z0123…``, an
ARN).
"""

from __future__ import annotations

import re
from typing import Any

from driftctl.scanner.base import ScanContext
from driftctl.types.spec import ApiCall

SERVICE = "route53"
# How botocore names the service in API-call counts (``route-53:…``).
OPERATION_PREFIX = "route-53"
# ListHostedZones returns at most 100 zones a page.
ZONE_PAGE = 100

_ESCAPE = re.compile(r"\\([0-7]{3}|.)")


def operation(name: str) -> str:
    """``ListHostedZones`` as it appears in API-call counts."""
    return f"{OPERATION_PREFIX}:{name}"


LIST_ZONES = ApiCall(operation("ListHostedZones"), per="account", page_size=ZONE_PAGE)


def dns_name(value: Any) -> str:
    """A DNS name in canonical form: escapes decoded, lower case, no trailing dot."""
    text = str(value or "")

    def decode(match: re.Match[str]) -> str:
        code = match.group(1)
        if code.isdigit():
            number = int(code, 8)
            return chr(number) if 32 <= number < 127 else match.group(0)
        return code

    return _ESCAPE.sub(decode, text).lower().rstrip(".")


def zone_id(value: Any) -> str:
    """The bare zone id of ``/hostedzone/Z0123``, ``arn:aws:route53:::hostedzone/Z0123`` or
    ``Z0123``."""
    return str(value or "").rsplit("/", 1)[-1]


def client(ctx: ScanContext) -> Any:
    """The Route 53 client (a global service: the scan's home region)."""
    return ctx.aws.client(SERVICE)


def hosted_zones(ctx: ScanContext) -> list[dict[str, Any]]:
    """Every hosted zone of the account, listed once per scan for both types that need it."""

    def load() -> list[dict[str, Any]]:
        pages = (
            client(ctx)
            .get_paginator("list_hosted_zones")
            .paginate(PaginationConfig={"PageSize": ctx.page_size_for(1, ZONE_PAGE)})
        )
        return [z for page in pages for z in page.get("HostedZones", []) if z.get("Id")]

    return ctx.shared("route53:hosted-zones", load)


def is_private(zone: dict[str, Any]) -> bool:
    """Whether a ListHostedZones item is a private zone."""
    return bool((zone.get("Config") or {}).get("PrivateZone"))


def linked_service(zone: dict[str, Any]) -> str | None:
    """The AWS service that created and manages a zone (Cloud Map's namespaces), if any."""
    linked = zone.get("LinkedService") or {}
    principal = linked.get("ServicePrincipal") if isinstance(linked, dict) else None
    return str(principal) if principal else None
