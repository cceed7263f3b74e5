"""EC2 tags managed one at a time (``aws_ec2_tag``: one tag on any EC2 resource, often a subnet
tagged for a Kubernetes cluster that another stack owns).

resource_id is ``<resource id>,<key>``, the id the provider writes. Compared: the tag's value
(a change is info, like any tag). Read with DescribeTags, paginated and filtered by the keys the
IaC declares (200 keys a filter), only when the IaC declares ``aws_ec2_tag``: nothing is called
otherwise. A tag is not a resource, so none is ever unmanaged: only the declared
``resource,key`` pairs are kept from the answer. A tag removed (or its resource deleted) is
missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftctl.diff.conditions import always
from driftctl.domain import Severity
from driftctl.iac.instance import StateInstance, text
from driftctl.resources import SENSITIVE, ActualResource, looks_secret
from driftctl.scanner.base import Collected, ScanContext
from driftctl.types.build import BuildContext, Builder
from driftctl.types.fixes import scalar_fix
from driftctl.types.spec import (
    ApiCall,
    Attr,
    Call,
    FixQuery,
    ResourceSpec,
    Rule,
    Scope,
    TerraformType,
)

RESOURCE_TYPE = "EC2_TAG"
# DescribeTags accepts 5..1000 per page; a filter takes up to 200 values.
_PAGE = (5, 1000)
_KEYS_PER_FILTER = 200


def _state_value(inst: StateInstance) -> Any:
    return _masked(inst.get("key"), text(inst.get("value")))


def _masked(key: Any, value: Any) -> Any:
    # The value of a secret-looking key (``db_password``) is never stored, on either side.
    return SENSITIVE if looks_secret(str(key or "")) else value


SCHEMA: dict[str, Attr] = {
    "value": Attr(read=_state_value, doc="the tag's value; secret-looking keys masked"),
}


def compose_id(attrs: Mapping[str, Any]) -> str | None:
    """``<resource id>,<key>``, from the state's id or its two attributes."""
    ident = attrs.get("id")
    if isinstance(ident, str) and "," in ident:
        return ident
    resource, key = attrs.get("resource_id"), attrs.get("key")
    return f"{resource},{key}" if resource and key else None


def split_id(ident: str) -> tuple[str, str] | None:
    """(resource id, key) of ``<resource id>,<key>`` (a key may hold commas itself)."""
    resource, comma, key = ident.partition(",")
    return (resource, key) if comma and resource and key else None


def collect(ctx: ScanContext, region: str) -> Collected:
    """The declared tags found in ``region``; no call when the IaC declares none. Errors
    propagate (the runner records them for this region)."""
    declared = ctx.expected_ids.get(RESOURCE_TYPE, frozenset())
    wanted = {pair for ident in declared if (pair := split_id(ident))}
    if not wanted:
        return Collected()
    keys = sorted({key for _, key in wanted})
    client = ctx.aws.client("ec2", region)
    found: list[ActualResource] = []
    for start in range(0, len(keys), _KEYS_PER_FILTER):
        pages = client.get_paginator("describe_tags").paginate(
            Filters=[{"Name": "key", "Values": keys[start : start + _KEYS_PER_FILTER]}],
            PaginationConfig={"PageSize": ctx.page_size_for(*_PAGE)},
        )
        for page in pages:
            for tag in page.get("Tags") or []:
                if not isinstance(tag, Mapping):
                    continue
                pair = (str(tag.get("ResourceId") or ""), str(tag.get("Key") or ""))
                if pair not in wanted:
                    continue  # a tag the IaC does not declare: not a resource, never unmanaged
                found.append(
                    ActualResource(
                        resource_type=RESOURCE_TYPE,
                        resource_id=f"{pair[0]},{pair[1]}",
                        region=region,
                        attributes={"value": _masked(pair[1], str(tag.get("Value") or ""))},
                        account_id=ctx.account_id,
                    )
                )
    return Collected(resources=found)


# -- remediation -------------------------------------------------------------------------------


def _value(query: FixQuery, expected: Any) -> Call:
    """CreateTags overwrites the one tag's value; the resource's other tags stay as they are."""
    pair = split_id(query.resource_id)
    if pair is None:
        raise ValueError(f"EC2 tag id {query.resource_id!r} is not <resource id>,<key>")
    resource, key = pair
    value = "" if expected is None else str(expected)
    return Call(
        "ec2", "CreateTags", {"Resources": [resource], "Tags": [{"Key": key, "Value": value}]}
    )


FIXES = (scalar_fix("value", _value, doc="the tag's value (ec2:CreateTags)"),)


# -- building in an emulated account ---------------------------------------------------------


def _build_tag(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ctx.client("ec2").create_tags(
        Resources=[ctx.id(attrs["resource_id"])],
        Tags=[{"Key": attrs["key"], "Value": attrs.get("value") or ""}],
    )


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="EC2 tag",
    with_article="an EC2 tag",
    sarif_name="EC2Tag",
    terraform=(
        TerraformType(
            "aws_ec2_tag",
            account_from_arn=False,
            compose_id=compose_id,
        ),
    ),
    scope=Scope.REGIONAL,
    service="ec2",
    collect=collect,
    api_calls=(
        ApiCall(
            "ec2:DescribeTags",
            per="region",
            page_size=1000,
            when="the IaC declares aws_ec2_tag",
        ),
    ),
    schema=SCHEMA,
    id_doc="<resource id>,<key>",
    rules=(Rule("value", always, severity=Severity.INFO, doc="a tag's value, like any tag"),),
    builders={
        "aws_ec2_tag": Builder(
            _build_tag,
            after=(
                "aws_instance",
                "aws_vpc",
                "aws_subnet",
                "aws_security_group",
                "aws_route_table",
                "aws_internet_gateway",
                "aws_nat_gateway",
                "aws_eip",
                "aws_network_acl",
                "aws_vpc_endpoint",
            ),
        )
    },
    fixes=FIXES,
    doc="Tags are not resources: an aws_ec2_tag is never unmanaged.",
)
