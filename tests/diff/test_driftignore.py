""".driftignore: the Go tool's syntax, negation, attribute paths, loading, and use in compare()."""

from __future__ import annotations

from pathlib import Path

import pytest
from diff_factories import actual, expected, run

from driftctl.diff.driftignore import DriftIgnore
from driftctl.diff.findings import Finding
from driftctl.domain import DriftType, Severity
from driftctl.errors import ValidationError
from driftctl.resources import ResourceKey


def findings() -> list[Finding]:
    """A modified instance and bucket, a missing database, an unmanaged group and instance."""
    result = run(
        [expected("EC2"), expected("S3", "logs.example.com"), expected("RDS")],
        [
            actual("EC2", instance_type="t3.large", tags={"Name": "web", "Owner": "b"}),
            actual("S3", "logs.example.com", versioning="Suspended", tags={}),
            actual("SECURITY_GROUP", "sg-extra"),
            actual("EC2", "i-extra"),
        ],
    )
    return result.findings


def kept(ignore: DriftIgnore) -> list[tuple[str, str, str]]:
    return [(f.resource_type, f.resource_id, f.drift_type.value) for f in ignore.apply(findings())]


ALL = [
    ("EC2", "i-0abc123", "modified"),
    ("EC2", "i-extra", "unmanaged"),
    ("RDS", "orders-db", "missing"),
    ("S3", "logs.example.com", "modified"),
    ("SECURITY_GROUP", "sg-extra", "unmanaged"),
]


def test_empty_file_and_comments_ignore_nothing() -> None:
    text = "\n# aws_instance.i-0abc123\n   \n   # indented comment\n"

    assert DriftIgnore.parse(text).rules == ()
    assert kept(DriftIgnore.parse(text)) == ALL


@pytest.mark.parametrize("line", ["aws_instance.i-extra", "EC2.i-extra"])
def test_one_resource_by_terraform_or_driftctl_type(line: str) -> None:
    assert kept(DriftIgnore.parse(line)) == [k for k in ALL if k[1] != "i-extra"]


def test_the_type_must_match_too() -> None:
    assert kept(DriftIgnore.parse("aws_s3_bucket.i-extra")) == ALL


@pytest.mark.parametrize(
    ("line", "gone"),
    [
        ("aws_instance.*", {"i-0abc123", "i-extra"}),
        ("*.sg-extra", {"sg-extra"}),
        ("*.i-*", {"i-0abc123", "i-extra"}),
        ("aws_*.*extra", {"i-extra", "sg-extra"}),
        ("*", {k[1] for k in ALL}),
    ],
)
def test_wildcards_in_type_and_id(line: str, gone: set[str]) -> None:
    assert kept(DriftIgnore.parse(line)) == [k for k in ALL if k[1] not in gone]


def test_escaped_dots_in_an_id() -> None:
    escaped = DriftIgnore.parse(r"aws_s3_bucket.logs\.example\.com")
    unescaped = DriftIgnore.parse("aws_s3_bucket.logs.example.com")

    assert ("S3", "logs.example.com", "modified") not in kept(escaped)
    # As in the Go tool, a line is matched against the text TYPE.ID as a whole: an unescaped
    # dot is a literal dot too.
    assert ("S3", "logs.example.com", "modified") not in kept(unescaped)


def test_escaped_dot_is_literal_not_any_character() -> None:
    ignore = DriftIgnore.parse(r"S3.logs\.example\.com")

    assert ignore.ignores_resource("S3", "logs.example.com")
    assert not ignore.ignores_resource("S3", "logsXexample.com")


def test_attribute_path_drops_only_that_entry() -> None:
    ignore = DriftIgnore.parse("aws_instance.i-0abc123.tags.Owner")

    (instance,) = [f for f in ignore.apply(findings()) if f.resource_id == "i-0abc123"]
    assert list(instance.difference) == ["instance_type"]


def test_attribute_path_covers_what_lies_below_it() -> None:
    ignore = DriftIgnore.parse("aws_s3_bucket.*.tags\naws_security_group.*.ingress")

    assert ignore.ignores_path("S3", "b", "tags.Owner")
    assert ignore.ignores_path("SECURITY_GROUP", "sg-1", "ingress[tcp:22:0.0.0.0/0]")
    assert not ignore.ignores_path("SECURITY_GROUP", "sg-1", "ingress_extra")
    assert not ignore.ignores_path("S3", "b", "versioning")


def test_attribute_path_with_wildcard_and_dotted_tag_key() -> None:
    ignore = DriftIgnore.parse("EC2.*.tags.kubernetes.io/*\nEC2.*.metadata_options.*")

    assert ignore.ignores_path("EC2", "i-1", "tags.kubernetes.io/cluster")
    assert ignore.ignores_path("EC2", "i-1", "metadata_options.http_tokens")
    assert not ignore.ignores_path("EC2", "i-1", "tags.Owner")


def test_a_finding_with_every_entry_ignored_is_dropped() -> None:
    ignore = DriftIgnore.parse("aws_instance.i-0abc123.tags\naws_instance.i-0abc123.instance_type")

    assert ("EC2", "i-0abc123", "modified") not in kept(ignore)


def test_attribute_lines_do_not_hide_missing_or_unmanaged_resources() -> None:
    ignore = DriftIgnore.parse("*.*.tags\naws_db_instance.orders-db.engine")

    assert kept(ignore) == ALL


def test_negation_keeps_a_resource_a_wildcard_ignored() -> None:
    ignore = DriftIgnore.parse("aws_instance.*\n!aws_instance.i-extra")

    assert kept(ignore) == [k for k in ALL if k[1] != "i-0abc123"]


def test_the_later_line_wins() -> None:
    ignore = DriftIgnore.parse("!aws_instance.i-extra\naws_instance.*")

    assert kept(ignore) == [k for k in ALL if k[0] != "EC2"]


def test_negated_attribute_path_keeps_that_entry_only() -> None:
    ignore = DriftIgnore.parse("aws_instance.*\n!aws_instance.i-0abc123.instance_type")

    (instance,) = [f for f in ignore.apply(findings()) if f.resource_type == "EC2"]
    assert list(instance.difference) == ["instance_type"]


def test_ignoring_the_critical_entry_lowers_severity() -> None:
    ignore = DriftIgnore.parse("aws_s3_bucket.*.versioning")
    source = findings()
    (before,) = [f for f in source if f.resource_type == "S3"]

    (after,) = [f for f in ignore.apply(source) if f.resource_type == "S3"]

    assert (before.severity, before.is_risky) == (Severity.CRITICAL, True)
    assert (after.severity, after.is_risky) == (Severity.INFO, False)
    assert "versioning" in before.difference  # the input is not changed


@pytest.mark.parametrize(
    ("line", "why"),
    [
        (".i-1", "matches no resource type"),
        ("!", "matches no resource type"),
        ("foobar", "matches no resource type"),
        ("aws_instance\\", "not a valid pattern"),
        ("aws_instance.[a-", "not a valid pattern"),
    ],
)
def test_a_line_that_matches_nothing_is_a_warning_naming_the_line(line: str, why: str) -> None:
    ignore = DriftIgnore.parse(f"# header\n{line}\naws_instance.i-extra\n")

    (warning,) = ignore.warnings
    assert warning.startswith(".driftignore line 2: ")
    assert why in warning
    assert kept(ignore) == [k for k in ALL if k[1] != "i-extra"]


def test_a_type_alone_ignores_every_resource_of_it() -> None:
    assert kept(DriftIgnore.parse("aws_instance")) == [k for k in ALL if k[0] != "EC2"]


def test_star_then_a_negated_type_keeps_only_that_type() -> None:
    ignore = DriftIgnore.parse("*\n!aws_instance")

    assert kept(ignore) == [k for k in ALL if k[0] == "EC2"]
    assert ignore.warnings == ()


def test_load_explicit_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="not found"):
        DriftIgnore.load(tmp_path / "nope", cwd=tmp_path)


def test_load_explicit_relative_file_from_cwd(tmp_path: Path) -> None:
    (tmp_path / "ci.driftignore").write_text("aws_instance.*\n", encoding="utf-8")

    ignore = DriftIgnore.load(Path("ci.driftignore"), cwd=tmp_path)

    assert ignore.ignores_resource("EC2", "i-1")


def test_load_defaults_to_the_file_in_cwd(tmp_path: Path) -> None:
    (tmp_path / ".driftignore").write_text("aws_s3_bucket.*\n", encoding="utf-8")

    assert DriftIgnore.load(None, cwd=tmp_path).ignores_resource("S3", "b")


def test_load_without_a_file_ignores_nothing(tmp_path: Path) -> None:
    assert DriftIgnore.load(None, cwd=tmp_path).rules == ()


def test_load_rejects_a_file_that_is_not_text(tmp_path: Path) -> None:
    bad = tmp_path / "binary"
    bad.write_bytes(b"\xff\xfe\x00")

    with pytest.raises(ValidationError, match="cannot read"):
        DriftIgnore.load(bad, cwd=tmp_path)


def test_compare_with_ignore_leaves_ignored_resources_out_of_the_counts() -> None:
    ignore = DriftIgnore.parse("aws_instance.i-extra\naws_s3_bucket.*.tags\naws_db_instance.*")
    result = run(
        [expected("S3"), expected("RDS")],
        [actual("S3", tags={}), actual("EC2", "i-extra")],
        ignore=ignore,
    )

    assert result.findings == []
    assert result.in_sync == [ResourceKey("S3", "logs.example.com")]
    assert result.ignored == [ResourceKey("EC2", "i-extra"), ResourceKey("RDS", "orders-db")]
    counts = result.counts
    assert (counts.total_resources, counts.unmanaged, counts.missing, counts.in_sync) == (
        1,
        0,
        0,
        1,
    )


def test_compare_with_ignore_classifies_what_remains() -> None:
    ignore = DriftIgnore.parse("aws_s3_bucket.*.versioning")

    (finding,) = run(
        [expected("S3")], [actual("S3", versioning="Suspended", tags={})], ignore=ignore
    ).findings

    assert finding.drift_type is DriftType.MODIFIED
    assert list(finding.difference) == ["tags.Owner"]
    assert finding.severity is Severity.INFO
