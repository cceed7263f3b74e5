"""The command channel, against real processes."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from driftctl.errors import ValidationError
from driftctl.notify import from_mapping, send_to
from driftctl.notify.command import CommandConfig, send
from driftctl.notify.message import DeliveryError, Notification

RECORD = """
import json, os, sys
out = sys.argv[1]
data = json.load(sys.stdin)
data["env_event"] = os.environ.get("DRIFTCTL_EVENT")
data["leaked"] = sorted(k for k in os.environ if k.startswith("DRIFTCTL_SECRET_"))
open(out, "w").write(json.dumps(data))
"""


def test_the_alert_json_arrives_on_stdin_without_secrets(
    tmp_path: Path, note: Callable[..., Notification], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DRIFTCTL_SECRET_SLACK_WEBHOOK", "https://hooks.example/S3CRET")
    out = tmp_path / "got.json"
    # A shell would expand these; an argv list passes them through untouched.
    cfg = CommandConfig(command=(sys.executable, "-c", RECORD, str(out), "$HOME; rm -rf /"))
    send(note(), cfg, timeout=10)
    got = json.loads(out.read_text())
    assert got["alert"]["id"] == note().alert_id
    assert got["drift"]["resource_id"] == "sg-0123456789abcdef0"
    assert got["event"] == got["env_event"] == "trigger"
    assert got["leaked"] == []


def test_a_failing_command_is_retried_with_its_stderr(
    note: Callable[..., Notification],
) -> None:
    script = "import sys; sys.stdin.read(); print('queue full', file=sys.stderr); sys.exit(3)"
    with pytest.raises(DeliveryError) as info:
        send(note(), CommandConfig(command=(sys.executable, "-c", script)), timeout=10)
    assert not info.value.permanent
    assert "exited with status 3: queue full" in info.value.message


def test_a_slow_command_is_killed_at_its_timeout(note: Callable[..., Notification]) -> None:
    script = "import time; time.sleep(30)"
    started = time.monotonic()
    with pytest.raises(DeliveryError, match=r"timed out after 0.5 s") as info:
        send(note(), CommandConfig(command=(sys.executable, "-c", script), timeout=0.5))
    assert not info.value.permanent
    assert time.monotonic() - started < 10


def test_a_missing_program_fails_permanently(
    tmp_path: Path, note: Callable[..., Notification]
) -> None:
    cfg = CommandConfig(command=(str(tmp_path / "nope"),))
    with pytest.raises(DeliveryError, match="could not be started") as info:
        send(note(), cfg)
    assert info.value.permanent


def test_the_program_must_be_an_absolute_path(note: Callable[..., Notification]) -> None:
    with pytest.raises(ValidationError, match=r"notify\.command\.command: the first element"):
        from_mapping({"command": {"command": ["notify-send"]}})
    cfg = from_mapping(
        {"command": {"command": [sys.executable, "-c", "import sys; sys.stdin.read()"]}}
    )
    send_to("command", note(), cfg, timeout=10)
