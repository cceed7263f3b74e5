"""What the three ECS types (``ecs_cluster``, ``ecs_service``, ``ecs_task_definition``) share:
the ListClusters listing (once per region and scan, for clusters and services alike), batched
describes, tags and the canonical forms of values both Terraform and AWS spell their own way.

No stubs for the ECS client are installed, so answers are plain mappings. Values from AWS are
untrusted: every field is read with ``.get`` and kept only when it has the expected shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from driftctl import normalize
from driftctl.resources import SENSITIVE, looks_secret, mask_secret_values
from driftctl.scanner.base import ScanContext
from driftctl.types import fixes
from driftctl.types.spec import ApiCall, Fix, FixQuery

SERVICE = "ecs"
# ListClusters, ListServices and ListTaskDefinitionFamilies accept 1..100 per page.
LIST_PAGE = (1, 100)
# DescribeClusters takes up to 100 clusters a call, DescribeServices 10 services.
CLUSTERS_PER_CALL = 100
SERVICES_PER_CALL = 10
# What ECS answers for an object deleted between the listing and the read.
NOT_FOUND = frozenset({"ClusterNotFoundException", "ServiceNotFoundException"})

LIST_CLUSTERS = ApiCall("ecs:ListClusters", per="region", page_size=LIST_PAGE[1])

T = TypeVar("T")
R = TypeVar("R")


def _own_arn(query: FixQuery) -> str:
    return query.resource_id


def tags_fix(arn: Callable[[FixQuery], str] = _own_arn) -> Fix:
    """Tags of a cluster, service or task definition: TagResource / UntagResource by its ARN
    (``arn(query)``; default: the resource id), tags as ECS's lower-case ``key``/``value``."""
    return fixes.tags_fix(
        SERVICE,
        "TagResource",
        "UntagResource",
        lambda q: {"resourceArn": arn(q)},
        tags_param="tags",
        keys_param="tagKeys",
        key_field="key",
        value_field="value",
    )


def client(ctx: ScanContext, region: str) -> Any:
    """The ECS client of ``region``."""
    return ctx.aws.client(SERVICE, region)


def error_code(exc: BaseException) -> str:
    """The AWS error code of a ClientError ("" for anything else)."""
    response = getattr(exc, "response", None)
    if not isinstance(response, Mapping):
        return ""
    return str(response.get("Error", {}).get("Code", ""))


def cluster_arns(ctx: ScanContext, region: str) -> list[str]:
    """Every cluster ARN of ``region``, listed once per scan for every type that needs it."""

    def load() -> list[str]:
        pages = (
            client(ctx, region)
            .get_paginator("list_clusters")
            .paginate(PaginationConfig={"PageSize": ctx.page_size_for(*LIST_PAGE)})
        )
        return [
            arn
            for page in pages
            for arn in page.get("clusterArns", [])
            if isinstance(arn, str) and arn.startswith("arn:")
        ]

    return ctx.shared(f"ecs:clusters:{region}", load)


def batches(items: Sequence[T], size: int) -> list[list[T]]:
    """``items`` in lists of at most ``size``."""
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def concurrently(ctx: ScanContext, items: Sequence[T], fn: Callable[[T], R]) -> list[R]:
    """``fn`` over ``items`` on the detail threads; the first exception propagates."""
    if not items:
        return []
    workers = min(ctx.detail_workers, len(items))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="driftctl-ecs") as pool:
        return list(pool.map(fn, items))


def tags(value: Any) -> dict[str, str]:
    """ECS's ``[{"key": …, "value": …}]`` tags as a map (secret-looking values masked)."""
    pairs = [
        {"Key": t.get("key"), "Value": t.get("value") or ""}
        for t in value or []
        if isinstance(t, Mapping) and t.get("key")
    ]
    return mask_secret_values(normalize.tags(pairs))


def tag_list(values: Mapping[str, str]) -> list[dict[str, str]]:
    """Tags in ECS's lower-case ``key``/``value`` form, sorted by key."""
    return [{"key": k, "value": v} for k, v in sorted(values.items())]


def name_of(arn: Any) -> str:
    """The last path part of an ECS ARN (``main`` from ``…:cluster/main``); text as is."""
    return str(arn or "").rsplit("/", 1)[-1]


def task_definition_ref(value: Any) -> str | None:
    """``family:revision`` (or ``family``) from a task definition ARN or reference."""
    if value is None or value == "" or value == SENSITIVE:
        return None if value != SENSITIVE else SENSITIVE
    return name_of(value)


# -- container definitions ---------------------------------------------------------------------

# Values AWS fills in when a container definition leaves them out: not drift.
_CONTAINER_DEFAULTS: dict[str, Any] = {"essential": True, "cpu": 0, "versionConsistency": "enabled"}
# Lists whose order means nothing to ECS.
_SET_LISTS = frozenset(
    {"mountPoints", "volumesFrom", "ulimits", "systemControls", "environmentFiles"}
)


def _prune(value: Any) -> Any:
    """``value`` without empty lists, maps, None and empty text, recursively; the text under a
    secret-looking key (a log driver's ``splunk-token``, a docker label) masked."""
    if isinstance(value, Mapping):
        out = {
            str(k): SENSITIVE
            if looks_secret(str(k)) and isinstance(v, str | int | float) and v != ""
            else _prune(v)
            for k, v in value.items()
        }
        return {k: v for k, v in sorted(out.items()) if v not in (None, "", [], {})}
    if isinstance(value, list):
        items = [_prune(v) for v in value]
        return [v for v in items if v not in (None, "", [], {})]
    return value


def _port(mapping: Mapping[str, Any], network_mode: str | None) -> dict[str, Any]:
    port = dict(mapping)
    if str(port.get("protocol", "tcp")).lower() == "tcp":
        port.pop("protocol", None)
    host = port.get("hostPort")
    # Dynamic host ports (bridge) are 0; awsvpc and host mode copy the container port.
    if host in (0, None) or (
        network_mode in ("awsvpc", "host") and host == port.get("containerPort")
    ):
        port.pop("hostPort", None)
    return port


def _named(items: Any, value_key: str, *, mask: bool) -> list[dict[str, Any]]:
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping) or not item.get("name"):
            continue
        name = str(item["name"])
        value = item.get(value_key)
        out.append({"name": name, value_key: SENSITIVE if mask and looks_secret(name) else value})
    return sorted(out, key=lambda e: e["name"])


def container(definition: Mapping[str, Any], network_mode: str | None) -> dict[str, Any]:
    """One container definition in canonical form: AWS's defaults dropped, lists that are sets
    sorted, values of secret-looking environment variables masked."""
    out: dict[str, Any] = {}
    for key, value in definition.items():
        if key in _CONTAINER_DEFAULTS and value == _CONTAINER_DEFAULTS[key]:
            continue
        if key == "portMappings" and isinstance(value, list):
            ports = [_port(p, network_mode) for p in value if isinstance(p, Mapping)]
            value = sorted(ports, key=lambda p: normalize_json(p))
        elif key == "environment":
            value = _named(value, "value", mask=True)
        elif key == "secrets":
            value = _named(value, "valueFrom", mask=False)
        elif key in _SET_LISTS and isinstance(value, list):
            value = sorted(value, key=normalize_json)
        out[str(key)] = value
    pruned: dict[str, Any] = _prune(out)
    return pruned


def containers(definitions: Any, network_mode: str | None) -> dict[str, str] | None:
    """Container name -> its canonical definition as compact JSON text."""
    if not isinstance(definitions, list):
        return None
    out: dict[str, str] = {}
    for definition in definitions:
        if isinstance(definition, Mapping) and definition.get("name"):
            out[str(definition["name"])] = normalize_json(container(definition, network_mode))
    return out


def normalize_json(value: Any) -> str:
    """Compact JSON with sorted keys: the text two equal values share."""
    import json

    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def strings(values: Iterable[Any]) -> list[str]:
    """Distinct non-empty strings, sorted."""
    return sorted({str(v) for v in values if v not in (None, "")})
