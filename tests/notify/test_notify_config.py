from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from driftctl.domain import AlertType, Severity
from driftctl.errors import ValidationError
from driftctl.notify import NotifyConfig, channels_for, from_mapping, send_to
from driftctl.notify.message import Notification
from tests.notify.notify_helpers import RecordingServer

SPEC_EXAMPLE: dict[str, Any] = {
    "slack": {
        "webhook_url": "secret:slack_webhook",
        "min_severity": "critical",
        "types": ["drift_detected", "approval_needed", "remediation_failed"],
    },
    "email": {
        "smtp_host": "smtp.example.com",
        "smtp_port": 587,
        "starttls": True,
        "username": "driftctl@example.com",
        "password": "secret:smtp_password",
        "sender": "driftctl@example.com",
        "recipients": ["platform@example.com"],
    },
    "pagerduty": {
        "routing_key": "secret:pagerduty_routing_key",
        "events_url": "https://events.pagerduty.com/v2/enqueue",
    },
    "webhook": {
        "url": "https://hooks.example.com/driftctl",
        "signing_secret": "secret:webhook_signing",
    },
}


def test_spec_example_parses_with_defaults() -> None:
    cfg = from_mapping(SPEC_EXAMPLE)
    assert cfg.slack is not None and cfg.slack.webhook_url == "secret:slack_webhook"
    assert cfg.webhook is not None and cfg.webhook.min_severity is Severity.CRITICAL
    assert cfg.webhook.types == tuple(AlertType)
    assert cfg.pagerduty is not None and cfg.pagerduty.routing_key == "secret:pagerduty_routing_key"
    assert from_mapping({}) == NotifyConfig()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"slack": {"webhook_url": "secret:s", "min_severity": "urgent"}},
            "invalid configuration: notify.slack.min_severity: "
            "Input should be 'critical', 'warning' or 'info'",
        ),
        (
            {"slack": {"webhook_url": "secret:s", "types": ["drift_detected", "nope"]}},
            "invalid configuration: notify.slack.types.1: Input should be 'drift_detected', "
            "'approval_needed' or 'remediation_failed'",
        ),
        (
            {"slack": {"webhook_url": "secret:s", "types": []}},
            "invalid configuration: notify.slack.types: must list at least one alert type "
            "(remove the block to disable)",
        ),
        (
            {"slack": {"webhook_url": "secret:s", "min_severty": "info"}},
            "invalid configuration: notify.slack.min_severty: unknown setting",
        ),
        ({"carrier_pigeon": {}}, "invalid configuration: notify.carrier_pigeon: unknown setting"),
        (
            {"webhook": {"url": "hooks.example.com/S3CRET", "signing_secret": "x"}},
            "invalid configuration: notify.webhook.url: must be an http(s) URL or 'secret:NAME'",
        ),
        (
            {"pagerduty": {}},
            "invalid configuration: notify.pagerduty.routing_key: Field required",
        ),
        (
            {"email": {"smtp_host": "h", "smtp_port": 70000, "sender": "a@b", "recipients": []}},
            "invalid configuration: notify.email.smtp_port: Input should be less than or equal "
            "to 65535 (and 1 more problem(s))",
        ),
    ],
)
def test_bad_config_gives_one_clear_line(data: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError) as info:
        from_mapping(data)
    assert info.value.message == expected
    assert "S3CRET" not in info.value.message


def test_not_a_table() -> None:
    with pytest.raises(ValidationError, match="must be a table"):
        from_mapping(["slack"])  # type: ignore[arg-type]


def test_channels_for_applies_min_severity_and_types() -> None:
    cfg = from_mapping(
        {
            "slack": {"webhook_url": "secret:s", "min_severity": "warning"},
            "email": {
                "smtp_host": "localhost",
                "starttls": False,
                "sender": "a@example.com",
                "recipients": ["b@example.com"],
                "min_severity": "info",
                "types": ["approval_needed"],
            },
            "pagerduty": {"routing_key": "secret:pd"},
            "webhook": {"url": "secret:u", "signing_secret": "secret:w", "min_severity": "info"},
        }
    )
    assert channels_for(cfg, "drift_detected", "critical") == ["slack", "pagerduty", "webhook"]
    assert channels_for(cfg, AlertType.DRIFT_DETECTED, Severity.WARNING) == ["slack", "webhook"]
    assert channels_for(cfg, "drift_detected", "info") == ["webhook"]
    assert channels_for(cfg, "approval_needed", "info") == ["email", "webhook"]
    assert channels_for(NotifyConfig(), "drift_detected", "critical") == []
    with pytest.raises(ValidationError, match="invalid alert"):
        channels_for(cfg, "drift_detected", "urgent")


def test_send_to_resolves_secrets_per_send(
    http_server: RecordingServer,
    monkeypatch: pytest.MonkeyPatch,
    note: Callable[..., Notification],
) -> None:
    cfg = from_mapping(
        {
            "slack": {"webhook_url": "secret:slack_webhook"},
            "webhook": {"url": "secret:hook_url", "signing_secret": "secret:webhook_signing"},
        }
    )
    monkeypatch.setenv("DRIFTCTL_SECRET_SLACK_WEBHOOK", http_server.url("/from-env"))
    monkeypatch.setenv("DRIFTCTL_SECRET_HOOK_URL", http_server.url("/hook"))
    monkeypatch.setenv("DRIFTCTL_SECRET_WEBHOOK_SIGNING", "env-signing")

    send_to("slack", note(), cfg, timeout=5)
    send_to("slack", note(), cfg, {"slack_webhook": http_server.url("/from-flag")}, timeout=5)
    send_to("webhook", note(), cfg, timeout=5)

    assert [r.path for r in http_server.requests] == ["/from-env", "/from-flag", "/hook"]
    assert json.loads(http_server.requests[2].body)["event"] == "trigger"
    # The configuration still holds references, never the resolved values.
    assert cfg.slack is not None and cfg.slack.webhook_url == "secret:slack_webhook"
    assert cfg.webhook is not None and cfg.webhook.signing_secret == "secret:webhook_signing"


def test_send_to_missing_secret_sends_nothing(
    http_server: RecordingServer, note: Callable[..., Notification]
) -> None:
    cfg = from_mapping(
        {"pagerduty": {"routing_key": "secret:pd_key", "events_url": http_server.url()}}
    )
    with pytest.raises(ValidationError, match="DRIFTCTL_SECRET_PD_KEY"):
        send_to("pagerduty", note(), cfg)
    assert http_server.requests == []


def test_send_to_unknown_or_unconfigured_channel(note: Callable[..., Notification]) -> None:
    with pytest.raises(ValidationError, match="unknown notification channel 'carrier_pigeon'"):
        send_to("carrier_pigeon", note(), NotifyConfig())
    with pytest.raises(ValidationError, match=r"not configured \(\[notify.email\]\)"):
        send_to("email", note(), NotifyConfig())


def test_the_registry_declares_every_channel_once() -> None:
    from driftctl.notify import registry
    from driftctl.notify.channel import ChannelConfig

    plugins = registry.channels()
    assert tuple(p.name for p in plugins) == registry.CHANNEL_NAMES == registry.names()
    for plugin in plugins:
        assert issubclass(plugin.config, ChannelConfig)
        assert callable(plugin.send) and plugin.summary
    # PagerDuty opens and closes incidents; it is told so by its capabilities, not by name.
    assert "pagerduty" in registry.resolving()
    assert "slack" not in registry.resolving()


def test_config_blocks_are_validated_at_load(tmp_path: Any) -> None:
    from driftctl.config import load_settings

    path = tmp_path / "driftctl.toml"
    path.write_text('[notify.slack]\nwebhook_url = "not-a-url"\n', encoding="utf-8")
    with pytest.raises(ValidationError, match=r"notify\.slack\.webhook_url"):
        load_settings(config_path=path)


def test_the_documented_configuration_loads_and_names_every_channel() -> None:
    import re
    import tomllib
    from pathlib import Path

    from driftctl.notify import registry
    from driftctl.notify.rules import alert_rules

    root = Path(__file__).resolve().parents[2]
    text = (root / "docs" / "alerts.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(.*?)```", text, re.DOTALL)
    assert block is not None
    data = tomllib.loads(block.group(1))
    alert_rules(data["alerts"])
    cfg = from_mapping(data["notify"])
    assert cfg.configured() == list(registry.names())
    example = tomllib.loads((root / "examples" / "driftctl.toml").read_text(encoding="utf-8"))
    from_mapping(example.get("notify", {}))
    for name in registry.names():
        assert f"[notify.{name}]" in (root / "examples" / "driftctl.toml").read_text("utf-8")
