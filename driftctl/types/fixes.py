"""Pieces the type modules' remediation fixes share: tag reverts and reading difference entries.

A type declares its fixes (``ResourceSpec.fixes``) with these; ``remediation.plan`` matches
difference entries to them. Nothing here calls AWS: a fix only says which calls to make.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from driftctl.types.spec import Call, Fix, FixQuery

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"

TagStyle = Literal["list", "map"]


def member(path: str) -> str:
    """The member a set entry names: ``ingress[tcp:22:0.0.0.0/0]`` -> ``tcp:22:0.0.0.0/0``."""
    return path[path.index("[") + 1 : -1] if path.endswith("]") and "[" in path else path


def map_key(path: str) -> str:
    """The key a map entry names: ``tags.Owner`` -> ``Owner`` (keys may hold dots)."""
    return path.split(".", 1)[1] if "." in path else path


def set_members(entries: Mapping[str, Mapping[str, Any]]) -> tuple[list[str], list[str]]:
    """(members AWS has beyond the IaC, members the IaC has that AWS lacks), each sorted."""
    added = sorted(member(p) for p, e in entries.items() if e.get("change") == ADDED)
    removed = sorted(member(p) for p, e in entries.items() if e.get("change") == REMOVED)
    return added, removed


def tag_changes(entries: Mapping[str, Mapping[str, Any]]) -> tuple[dict[str, str], list[str]]:
    """(tags to set to their expected value, tag keys to remove), from ``tags.KEY`` entries."""
    to_set: dict[str, str] = {}
    to_remove: list[str] = []
    for path, entry in sorted(entries.items()):
        key = map_key(path)
        if entry.get("change") == ADDED:
            to_remove.append(key)
        else:
            to_set[key] = "" if entry.get("expected") is None else str(entry["expected"])
    return to_set, to_remove


def tag_calls(
    query: FixQuery,
    *,
    service: str,
    tag: str,
    untag: str,
    target: Mapping[str, Any],
    style: TagStyle = "list",
    tags_param: str = "Tags",
    keys_param: str = "TagKeys",
    key_field: str = "Key",
    value_field: str = "Value",
    untag_as_tags: bool = False,
) -> list[Call]:
    """The calls putting tags back: one ``tag`` call for the keys to set, one ``untag`` for the
    keys to remove. ``target`` names the resource (``{"ResourceArn": arn}``); ``style`` is how the
    API takes tags: a ``[{"Key", "Value"}]`` list or a ``{key: value}`` map; ``untag_as_tags``
    for APIs that remove tags given as ``[{"Key"}]`` under ``tags_param`` (EC2's DeleteTags)."""
    to_set, to_remove = tag_changes(query.entries)
    calls: list[Call] = []
    if to_set:
        tags: Any = (
            dict(to_set)
            if style == "map"
            else [{key_field: k, value_field: v} for k, v in to_set.items()]
        )
        fixed = tuple(f"{_tags_attr(query)}.{k}" for k in to_set)
        calls.append(Call(service, tag, {**target, tags_param: tags}, fixes=fixed))
    if to_remove:
        keys: Any = [{key_field: k} for k in to_remove] if untag_as_tags else list(to_remove)
        param = tags_param if untag_as_tags else keys_param
        fixed = tuple(f"{_tags_attr(query)}.{k}" for k in to_remove)
        calls.append(Call(service, untag, {**target, param: keys}, fixes=fixed))
    return calls


def _tags_attr(query: FixQuery) -> str:
    first = next(iter(query.entries), "tags.")
    return first.split(".", 1)[0]


def tags_fix(
    service: str,
    tag: str,
    untag: str,
    target: Callable[[FixQuery], Mapping[str, Any]],
    **options: Any,
) -> Fix:
    """A fix for ``tags.*`` entries with ``tag_calls``; ``target(query)`` names the resource."""

    def plan(query: FixQuery) -> Sequence[Call]:
        return tag_calls(
            query, service=service, tag=tag, untag=untag, target=target(query), **options
        )

    return Fix("tags.*", plan, doc=f"tags ({service}:{tag} / {untag})")


def ec2_tags_fix() -> Fix:
    """Tags of any EC2 resource (instances, groups, VPCs…): CreateTags / DeleteTags by id."""
    return tags_fix(
        "ec2",
        "CreateTags",
        "DeleteTags",
        lambda q: {"Resources": [q.resource_id]},
        untag_as_tags=True,
    )


def partition(region: str) -> str:
    """The ARN partition of a region (``aws``, ``aws-cn``, ``aws-us-gov``), for fixes that
    must name a resource by an ARN the scan does not read (API Gateway, ECS revisions)."""
    for prefix, name in (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"), ("us-isob-", "aws-iso-b")):
        if region.startswith(prefix):
            return name
    return "aws-iso" if region.startswith("us-iso-") else "aws"


def expected_value(query: FixQuery, path: str) -> Any:
    """The expected value of one matched entry."""
    return query.entries[path].get("expected")


def scalar_fix(
    path: str, call: Callable[[FixQuery, Any], Call | Sequence[Call]], doc: str = ""
) -> Fix:
    """A fix for one scalar attribute: ``call(query, expected value)`` gives its call(s)."""

    def plan(query: FixQuery) -> Sequence[Call]:
        made = call(query, expected_value(query, path))
        return [made] if isinstance(made, Call) else list(made)

    return Fix(path, plan, doc=doc or path)


def resource_arn(query: FixQuery, service: str, resource: str) -> str:
    """``arn:<partition>:<service>:<region>:<account>:<resource>`` of the queried resource, for
    APIs that take an ARN where the scan keeps a name (RDS tags)."""
    account = query.account_id or ""
    return f"arn:{partition(query.region)}:{service}:{query.region}:{account}:{resource}"
