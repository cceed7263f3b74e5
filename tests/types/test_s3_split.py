"""S3 lifecycle, ownership and logging traps the conformance test cannot reach with moto."""

from __future__ import annotations

import datetime as dt

from driftctl.diff.compare import diff_attributes
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
