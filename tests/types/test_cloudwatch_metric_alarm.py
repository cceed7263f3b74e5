"""Alarm comparison traps: numbers AWS formats its own way, defaults AWS leaves out."""

from __future__ import annotations

from driftctl.diff.compare import diff_attributes

TYPE = "CLOUDWATCH_METRIC_ALARM"


def test_threshold_compares_as_a_number_and_unset_fields_mean_their_default() -> None:
    expected = {"threshold": 80, "treat_missing_data": "missing", "datapoints_to_alarm": 0}
    actual = {"threshold": 80.0, "treat_missing_data": None, "datapoints_to_alarm": None}
    assert diff_attributes(TYPE, expected, actual) == {}
    assert diff_attributes(TYPE, {"threshold": "0.50"}, {"threshold": 0.5}) == {}
    assert "threshold" in diff_attributes(TYPE, {"threshold": 80}, {"threshold": 80.5})
