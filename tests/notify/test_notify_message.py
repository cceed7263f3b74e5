from __future__ import annotations

from collections.abc import Callable

import pytest

from driftctl.domain import AlertType, Severity
from driftctl.errors import ValidationError
from driftctl.notify.message import (
    DeliveryError,
    Notification,
    approval_commands,
    difference_lines,
    is_permanent_http_status,
)


def test_payload_round_trip(note: Callable[..., Notification]) -> None:
    original = note(event="resolve", severity="warning")
    rebuilt = Notification.from_payload(original.to_payload())
    assert rebuilt == original
    assert rebuilt.severity is Severity.WARNING
    assert rebuilt.alert_type is AlertType.DRIFT_DETECTED


def test_bad_payloads_raise_validation_error(note: Callable[..., Notification]) -> None:
    payload = note().to_payload()
    del payload["drift"]["fingerprint"]
    with pytest.raises(ValidationError, match="fingerprint"):
        Notification.from_payload(payload)
    with pytest.raises(ValidationError):
        Notification.from_payload({"alert_id": "x"})
    with pytest.raises(ValidationError):
        note(severity="urgent")
    with pytest.raises(ValidationError):
        note(event="acknowledge")


def test_difference_lines_sorted_formatted_and_capped() -> None:
    difference = {
        "tags.Owner": {"change": "changed", "expected": "a", "actual": "b"},
        "monitoring": {"change": "changed", "expected": False, "actual": True},
        "tags.New": {"change": "added", "expected": None, "actual": ""},
        "policy": {"change": "changed", "expected": {"b": 1, "a": [1]}, "actual": None},
        "name": {"change": "changed", "expected": "x\x1b[31mred", "actual": "y\nz"},
    }
    diff = difference_lines(difference)
    assert diff.lines == [
        "monitoring: false → true",
        "name: x\ufffd[31mred → y z",
        'policy: {"a": [1], "b": 1} → (absent)',
        'tags.New: (absent) → ""',
        "tags.Owner: a → b",
    ]
    assert diff.omitted == 0

    many = {
        f"tags.k{i:02d}": {"change": "added", "expected": None, "actual": "v"} for i in range(25)
    }
    capped = difference_lines(many)
    assert len(capped.lines) == 20
    assert capped.lines[0] == "tags.k00: (absent) → v"
    assert capped.omitted == 5


def test_long_values_are_shortened() -> None:
    diff = difference_lines({"p": {"expected": "x" * 500, "actual": "y"}})
    expected_part = diff.entries[0].expected
    assert len(expected_part) == 200
    assert expected_part.endswith("…")


def test_approval_commands_only_for_undecided_triggers(note: Callable[..., Notification]) -> None:
    drift_id = "5f0c2a4e-1b7d-4c3e-9a51-2d8e6f1a9b03"
    assert approval_commands(note()) == [
        f"driftctl show {drift_id}",
        f'driftctl approve {drift_id} --reason "…"',
        f'driftctl reject {drift_id} --reason "…"',
    ]
    assert approval_commands(note(event="resolve")) == [f"driftctl show {drift_id}"]
    assert approval_commands(note(drift={"status": "approved"})) == [f"driftctl show {drift_id}"]


@pytest.mark.parametrize(
    ("status", "permanent"),
    [(400, True), (401, True), (403, True), (404, True), (410, True), (429, False),
     (500, False), (502, False), (503, False), (504, False)],
)  # fmt: skip
def test_http_status_classification(status: int, permanent: bool) -> None:
    assert is_permanent_http_status(status) is permanent


def test_delivery_error_carries_its_classification() -> None:
    err = DeliveryError("slack: POST https://hooks.slack.com answered HTTP 503", permanent=False,
                        channel="slack", status=503)  # fmt: skip
    assert (err.permanent, err.channel, err.status) == (False, "slack", 503)
    assert str(err) == err.message
