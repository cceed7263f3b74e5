"""Attribute kinds of the schema, compared one by one (``compare.diff_value``)."""

from __future__ import annotations

from typing import Any

import pytest

from driftctl.diff.compare import diff_value
from driftctl.iac.instance import BadValue, StateInstance, read_schema
from driftctl.resources import SENSITIVE
from driftctl.types.spec import Attr, Kind


def _diff(attr: Attr | None, exp: Any, act: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    diff_value(attr, "x", exp, act, out)
    return out


def test_a_map_is_managed_as_a_whole_with_no_reserved_keys() -> None:
    attr = Attr(Kind.MAP)
    assert _diff(attr, {"A": "1"}, {"A": "1"}) == {}
    assert _diff(attr, {"A": "1"}, {"A": "2", "aws:B": "3"}) == {
        "x.A": {"change": "changed", "expected": "1", "actual": "2"},
        "x.aws:B": {"change": "added", "expected": None, "actual": "3"},
    }
    assert _diff(attr, {"A": SENSITIVE}, {"A": "anything"}) == {}


def test_tags_ignore_aws_reserved_keys() -> None:
    assert _diff(Attr(Kind.TAGS), {"A": "1"}, {"A": "1", "aws:cloudformation:x": "y"}) == {}


def test_a_document_compares_parsed_whatever_its_spelling() -> None:
    attr = Attr(Kind.DOCUMENT)
    text = '{"source": ["aws.ec2"], "detail-type": ["x"]}'
    assert _diff(attr, text, {"detail-type": ["x"], "source": ["aws.ec2"]}) == {}
    assert _diff(attr, text, '{"source":["aws.s3"],"detail-type":["x"]}') == {
        "x": {
            "change": "changed",
            "expected": {"source": ["aws.ec2"], "detail-type": ["x"]},
            "actual": {"source": ["aws.s3"], "detail-type": ["x"]},
        }
    }
    assert _diff(attr, text, None)["x"]["change"] == "removed"


def test_numbers_compare_numerically_and_defaults_mean_unset() -> None:
    assert _diff(Attr(type=float), 80.0, "80") == {}
    assert _diff(Attr(type=float), 80.0, 80.5)["x"]["change"] == "changed"
    retention = Attr(type=int, default=0)
    assert _diff(retention, 0, None) == {}
    assert _diff(retention, 7, None)["x"] == {"change": "removed", "expected": 7, "actual": None}


def test_an_equivalence_declared_by_the_type() -> None:
    attr = Attr(same=lambda e, a: str(a).startswith(f"{e}."))
    assert _diff(attr, "15", "15.4") == {}
    assert _diff(attr, "15", "16.1")["x"]["change"] == "changed"


def _instance(attributes: dict[str, Any], sensitive: list[Any] | None = None) -> StateInstance:
    return StateInstance({"attributes": attributes, "sensitive_attributes": sensitive or []}, "t")


def test_the_schema_reader_follows_kinds_and_paths() -> None:
    schema = {
        "threshold": Attr(type=float),
        "retention": Attr(type=int, tf=("retention_in_days",)),
        "variables": Attr(Kind.MAP, tf=("environment.0.variables",)),
        "pattern": Attr(Kind.DOCUMENT, tf=("event_pattern",)),
        "block": Attr(Kind.OBJECT, tf=("config",), fields={"mode": Attr(), "on": Attr(type=bool)}),
        "ids": Attr(Kind.SET),
        "unset": Attr(empty_is_unset=True),
    }
    inst = _instance(
        {
            "threshold": "80",
            "retention_in_days": 14,
            "environment": [{"variables": {"LOG_LEVEL": "info", "DB_PASSWORD": "hunter2"}}],
            "event_pattern": '{"source":["aws.ec2"]}',
            "config": [{"mode": "fast", "on": "true"}],
            "ids": ["b", "a", "a", ""],
            "unset": "",
        }
    )
    assert read_schema(inst, schema) == {
        "threshold": 80.0,
        "retention": 14,
        "variables": {"LOG_LEVEL": "info", "DB_PASSWORD": SENSITIVE},
        "pattern": {"source": ["aws.ec2"]},
        "block": {"mode": "fast", "on": True},
        "ids": ["a", "b"],
    }


@pytest.mark.parametrize("value", ["nan", "inf", "1e400", "eighty"])
def test_a_number_that_is_not_finite_is_a_bad_value(value: str) -> None:
    with pytest.raises(BadValue):
        read_schema(_instance({"threshold": value}), {"threshold": Attr(type=float)})
