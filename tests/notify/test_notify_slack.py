from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from driftctl import __version__
from driftctl.notify import slack
from driftctl.notify.message import DeliveryError, Notification
from tests.notify.notify_helpers import RecordingServer

DRIFT_ID = "5f0c2a4e-1b7d-4c3e-9a51-2d8e6f1a9b03"
HOOK_PATH = "/services/T000/B000/XXXXSECRET"


def cfg_for(url: str) -> slack.SlackConfig:
    return slack.SlackConfig(webhook_url=url)


def test_posts_block_kit_message(
    http_server: RecordingServer, note: Callable[..., Notification]
) -> None:
    slack.send(note(), cfg_for(http_server.url(HOOK_PATH)), timeout=5)

    [req] = http_server.requests
    assert (req.method, req.path) == ("POST", HOOK_PATH)
    assert req.headers["content-type"] == "application/json"
    assert req.headers["user-agent"] == f"driftctl/{__version__}"
    body = json.loads(req.body)
    assert body["text"] == (
        ":red_circle: [driftctl] CRITICAL: sg-0123456789abcdef0 opens port 22 to 0.0.0.0/0 — "
        "SECURITY_GROUP sg-0123456789abcdef0 (eu-west-1)"
    )
    header, resource, message, differences, context = body["blocks"]
    assert header == {
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": "CRITICAL: sg-0123456789abcdef0 opens port 22 to 0.0.0.0/0",
            "emoji": True,
        },
    }
    assert resource["text"]["text"] == (
        "*Resource:* `SECURITY_GROUP` `sg-0123456789abcdef0`\n"
        "*Region:* eu-west-1  *Account:* 123456789012\n"
        "*Drift:* modified  *Status:* detected"
    )
    assert message["text"]["text"] == "Ingress rule added outside Terraform."
    # AWS-originated "<!channel> & co" is escaped, so Slack does not ping the channel.
    assert differences["text"] == {
        "type": "mrkdwn",
        "text": "*Differences:*\n```"
        "ingress[tcp:22:0.0.0.0/0]: (absent) → tcp:22:0.0.0.0/0\n"
        "tags.Owner: platform → &lt;!channel&gt; &amp; co```",
    }
    assert context == {
        "type": "context",
        "elements": [
            {"type": "mrkdwn", "text": f"`driftctl show {DRIFT_ID}`"},
            {"type": "mrkdwn", "text": f'`driftctl approve {DRIFT_ID} --reason "…"`'},
            {"type": "mrkdwn", "text": f'`driftctl reject {DRIFT_ID} --reason "…"`'},
        ],
    }


def test_escapes_every_aws_string(
    http_server: RecordingServer, note: Callable[..., Notification]
) -> None:
    n = note(
        title="bucket <evil>&co",
        message="see <https://evil.example|here>",
        drift={"resource_id": "a`b<c>", "region": "<!here>", "account_id": None},
    )
    slack.send(n, cfg_for(http_server.url()), timeout=5)
    raw = http_server.requests[0].body.decode()
    for forbidden in ("<evil>", "<https://", "<!here>", "<c>"):
        assert forbidden not in raw
    body = json.loads(raw)
    assert body["blocks"][0]["text"]["text"] == "CRITICAL: bucket &lt;evil&gt;&amp;co"
    assert "`a\u02cbb&lt;c&gt;`" in body["blocks"][1]["text"]["text"]
    assert "*Account:* unknown" in body["blocks"][1]["text"]["text"]


def test_differences_are_capped(
    http_server: RecordingServer, note: Callable[..., Notification]
) -> None:
    difference = {
        f"tags.k{i:02d}": {"change": "added", "expected": None, "actual": "v"} for i in range(23)
    }
    slack.send(note(drift={"difference": difference}), cfg_for(http_server.url()), timeout=5)
    blocks = json.loads(http_server.requests[0].body)["blocks"]
    text = next(
        b["text"]["text"] for b in blocks if "Differences" in b.get("text", {}).get("text", "")
    )
    assert text.count(": (absent) → v") == 20
    assert "tags.k19" in text
    assert "tags.k20" not in text
    assert text.endswith("```\n… and 3 more")


def test_resolve_event_has_no_approval_commands(
    http_server: RecordingServer, note: Callable[..., Notification]
) -> None:
    slack.send(note(event="resolve"), cfg_for(http_server.url()), timeout=5)
    body = json.loads(http_server.requests[0].body)
    assert body["blocks"][0]["text"]["text"].startswith("RESOLVED: ")
    assert body["blocks"][-1]["elements"] == [
        {"type": "mrkdwn", "text": f"`driftctl show {DRIFT_ID}`"}
    ]
    assert body["text"].startswith(":white_check_mark: [driftctl] RESOLVED: ")


@pytest.mark.parametrize(
    ("status", "permanent"), [(500, False), (503, False), (429, False), (400, True), (404, True)]
)
def test_http_errors_are_classified(
    http_server: RecordingServer,
    note: Callable[..., Notification],
    status: int,
    permanent: bool,
) -> None:
    http_server.answer(status, b"invalid_payload")
    with pytest.raises(DeliveryError) as info:
        slack.send(note(), cfg_for(http_server.url(HOOK_PATH)), timeout=5)
    err = info.value
    assert (err.permanent, err.status, err.channel) == (permanent, status, "slack")
    assert err.message == (
        f"slack: POST {http_server.base_url} answered HTTP {status}: invalid_payload"
    )


def test_timeout_is_retryable(
    http_server: RecordingServer, note: Callable[..., Notification]
) -> None:
    http_server.hang()
    with pytest.raises(DeliveryError) as info:
        slack.send(note(), cfg_for(http_server.url(HOOK_PATH)), timeout=0.5)
    assert info.value.permanent is False
    assert info.value.message == f"slack: POST {http_server.base_url} timed out"


def test_refused_connection_is_retryable(
    refused_url: str, note: Callable[..., Notification]
) -> None:
    with pytest.raises(DeliveryError) as info:
        slack.send(note(), cfg_for(refused_url), timeout=5)
    assert info.value.permanent is False
    assert "connection refused" in info.value.message


def test_redirects_are_not_followed(
    http_server: RecordingServer, note: Callable[..., Notification]
) -> None:
    http_server.answer(302, headers={"Location": http_server.url("/elsewhere")})
    with pytest.raises(DeliveryError) as info:
        slack.send(note(), cfg_for(http_server.url(HOOK_PATH)), timeout=5)
    assert info.value.permanent is True
    assert info.value.status == 302
    assert [r.path for r in http_server.requests] == [HOOK_PATH]


@pytest.mark.parametrize("url", ["secret:slack_webhook", "file:///etc/passwd", "http://"])
def test_unusable_urls_fail_permanently_without_a_request(
    note: Callable[..., Notification], url: str
) -> None:
    cfg = slack.SlackConfig.model_construct(webhook_url=url)  # bypass config validation
    with pytest.raises(DeliveryError) as info:
        slack.send(note(), cfg, timeout=1)
    assert info.value.permanent is True
