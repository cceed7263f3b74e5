"""The Go driftctl tool's own `.driftignore` cases, with the results it expects.

The files and expectations are those of snyk/driftctl's ``pkg/filter/driftignore_test.go``
(``IsResourceIgnored``, ``IsFieldIgnored`` and ``IsTypeIgnored``) and its ``testdata``; the
types there (``type1``, ``res_type``…) are not driftctl types, which the matching does not mind.
"""

from __future__ import annotations

import pytest

from driftctl.diff.driftignore import DriftIgnore

VALID = (
    "ignored_resource.id2\n"
    "wildcard_resource.*\n"
    "resource_type.id\\.with\\.dots\n"
    "resource_type.idwith\\\\\n"
    "resource_type.idwith\\\\backslashes\n"
    "resource_type.idwith/slashes\n"
    "\n"
    "# this is a comment\n"
)
INVALID_LINES = "foobar\n\n4(\"è-(_ç'è-ç'(\"\nignored_resource.id2\nsdgksdbgjkl\n.id\n\\\n\\\\\n.\n"
WILDCARD = "*2**.**d1*\ntype3.id1***0\n*.id\\\\WithBa*slas*\\\\**\\\\\n\n# this is *** comment\n"
ALL_EXCLUDE = "*\n!iam_user.*\n!some_type.idwith/slash\n"
BACKSLASHES_ID = "id\\WithBac*slash***\\*\\"

RESOURCE_CASES = [
    ("empty", "", [("type1", "id1", False)]),
    (
        "invalid_lines",
        INVALID_LINES,
        [("type1", "id1", False), ("ignored_resource", "id2", True)],
    ),
    (
        "valid",
        VALID,
        [
            ("type1", "id1", False),
            ("wildcard_resource", "id1/with/slash", True),
            ("wildcard_resource", "id1", True),
            ("wildcard_resource", "id2", True),
            ("wildcard_resource", "id3", True),
            ("ignored_resource", "id2", True),
            ("resource_type", "id.with.dots", True),
            ("resource_type", "idwith\\", True),
            ("resource_type", "idwith\\backslashes", True),
            ("resource_type", "idwith/slashes", True),
        ],
    ),
    (
        "wildcard",
        WILDCARD,
        [
            ("type1", "id1", False),
            ("type2", "id1", True),
            ("type2", "id11", True),
            ("type2", "id2", False),
            ("type3", "id100", True),
            ("type3", "id101", False),
            ("type4", BACKSLASHES_ID, True),
        ],
    ),
    (
        "all_exclude",
        ALL_EXCLUDE,
        [
            ("type1", "id1", True),
            ("type2", "id1", True),
            ("type2", "id11", True),
            ("type2", "id2", True),
            ("type3", "id100", True),
            ("type3", "id101", True),
            ("iam_user", BACKSLASHES_ID, False),
            ("some_type", "idwith/slash", False),
            ("some_type", "idwith/slash/", True),
        ],
    ),
    ("none", "!*\n", [("aws_s3_access_point", "", False)]),
]


@pytest.mark.parametrize(
    ("text", "cases"), [(t, c) for _, t, c in RESOURCE_CASES], ids=[n for n, _, _ in RESOURCE_CASES]
)
def test_is_resource_ignored(text: str, cases: list[tuple[str, str, bool]]) -> None:
    ignore = DriftIgnore.parse(text)

    got = [ignore.ignores_resource(rtype, rid) for rtype, rid, _ in cases]

    assert got == [want for _, _, want in cases]


FIELDS = (
    "res_type.full_drift_ignored.json\n"
    "res_type.full_drift_ignored.foobar\n"
    "res_type.partial_drift_ignored.foobar\n"
    "res_type.wildcard_drift_ignored.*.baz\n"
    "res_type.endofpath_drift_ignored.struct\n"
    "resource_type.id\\.with\\.dots.json\n"
    "resource_type.idwith\\\\.json\n"
    "resource_type.idwith\\\\backslashes.foobar\n"
)
FIELD_CASES = [
    (
        "fields",
        FIELDS,
        [
            ("res_type", "full_drift_ignored", "json", True),
            ("res_type", "full_drift_ignored", "foobar", True),
            ("res_type", "partial_drift_ignored", "json", False),
            ("res_type", "partial_drift_ignored", "foobar", True),
            ("resource_type", "id.with.dots", "json", True),
            ("resource_type", "idwith\\", "json", True),
            ("resource_type", "idwith\\backslashes", "json", False),
            ("resource_type", "idwith\\backslashes", "foobar", True),
            ("res_type", "wildcard_drift_ignored", "struct.baz", True),
            ("res_type", "wildcard_drift_ignored", "struct.bar", False),
            ("res_type", "endofpath_drift_ignored", "struct.baz", True),
            ("res_type", "endofpath_drift_ignored", "struct.bar", True),
        ],
    ),
    (
        "all_exclude_field",
        "*\n!*.bar\n",
        [
            ("res_type", "full_drift_ignored", "json", True),
            ("res_type", "full_drift_ignored", "foobar", True),
            ("res_type", "partial_drift_ignored", "json", True),
            ("res_type", "partial_drift_ignored", "foobar", True),
            ("resource_type", "id.with.dots", "json", True),
            ("resource_type", "idwith\\", "json", True),
            ("resource_type", "idwith\\backslashes", "json", True),
            ("resource_type", "idwith\\backslashes", "foobar", True),
            ("res_type", "wildcard_drift_ignored", "struct.baz", True),
            ("res_type", "wildcard_drift_ignored", "struct.bar", False),
            ("res_type", "endofpath_drift_ignored", "struct.baz", True),
            ("res_type", "endofpath_drift_ignored", "struct.bar", False),
        ],
    ),
    ("empty", "", [("type1", "id1", "Id", False), ("type2", "id2", "Id", False)]),
]


@pytest.mark.parametrize(
    ("text", "cases"), [(t, c) for _, t, c in FIELD_CASES], ids=[n for n, _, _ in FIELD_CASES]
)
def test_is_field_ignored(text: str, cases: list[tuple[str, str, str, bool]]) -> None:
    ignore = DriftIgnore.parse(text)

    got = [ignore.ignores_path(rtype, rid, path) for rtype, rid, path, _ in cases]

    assert got == [want for *_, want in cases]


CHILDREN = {
    "aws_route_table": ["aws_route"],
    "azurerm_route_table": ["azurerm_route"],
    "aws_iam_user": ["aws_iam_user_policy", "aws_iam_user_policy_attachment"],
    "aws_iam_user_policy": ["aws_iam_user_policy_attachment"],
}
TYPE_CASES = [
    (
        "child_1_nesting",
        "*\n!aws_route\n!non_ignored_type.*\n",
        [
            ("aws_route", False),
            ("aws_route_table", False),
            ("non_ignored_type", False),
            ("ignored_type", True),
        ],
    ),
    (
        "child_2_nesting",
        "*\n!aws_iam_user_policy_attachment\n!non_ignored_type.*\n",
        [
            ("non_ignored_type", False),
            ("aws_iam_user", False),
            ("aws_iam_user_policy", False),
            ("aws_iam_user_policy_attachment", False),
            ("ignored_type", True),
        ],
    ),
    (
        "exclude",
        "type\ntype_2\ntype_3.*\n",
        [("type", True), ("type_1", False), ("type_2", True), ("type_3", True)],
    ),
    (
        "non_aws_s3",
        "*\n!aws_s3*\n",
        [
            ("aws_s3_access_point", False),
            ("aws_s3_bucket", False),
            ("aws_s3_bucket_acl", False),
            ("aws_route53_delegation_set", True),
        ],
    ),
    (
        "non_aws_s3_and_non_route53",
        "*\n!aws_s3*\n!aws_route53*\n",
        [
            ("aws_s3_access_point", False),
            ("aws_s3_bucket", False),
            ("aws_s3_bucket_acl", False),
            ("aws_route53_delegation_set", False),
        ],
    ),
    (
        "one_inclusion_rule_with_a_resource_id",
        "*\n!aws_iam_policy_attachment.foobar\n!azurerm_route.barfoo\n",
        [
            ("aws_iam_policy_attachment", False),
            ("azurerm_route_table", False),
            ("azurerm_route", False),
        ],
    ),
    (
        "type_wildcard_while_excluding_one",
        "type_*\n!type_not_ignored\n",
        [("type_ignored", True), ("type_not_ignored", False)],
    ),
]


@pytest.mark.parametrize(
    ("text", "cases"), [(t, c) for _, t, c in TYPE_CASES], ids=[n for n, _, _ in TYPE_CASES]
)
def test_is_type_ignored(text: str, cases: list[tuple[str, bool]]) -> None:
    ignore = DriftIgnore.parse(text)

    got = [ignore.ignores_type(rtype, children=CHILDREN) for rtype, _ in cases]

    assert got == [want for _, want in cases]


def test_the_invalid_lines_file_warns_once_per_line_it_cannot_use() -> None:
    ignore = DriftIgnore.parse(INVALID_LINES)

    numbers = [int(w.split(" line ")[1].split(":")[0]) for w in ignore.warnings]
    # Every line but the blank one; "ignored_resource.id2" (line 4) also names a type driftctl
    # does not read, so it warns too, yet it still applies (above).
    assert numbers == [1, 3, 4, 5, 6, 7, 8, 9]
    assert "not a valid pattern" in ignore.warnings[5]  # a lone backslash


def test_registered_types_skip_reading_when_wholly_ignored() -> None:
    ignore = DriftIgnore.parse("*\n!aws_instance\n")

    assert not ignore.ignores_type("EC2")
    assert ignore.ignores_type("S3")
    # A child type that is kept keeps its parent type read.
    assert not DriftIgnore.parse("*\n!aws_s3_bucket_versioning\n").ignores_type("S3")
