"""ECS clusters (``aws_ecs_cluster``): ListClusters per region (shared with the service type),
then DescribeClusters, 100 clusters a call, with their settings, configuration and tags.

resource_id is the cluster ARN (Terraform's id). Settings compare by name (``containerInsights``),
only those the state lists: the account default decides an unset one. The execute-command and
managed-storage configuration compares as one flat object whatever the spelling (Terraform's
nested blocks, AWS's camelCase); ``logging = DEFAULT`` is what AWS means by no setting. moto
does not implement UpdateClusterSettings (UpdateCluster with settings works, as on AWS), keeps
the service-connect namespace as given (AWS reports its ARN) and ignores it on UpdateCluster.
A cluster named ``default`` is the one ECS creates itself: never unmanaged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftctl.iac.instance import StateInstance, boolean, text
from driftctl.resources import SENSITIVE, ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.types import ecs
from driftctl.types.build import BuildContext, Builder, tags_of
from driftctl.types.fixes import map_key
from driftctl.types.spec import (
    ApiCall,
    Attr,
    Call,
    Fix,
    FixQuery,
    Kind,
    ResourceSpec,
    Scope,
    TerraformType,
)

RESOURCE_TYPE = "ECS_CLUSTER"
DEFAULT_CLUSTER = "default"
_INCLUDE = ["SETTINGS", "CONFIGURATIONS", "TAGS"]

# Terraform's log_configuration block -> AWS's logConfiguration keys.
_LOG_FIELDS = {
    "cloud_watch_log_group_name": "cloudWatchLogGroupName",
    "cloud_watch_encryption_enabled": "cloudWatchEncryptionEnabled",
    "s3_bucket_name": "s3BucketName",
    "s3_bucket_encryption_enabled": "s3EncryptionEnabled",
    "s3_key_prefix": "s3KeyPrefix",
}
_FLAGS = ("cloud_watch_encryption_enabled", "s3_bucket_encryption_enabled")


def _first(value: Any) -> Mapping[str, Any]:
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return value[0]
    return value if isinstance(value, Mapping) else {}


def _flat(values: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in values.items():
        if value is None or value == "" or (key == "logging" and value == "DEFAULT"):
            continue
        out[key] = bool(boolean(value)) if key in _FLAGS else str(value)
    # Encryption flags that are off say nothing more than no flag at all.
    return {k: v for k, v in sorted(out.items()) if v is not False}


def _state_configuration(inst: StateInstance) -> Any:
    raw = inst.get("configuration")
    if raw is None or raw == SENSITIVE:
        return raw
    conf = _first(raw)
    command = _first(conf.get("execute_command_configuration"))
    logs = _first(command.get("log_configuration"))
    storage = _first(conf.get("managed_storage_configuration"))
    values: dict[str, Any] = {
        "kms_key_id": command.get("kms_key_id"),
        "logging": command.get("logging"),
        "managed_storage_kms_key_id": storage.get("kms_key_id"),
        "fargate_ephemeral_storage_kms_key_id": storage.get("fargate_ephemeral_storage_kms_key_id"),
    }
    values.update({name: logs.get(name) for name in _LOG_FIELDS})
    return _flat(values)


def _aws_configuration(conf: Any) -> dict[str, Any]:
    conf = conf if isinstance(conf, Mapping) else {}
    command = _first(conf.get("executeCommandConfiguration"))
    logs = _first(command.get("logConfiguration"))
    storage = _first(conf.get("managedStorageConfiguration"))
    values: dict[str, Any] = {
        "kms_key_id": command.get("kmsKeyId"),
        "logging": command.get("logging"),
        "managed_storage_kms_key_id": storage.get("kmsKeyId"),
        "fargate_ephemeral_storage_kms_key_id": storage.get("fargateEphemeralStorageKmsKeyId"),
    }
    values.update({name: logs.get(aws) for name, aws in _LOG_FIELDS.items()})
    return _flat(values)


def _state_settings(inst: StateInstance) -> Any:
    raw = inst.get("setting")
    if raw is None or raw == SENSITIVE or not isinstance(raw, list):
        return raw if raw == SENSITIVE else None
    out = {
        str(s["name"]): str(s.get("value")) for s in raw if isinstance(s, Mapping) and s.get("name")
    }
    return out or None


def _state_namespace(inst: StateInstance) -> Any:
    raw = inst.get("service_connect_defaults")
    if raw is None or raw == SENSITIVE:
        return raw
    # An empty block list: no namespace, so one set out of band is drift.
    return text(_first(raw).get("namespace")) or ""


SCHEMA: dict[str, Attr] = {
    "settings": Attr(Kind.OBJECT, read=_state_settings, doc="containerInsights and others"),
    "configuration": Attr(
        Kind.JSON, read=_state_configuration, doc="execute-command and managed-storage settings"
    ),
    "service_connect_defaults": Attr(read=_state_namespace, doc="the default namespace"),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every cluster of ``region``; AWS errors propagate to the runner."""
    arns = ecs.cluster_arns(ctx, region)
    ecs_client = ecs.client(ctx, region)

    def describe(batch: list[str]) -> list[Mapping[str, Any]]:
        answer = ecs_client.describe_clusters(clusters=batch, include=_INCLUDE)
        return [c for c in answer.get("clusters", []) if isinstance(c, Mapping)]

    found = []
    for clusters in ecs.concurrently(ctx, ecs.batches(arns, ecs.CLUSTERS_PER_CALL), describe):
        for cluster in clusters:
            if cluster.get("clusterArn") and cluster.get("status") != "INACTIVE":
                found.append(to_resource(cluster, region, ctx.account_id))
    return Collected(resources=found)


def to_resource(cluster: Mapping[str, Any], region: str, account_id: str | None) -> ActualResource:
    """One DescribeClusters item in the canonical form."""
    settings = {
        str(s["name"]): str(s.get("value"))
        for s in cluster.get("settings") or []
        if isinstance(s, Mapping) and s.get("name")
    }
    namespace = _first(cluster.get("serviceConnectDefaults")).get("namespace")
    attributes: dict[str, Any] = {
        "name": cluster.get("clusterName"),
        "settings": settings,
        "configuration": _aws_configuration(cluster.get("configuration")),
        "service_connect_defaults": namespace or None,
        "tags": ecs.tags(cluster.get("tags")),
    }
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=str(cluster["clusterArn"]),
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


def is_default(attributes: Mapping[str, Any]) -> bool:
    """The cluster ECS creates itself on first use."""
    return attributes.get("name") == DEFAULT_CLUSTER


# -- remediation -------------------------------------------------------------------------------
# The configuration is not reverted: its compared form drops what AWS keeps (flags that are off,
# DEFAULT logging), and a managed-storage key cannot be taken back.


def _settings(query: FixQuery) -> list[Call]:
    # UpdateCluster takes settings as UpdateClusterSettings does (moto implements only it).
    settings = [
        {"name": map_key(path), "value": str(entry.get("expected"))}
        for path, entry in sorted(query.entries.items())
    ]
    params = {"cluster": query.resource_id, "settings": settings}
    return [Call(ecs.SERVICE, "UpdateCluster", params)]


FIXES = (
    Fix("settings.*", _settings, doc="settings such as containerInsights (ecs:UpdateCluster)"),
    ecs.tags_fix(),
)


# -- building in an emulated account ---------------------------------------------------------


def _aws_config(attrs: Mapping[str, Any]) -> dict[str, Any]:
    conf = _first(attrs.get("configuration"))
    command = _first(conf.get("execute_command_configuration"))
    out: dict[str, Any] = {}
    if command:
        logs = _first(command.get("log_configuration"))
        block: dict[str, Any] = {"logging": command.get("logging") or "DEFAULT"}
        if command.get("kms_key_id"):
            block["kmsKeyId"] = command["kms_key_id"]
        log_block = {aws: logs[name] for name, aws in _LOG_FIELDS.items() if logs.get(name)}
        if log_block:
            block["logConfiguration"] = log_block
        out["executeCommandConfiguration"] = block
    return out


def _build(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    extra: dict[str, Any] = {}
    settings = [
        {"name": s["name"], "value": s["value"]}
        for s in attrs.get("setting") or []
        if s.get("name")
    ]
    if settings:
        extra["settings"] = settings
    config = _aws_config(attrs)
    if config:
        extra["configuration"] = config
    tags = tags_of(attrs)
    if tags:
        extra["tags"] = ecs.tag_list(tags)
    cluster = ctx.client(ecs.SERVICE).create_cluster(clusterName=attrs["name"], **extra)["cluster"]
    ctx.remember(attrs.get("arn"), cluster["clusterArn"])


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="ECS cluster",
    with_article="an ECS cluster",
    sarif_name="ECSCluster",
    terraform=(
        TerraformType(
            "aws_ecs_cluster",
            id=("arn", "id"),
            not_compared={"name": "part of the id", "timeouts": "Terraform-only"},
        ),
    ),
    scope=Scope.REGIONAL,
    service=ecs.SERVICE,
    collect=collect,
    api_calls=(
        ecs.LIST_CLUSTERS,
        ApiCall("ecs:DescribeClusters", per="resource", page_size=ecs.CLUSTERS_PER_CALL),
    ),
    schema=SCHEMA,
    id_doc="cluster ARN",
    fixes=FIXES,
    is_default=is_default,
    builders={"aws_ecs_cluster": Builder(_build)},
)
