"""S3 lifecycle, ownership and logging traps the conformance test cannot reach with moto."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from driftctl.diff.compare import diff_attributes
from driftctl.iac.sources import load_expected
from driftctl.types import s3

STATE_RULE = {
    "id": "expire",
    "status": "Enabled",
    "prefix": "",
    "filter": [{"and": [], "prefix": "tmp/", "tag": [], "object_size_greater_than": None}],
    "expiration": [
        {"date": "2030-01-01T00:00:00Z", "days": 0, "expired_object_delete_marker": False}
    ],
    "transition": [
        {"date": None, "days": 90, "storage_class": "GLACIER"},
        {"date": None, "days": 30, "storage_class": "STANDARD_IA"},
    ],
    "noncurrent_version_expiration": [],
    "abort_incomplete_multipart_upload": [],
}
AWS_RULE = {
    "ID": "expire",
    "Status": "Enabled",
    "Prefix": "tmp/",  # the legacy spelling of the same filter
    "Expiration": {"Date": dt.datetime(2030, 1, 1, tzinfo=dt.UTC)},
    "Transitions": [
        {"Days": 30, "StorageClass": "STANDARD_IA"},
        {"Days": 90, "StorageClass": "GLACIER"},
    ],
}


def test_a_lifecycle_rule_compares_semantically() -> None:
    expected = s3._rule_text(s3._state_rule(STATE_RULE))
    assert expected == s3._rule_text(s3._aws_rule(AWS_RULE))
    changed = {**AWS_RULE, "Transitions": [{"Days": 60, "StorageClass": "STANDARD_IA"}]}
    assert expected != s3._rule_text(s3._aws_rule(changed))


def test_no_ownership_controls_means_bucket_owner_enforced() -> None:
    assert diff_attributes("S3", {"object_ownership": "BucketOwnerEnforced"}, {}) == {}
    assert diff_attributes(
        "S3", {"object_ownership": "BucketOwnerEnforced"}, {"object_ownership": "ObjectWriter"}
    )


def test_logging_turned_off_is_a_removed_target() -> None:
    found = diff_attributes(
        "S3",
        {"logging": {"target_bucket": "logs", "target_prefix": ""}},
        {"logging": {"target_bucket": None, "target_prefix": None}},
    )
    assert list(found) == ["logging.target_bucket"]
    assert found["logging.target_bucket"]["change"] == "removed"


# -- analytics, inventory, metrics and notifications ---------------------------------------------

STATE_ANALYTICS = {
    "filter": [{"prefix": "documents/", "tags": {"priority": "high", "class": "blue"}}],
    "storage_class_analysis": [
        {
            "data_export": [
                {
                    "destination": [
                        {
                            "s3_bucket_destination": [
                                {
                                    "bucket_account_id": "",
                                    "bucket_arn": "arn:aws:s3:::reports",
                                    "format": "CSV",
                                    "prefix": "",
                                }
                            ]
                        }
                    ],
                    "output_schema_version": "V_1",
                }
            ]
        }
    ],
}
AWS_ANALYTICS = {
    "Id": "documents",
    "Filter": {
        "And": {
            "Prefix": "documents/",
            "Tags": [{"Key": "class", "Value": "blue"}, {"Key": "priority", "Value": "high"}],
        }
    },
    "StorageClassAnalysis": {
        "DataExport": {
            "OutputSchemaVersion": "V_1",
            "Destination": {
                "S3BucketDestination": {"Format": "CSV", "Bucket": "arn:aws:s3:::reports"}
            },
        }
    },
}


def test_an_analytics_configuration_compares_semantically() -> None:
    expected = s3._rule_text(s3._state_analytics(STATE_ANALYTICS))
    assert s3._by_id([AWS_ANALYTICS], s3._aws_analytics) == {"documents": expected}
    no_export = {**AWS_ANALYTICS, "StorageClassAnalysis": {}}
    assert s3._by_id([no_export], s3._aws_analytics)["documents"] != expected


def test_a_metric_filter_by_one_tag_or_an_and_block_is_the_same() -> None:
    state = s3._rule_text(s3._state_metric({"filter": [{"prefix": "", "tags": {"a": "1"}}]}))
    one_tag = {"Id": "m", "Filter": {"Tag": {"Key": "a", "Value": "1"}}}
    assert s3._by_id([one_tag], s3._aws_metric) == {"m": state}
    whole = s3._rule_text(s3._state_metric({"filter": []}))
    assert s3._by_id([{"Id": "all"}], s3._aws_metric) == {"all": whole}


def test_inventory_optional_fields_and_encryption_compare_as_aws_reports_them() -> None:
    state = {
        "enabled": True,
        "included_object_versions": "Current",
        "optional_fields": ["Size", "ETag"],
        "schedule": [{"frequency": "Daily"}],
        "filter": [],
        "destination": [
            {
                "bucket": [
                    {
                        "account_id": "",
                        "bucket_arn": "arn:aws:s3:::inv",
                        "format": "ORC",
                        "prefix": "",
                        "encryption": [{"sse_kms": [], "sse_s3": [{}]}],
                    }
                ]
            }
        ],
    }
    aws = {
        "Id": "inv",
        "IsEnabled": True,
        "IncludedObjectVersions": "Current",
        "OptionalFields": ["ETag", "Size"],
        "Schedule": {"Frequency": "Daily"},
        "Destination": {
            "S3BucketDestination": {
                "Bucket": "arn:aws:s3:::inv",
                "Format": "ORC",
                "Encryption": {"SSES3": {}},
            }
        },
    }
    assert s3._by_id([aws], s3._aws_inventory) == {"inv": s3._rule_text(s3._state_inventory(state))}
    disabled = {**aws, "IsEnabled": False}
    assert s3._by_id([disabled], s3._aws_inventory)["inv"] != s3._rule_text(
        s3._state_inventory(state)
    )


def test_notification_filter_rule_names_and_event_order_do_not_matter() -> None:
    aws = {
        "TopicConfigurations": [
            {
                "Id": "t",
                "TopicArn": "arn:aws:sns:us-east-1:123456789012:uploads",
                "Events": ["s3:ObjectRemoved:*", "s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": [{"Name": "Prefix", "Value": "in/"}]}},
            }
        ],
        "EventBridgeConfiguration": {},
    }
    expected = s3._notification(
        "topic",
        "arn:aws:sns:us-east-1:123456789012:uploads",
        ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
        "in/",
        None,
    )
    assert s3._aws_notifications(aws) == {"t": expected, s3.EVENTBRIDGE: "enabled"}


def test_configuration_listings_follow_continuation_tokens() -> None:
    pages = iter(
        [
            {
                "IsTruncated": True,
                "NextContinuationToken": "n1",
                "MetricsConfigurationList": [{"Id": "a"}],
            },
            {"IsTruncated": False, "MetricsConfigurationList": [{"Id": "b"}, "junk"]},
        ]
    )
    seen: list[dict[str, str]] = []

    def list_page(**more: str) -> dict[str, object]:
        seen.append(more)
        return next(pages)

    items = s3._all_pages(list_page, "MetricsConfigurationList")
    assert [i["Id"] for i in items] == ["a", "b"]
    assert seen == [{}, {"ContinuationToken": "n1"}]


def test_every_split_configuration_of_a_bucket_counts(tmp_path: Path) -> None:
    def metric(name: str) -> dict[str, object]:
        attrs = {"bucket": "logs", "filter": [], "id": f"logs:{name}", "name": name}
        return {
            "mode": "managed",
            "type": "aws_s3_bucket_metric",
            "name": name,
            "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
            "instances": [{"schema_version": 0, "attributes": attrs}],
        }

    state = {"version": 4, "serial": 1, "resources": [metric("all"), metric("hot")]}
    path = tmp_path / "terraform.tfstate"
    path.write_text(json.dumps(state), encoding="utf-8")
    [bucket] = load_expected([str(path)]).resources
    assert set(bucket.attributes["metric_configurations"]) == {"all", "hot"}
