"""DynamoDB tables (``aws_dynamodb_table``): one paginated ListTables per region, then for each
table the IaC declares DescribeTable, DescribeTimeToLive, DescribeContinuousBackups and
ListTagsOfResource (DynamoDB has no batch form of any of them). Unmanaged tables are reported
from the listing alone.

resource_id is the table name. Key attributes compare as a set of ``name:type``; global
secondary indexes as a set of names plus each index's keys, projection and capacity
(``global_secondary_index.<name>.read_capacity``); local ones as a set of keys. A table without
an explicit encryption setting is encrypted with an AWS-owned key: it reads as
``server_side_encryption.enabled = false``, the provider's empty block. An unset table class is
STANDARD, an unset billing mode PROVISIONED. Critical: customer-managed (KMS) encryption removed,
deletion protection or point-in-time recovery turned off.

Capacity managed by Application Auto Scaling changes behind Terraform's back by design, and the
``lifecycle { ignore_changes = [read_capacity, write_capacity] }`` that says so is not written
to the state. Tell driftctl the same in ``.driftignore``::

    aws_dynamodb_table.*.read_capacity
    aws_dynamodb_table.*.write_capacity
    aws_dynamodb_table.*.global_secondary_index.*_capacity

moto ignores UpdateTable's SSESpecification (AWS switches the table to or from a KMS key);
the tests recreate a table to change its encryption.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftctl import normalize
from driftctl.diff.conditions import turned_off
from driftctl.iac.instance import StateInstance, boolean
from driftctl.resources import SENSITIVE, ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.scanner.details import Detail, failed, read_each
from driftctl.types.build import BuildContext, Builder, tag_list, tags_of
from driftctl.types.fixes import resource_arn, scalar_fix, tags_fix
from driftctl.types.spec import (
    ApiCall,
    Attr,
    Call,
    Fix,
    FixQuery,
    Kind,
    ResourceSpec,
    Rule,
    Scope,
    TerraformType,
)

RESOURCE_TYPE = "DYNAMODB_TABLE"
SERVICE = "dynamodb"
# ListTables accepts 1..100 per page.
_PAGE = (1, 100)


def canonical_id(value: str) -> str:
    """The table name, from a name or a table ARN."""
    if value.startswith("arn:") and ":table/" in value:
        return value.split(":table/", 1)[1].split("/", 1)[0]
    return value


# -- shared shapes -----------------------------------------------------------------------------


def _index(
    hash_key: Any,
    range_key: Any,
    projection: Any,
    non_key: Any,
    read: Any = None,
    write: Any = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "hash_key": str(hash_key or "") or None,
        "range_key": str(range_key or "") or None,
        "projection_type": str(projection or "") or None,
        "non_key_attributes": sorted({str(a) for a in non_key or []}),
    }
    if read is not None or write is not None:
        out["read_capacity"] = int(read or 0)
        out["write_capacity"] = int(write or 0)
    return {k: v for k, v in out.items() if v is not None}


def _lsi_key(name: Any, range_key: Any, projection: Any, non_key: Any) -> str:
    extra = ",".join(sorted({str(a) for a in non_key or []}))
    return f"{name}:{range_key}:{projection}" + (f":{extra}" if extra else "")


# -- reading the state -------------------------------------------------------------------------


def _blocks(inst: StateInstance, name: str) -> list[Mapping[str, Any]] | str | None:
    value = inst.get(name)
    if value == SENSITIVE:
        return SENSITIVE
    if not isinstance(value, list):
        return None
    return [b for b in value if isinstance(b, Mapping)]


def _attributes(inst: StateInstance) -> Any:
    blocks = _blocks(inst, "attribute")
    if not isinstance(blocks, list):
        return blocks
    return sorted({f"{b.get('name')}:{b.get('type')}" for b in blocks})


def _gsi_names(inst: StateInstance) -> Any:
    blocks = _blocks(inst, "global_secondary_index")
    if not isinstance(blocks, list):
        return blocks
    return sorted({str(b.get("name")) for b in blocks})


def _gsis(inst: StateInstance) -> Any:
    blocks = _blocks(inst, "global_secondary_index")
    if not isinstance(blocks, list):
        return blocks
    return {
        str(b.get("name")): _index(
            b.get("hash_key"),
            b.get("range_key"),
            b.get("projection_type"),
            b.get("non_key_attributes"),
            b.get("read_capacity"),
            b.get("write_capacity"),
        )
        for b in blocks
    } or None


def _lsis(inst: StateInstance) -> Any:
    blocks = _blocks(inst, "local_secondary_index")
    if not isinstance(blocks, list):
        return blocks
    return sorted(
        _lsi_key(
            b.get("name"), b.get("range_key"), b.get("projection_type"), b.get("non_key_attributes")
        )
        for b in blocks
    )


def _sse(inst: StateInstance) -> Any:
    blocks = _blocks(inst, "server_side_encryption")
    if not isinstance(blocks, list):
        return blocks
    if not blocks:
        # No block: the table is encrypted with an AWS-owned key.
        return {"enabled": False}
    enabled = boolean(blocks[0].get("enabled")) or False
    out: dict[str, Any] = {"enabled": enabled}
    key = blocks[0].get("kms_key_arn")
    if enabled and key:
        out["kms_key_arn"] = str(key)
    return out


def _pitr(inst: StateInstance) -> Any:
    blocks = _blocks(inst, "point_in_time_recovery")
    if not isinstance(blocks, list):
        return blocks
    return (boolean(blocks[0].get("enabled")) or False) if blocks else False


SCHEMA: dict[str, Attr] = {
    "billing_mode": Attr(empty_is_unset=True, default="PROVISIONED"),
    "read_capacity": Attr(type=int, default=0),
    "write_capacity": Attr(type=int, default=0),
    "hash_key": Attr(),
    "range_key": Attr(empty_is_unset=True),
    "attributes": Attr(Kind.SET, read=_attributes, doc="name:type"),
    "global_secondary_indexes": Attr(Kind.SET, read=_gsi_names, doc="index names"),
    "global_secondary_index": Attr(Kind.OBJECT, read=_gsis, doc="name -> keys, capacity"),
    "local_secondary_indexes": Attr(Kind.SET, read=_lsis, doc="name:range_key:projection"),
    "stream_enabled": Attr(type=bool, default=False),
    "stream_view_type": Attr(empty_is_unset=True),
    "ttl": Attr(
        Kind.OBJECT,
        fields={
            "enabled": Attr(type=bool, default=False),
            "attribute_name": Attr(empty_is_unset=True),
        },
    ),
    "point_in_time_recovery": Attr(type=bool, read=_pitr, default=False),
    "server_side_encryption": Attr(
        Kind.OBJECT,
        read=_sse,
        fields={"enabled": Attr(type=bool, default=False), "kms_key_arn": Attr()},
    ),
    "deletion_protection_enabled": Attr(type=bool, default=False),
    "table_class": Attr(empty_is_unset=True, default="STANDARD"),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every table of ``region``; details of the declared ones. Listing errors propagate; a
    failed detail read leaves the region partial."""
    ddb = ctx.aws.client(SERVICE, region)
    pages = ddb.get_paginator("list_tables").paginate(
        PaginationConfig={"PageSize": ctx.page_size_for(*_PAGE)}
    )
    names = [str(n) for page in pages for n in page.get("TableNames", [])]
    managed = ctx.expected_ids.get(RESOURCE_TYPE, frozenset())

    def read(name: str) -> Detail:
        from botocore.exceptions import BotoCoreError, ClientError

        if name not in managed:
            return Detail(resource=_resource(name, region, ctx.account_id, {}))
        try:
            table = ddb.describe_table(TableName=name)["Table"]
            ttl = ddb.describe_time_to_live(TableName=name).get("TimeToLiveDescription") or {}
            backups = ddb.describe_continuous_backups(TableName=name).get(
                "ContinuousBackupsDescription"
            )
            tags: list[Any] = []
            token: str | None = None
            while True:
                extra = {"NextToken": token} if token else {}
                answer = ddb.list_tags_of_resource(ResourceArn=table["TableArn"], **extra)
                tags.extend(answer.get("Tags") or [])
                token = answer.get("NextToken")
                if not token:
                    break
        except (BotoCoreError, ClientError) as exc:
            code = exc.response.get("Error", {}).get("Code") if isinstance(exc, ClientError) else ""
            if code == "ResourceNotFoundException":
                return Detail()
            return failed((region,), f"table {name}", exc)
        attributes = to_attributes(table, ttl, backups or {}, tags)
        return Detail(resource=_resource(name, region, ctx.account_id, attributes))

    return read_each(ctx, RESOURCE_TYPE, names, read, noun="tables")


def _resource(
    name: str, region: str, account_id: str | None, attributes: dict[str, Any]
) -> ActualResource:
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=name,
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


def _key(schema: Any, kind: str) -> str | None:
    return next((str(k["AttributeName"]) for k in schema or [] if k.get("KeyType") == kind), None)


def to_attributes(
    table: Mapping[str, Any],
    ttl: Mapping[str, Any],
    backups: Mapping[str, Any],
    tags: list[Any],
) -> dict[str, Any]:
    """DescribeTable + DescribeTimeToLive + DescribeContinuousBackups + tags, canonical."""
    throughput = table.get("ProvisionedThroughput") or {}
    gsis: dict[str, Any] = {}
    for index in table.get("GlobalSecondaryIndexes") or []:
        t = index.get("ProvisionedThroughput") or {}
        projection = index.get("Projection") or {}
        gsis[str(index["IndexName"])] = _index(
            _key(index.get("KeySchema"), "HASH"),
            _key(index.get("KeySchema"), "RANGE"),
            projection.get("ProjectionType"),
            projection.get("NonKeyAttributes"),
            t.get("ReadCapacityUnits", 0),
            t.get("WriteCapacityUnits", 0),
        )
    lsis = sorted(
        _lsi_key(
            i.get("IndexName"),
            _key(i.get("KeySchema"), "RANGE"),
            (i.get("Projection") or {}).get("ProjectionType"),
            (i.get("Projection") or {}).get("NonKeyAttributes"),
        )
        for i in table.get("LocalSecondaryIndexes") or []
    )
    stream = table.get("StreamSpecification") or {}
    sse = table.get("SSEDescription") or {}
    sse_on = sse.get("Status") in ("ENABLED", "ENABLING", "UPDATING") and sse.get("SSEType") == (
        "KMS"
    )
    pitr = (backups.get("PointInTimeRecoveryDescription") or {}).get("PointInTimeRecoveryStatus")
    return {
        "billing_mode": (table.get("BillingModeSummary") or {}).get("BillingMode"),
        "read_capacity": int(throughput.get("ReadCapacityUnits", 0)),
        "write_capacity": int(throughput.get("WriteCapacityUnits", 0)),
        "hash_key": _key(table.get("KeySchema"), "HASH"),
        "range_key": _key(table.get("KeySchema"), "RANGE"),
        "attributes": sorted(
            f"{a['AttributeName']}:{a['AttributeType']}"
            for a in table.get("AttributeDefinitions") or []
        ),
        "global_secondary_indexes": sorted(gsis),
        "global_secondary_index": gsis,
        "local_secondary_indexes": lsis,
        "stream_enabled": bool(stream.get("StreamEnabled")),
        "stream_view_type": stream.get("StreamViewType") if stream.get("StreamEnabled") else None,
        "ttl": {
            "enabled": ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"),
            "attribute_name": ttl.get("AttributeName"),
        },
        "point_in_time_recovery": pitr in ("ENABLED", "ENABLING"),
        "server_side_encryption": {
            "enabled": sse_on,
            "kms_key_arn": sse.get("KMSMasterKeyArn") if sse_on else None,
        },
        "deletion_protection_enabled": bool(table.get("DeletionProtectionEnabled")),
        "table_class": (table.get("TableClassSummary") or {}).get("TableClass"),
        "tags": normalize.tags(tags),
    }


# -- remediation -------------------------------------------------------------------------------


def _table(query: FixQuery) -> dict[str, str]:
    return {"TableName": query.resource_id}


def _pitr_call(query: FixQuery, expected: Any) -> Call:
    spec = {"PointInTimeRecoveryEnabled": boolean(expected) is True}
    return Call(
        SERVICE,
        "UpdateContinuousBackups",
        {**_table(query), "PointInTimeRecoverySpecification": spec},
    )


def _deletion_protection_call(query: FixQuery, expected: Any) -> Call:
    enabled = boolean(expected) is True
    return Call(SERVICE, "UpdateTable", {**_table(query), "DeletionProtectionEnabled": enabled})


def _ttl_plan(query: FixQuery) -> list[Call]:
    # One UpdateTimeToLive turns TTL on (with the IaC's attribute) or off (naming AWS's). Moving
    # it to another attribute takes two calls an hour apart (AWS refuses a second change
    # sooner): no call, that is left for terraform apply.
    expected = query.expected.get("ttl")
    actual = query.actual.get("ttl")
    wanted: Mapping[str, Any] = expected if isinstance(expected, Mapping) else {}
    current: Mapping[str, Any] = actual if isinstance(actual, Mapping) else {}
    on = boolean(wanted.get("enabled")) is True
    was_on = boolean(current.get("enabled")) is True
    if on == was_on:
        return []
    name = wanted.get("attribute_name") if on else current.get("attribute_name")
    if not name:
        return []
    spec = {"Enabled": on, "AttributeName": str(name)}
    return [Call(SERVICE, "UpdateTimeToLive", {**_table(query), "TimeToLiveSpecification": spec})]


FIXES = (
    scalar_fix(
        "point_in_time_recovery",
        _pitr_call,
        doc="point-in-time recovery (dynamodb:UpdateContinuousBackups)",
    ),
    scalar_fix(
        "deletion_protection_enabled",
        _deletion_protection_call,
        doc="deletion protection (dynamodb:UpdateTable)",
    ),
    Fix("ttl.*", _ttl_plan, doc="TTL turned on or off (dynamodb:UpdateTimeToLive)"),
    tags_fix(
        SERVICE,
        "TagResource",
        "UntagResource",
        lambda q: {"ResourceArn": resource_arn(q, SERVICE, f"table/{q.resource_id}")},
    ),
)


# -- building in an emulated account ---------------------------------------------------------


def _projection(block: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"ProjectionType": block.get("projection_type") or "ALL"}
    if block.get("non_key_attributes"):
        out["NonKeyAttributes"] = list(block["non_key_attributes"])
    return out


def _schema(hash_key: Any, range_key: Any) -> list[dict[str, Any]]:
    keys = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        keys.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return keys


def create_table(ctx: BuildContext, attrs: Mapping[str, Any], *, encrypted: bool = True) -> None:
    """Create a table from ``aws_dynamodb_table`` attributes (the tests recreate one too)."""
    ddb = ctx.client(SERVICE)
    billing = attrs.get("billing_mode") or "PROVISIONED"
    provisioned = billing == "PROVISIONED"
    extra: dict[str, Any] = {}
    if provisioned:
        extra["ProvisionedThroughput"] = {
            "ReadCapacityUnits": int(attrs.get("read_capacity") or 1),
            "WriteCapacityUnits": int(attrs.get("write_capacity") or 1),
        }
    gsis = []
    for block in attrs.get("global_secondary_index") or []:
        gsi: dict[str, Any] = {
            "IndexName": block["name"],
            "KeySchema": _schema(block["hash_key"], block.get("range_key")),
            "Projection": _projection(block),
        }
        if provisioned:
            gsi["ProvisionedThroughput"] = {
                "ReadCapacityUnits": int(block.get("read_capacity") or 1),
                "WriteCapacityUnits": int(block.get("write_capacity") or 1),
            }
        gsis.append(gsi)
    if gsis:
        extra["GlobalSecondaryIndexes"] = gsis
    lsis = [
        {
            "IndexName": block["name"],
            "KeySchema": _schema(attrs["hash_key"], block["range_key"]),
            "Projection": _projection(block),
        }
        for block in attrs.get("local_secondary_index") or []
    ]
    if lsis:
        extra["LocalSecondaryIndexes"] = lsis
    if attrs.get("stream_enabled"):
        extra["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": attrs.get("stream_view_type") or "NEW_AND_OLD_IMAGES",
        }
    sse = (attrs.get("server_side_encryption") or [{}])[0]
    if encrypted and sse.get("enabled"):
        spec: dict[str, Any] = {"Enabled": True, "SSEType": "KMS"}
        if sse.get("kms_key_arn"):
            spec["KMSMasterKeyId"] = ctx.id(sse["kms_key_arn"])
        extra["SSESpecification"] = spec
    if attrs.get("table_class") and attrs["table_class"] != "STANDARD":
        extra["TableClass"] = attrs["table_class"]
    tags = tags_of(attrs)
    if tags:
        extra["Tags"] = tag_list(tags)
    name = attrs["name"]
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": a["name"], "AttributeType": a["type"]}
            for a in attrs.get("attribute") or []
        ],
        KeySchema=_schema(attrs["hash_key"], attrs.get("range_key")),
        BillingMode=billing,
        DeletionProtectionEnabled=bool(attrs.get("deletion_protection_enabled")),
        **extra,
    )
    ttl = (attrs.get("ttl") or [{}])[0]
    if ttl.get("enabled"):
        ddb.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["attribute_name"]},
        )
    pitr = (attrs.get("point_in_time_recovery") or [{}])[0]
    if pitr.get("enabled"):
        ddb.update_continuous_backups(
            TableName=name,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )


def _build(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    create_table(ctx, attrs)


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="DynamoDB table",
    with_article="a DynamoDB table",
    sarif_name="DynamoDBTable",
    terraform=(
        TerraformType(
            "aws_dynamodb_table",
            id=("name", "id"),
            not_compared={
                "replica": "not compared yet",
                "on_demand_throughput": "not compared yet",
                "import_table": "Terraform-only",
                "restore_date_time": "Terraform-only",
                "restore_source_name": "Terraform-only",
                "restore_source_table_arn": "Terraform-only",
                "restore_to_latest_time": "Terraform-only",
                "timeouts": "Terraform-only",
                "stream_arn": "computed",
                "stream_label": "computed",
            },
        ),
    ),
    scope=Scope.REGIONAL,
    service=SERVICE,
    collect=collect,
    api_calls=(
        ApiCall("dynamodb:ListTables", per="region", page_size=100),
        ApiCall("dynamodb:DescribeTable", per="resource", managed_only=True),
        ApiCall("dynamodb:DescribeTimeToLive", per="resource", managed_only=True),
        ApiCall("dynamodb:DescribeContinuousBackups", per="resource", managed_only=True),
        ApiCall("dynamodb:ListTagsOfResource", per="resource", managed_only=True),
    ),
    schema=SCHEMA,
    canonical_id=canonical_id,
    id_doc="table name",
    rules=(
        Rule(
            "server_side_encryption.enabled",
            turned_off,
            doc="KMS encryption removed (back to an AWS-owned key)",
        ),
        Rule("deletion_protection_enabled", turned_off, doc="deletion protection turned off"),
        Rule("point_in_time_recovery", turned_off, doc="point-in-time recovery turned off"),
    ),
    fixes=FIXES,
    builders={"aws_dynamodb_table": Builder(_build, after=("aws_kms_key",))},
)
