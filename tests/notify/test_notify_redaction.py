"""No secret value may reach a log record or an error message, whatever the failure."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

import pytest

from driftctl.errors import DriftctlError
from driftctl.notify import from_mapping, send_to
from driftctl.notify.message import DeliveryError, Notification
from tests.notify.notify_helpers import SMTP_USER, Recorded, RecordingServer, SmtpServer, free_port

SLACK_PATH = "/services/T0SECRET/B0SECRET/slackTokenXYZ123"
WEBHOOK_PATH = "/hooks/webhookTokenABC789"
WEBHOOK_QUERY = "sig=querySecretQRS456"
SECRETS = {
    "slack_webhook": None,  # filled with the server URL + SLACK_PATH
    "hook_url": None,
    "webhook_signing": "signingSecretDEF456",
    "pd_key": "pdRoutingKeyGHI789",
    "smtp_password": "smtpPasswordJKL012",
}
FRAGMENTS = [
    "T0SECRET",
    "B0SECRET",
    "slackTokenXYZ123",
    "webhookTokenABC789",
    "querySecretQRS456",
    "signingSecretDEF456",
    "pdRoutingKeyGHI789",
    "smtpPasswordJKL012",
]


def echo_everything(req: Recorded) -> bytes:
    """A hostile error body that repeats the request path and body back."""
    return b"bad request for " + req.path.encode() + b" body=" + req.body


def test_no_secret_in_logs_or_errors(
    http_server: RecordingServer,
    refused_url: str,
    smtp_auth_server: SmtpServer,
    note: Callable[..., Notification],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    overrides = {
        **{k: v for k, v in SECRETS.items() if v},
        "slack_webhook": http_server.url(SLACK_PATH),
        "hook_url": http_server.url(f"{WEBHOOK_PATH}?{WEBHOOK_QUERY}"),
    }
    refused_overrides = {
        **overrides,
        "slack_webhook": refused_url + SLACK_PATH,
        "hook_url": refused_url + WEBHOOK_PATH + "?" + WEBHOOK_QUERY,
    }
    cfg = from_mapping(
        {
            "slack": {"webhook_url": "secret:slack_webhook"},
            "pagerduty": {"routing_key": "secret:pd_key", "events_url": http_server.url("/pd")},
            "webhook": {"url": "secret:hook_url", "signing_secret": "secret:webhook_signing"},
            "email": {
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp_auth_server.port,
                "starttls": False,
                "username": SMTP_USER,
                "password": "secret:smtp_password",
                "sender": "driftctl@example.com",
                "recipients": ["platform@example.com"],
            },
        }
    )
    errors: list[DriftctlError | DeliveryError] = []

    def attempt(channel: str, secret_overrides: dict[str, str], timeout: float = 5) -> None:
        with pytest.raises(DeliveryError) as info:
            send_to(channel, note(), cfg, secret_overrides, timeout=timeout)
        errors.append(info.value)

    for status in (400, 401, 429, 500):
        http_server.answer(status, echo_everything)
        for channel in ("slack", "pagerduty", "webhook"):
            attempt(channel, overrides)
    for channel in ("slack", "webhook"):
        attempt(channel, refused_overrides)
    http_server.hang()
    for channel in ("slack", "pagerduty", "webhook"):
        attempt(channel, overrides, timeout=0.3)
    attempt("email", {**overrides, "smtp_password": "wrongPasswordMNO345"})
    email_block = cfg.channel("email")
    assert email_block is not None
    email_refused = cfg.replace("email", email_block.model_copy(update={"smtp_port": free_port()}))
    with pytest.raises(DeliveryError) as info:
        send_to("email", note(), email_refused, overrides, timeout=5)
    errors.append(info.value)
    # A missing secret: the error names the variable, not any of the other values.
    with pytest.raises(DriftctlError) as missing:
        send_to("pagerduty", note(), cfg, {"slack_webhook": overrides["slack_webhook"]})
    errors.append(missing.value)

    assert len(errors) == 12 + 2 + 3 + 2 + 1
    # The failures really happened and were logged.
    assert sum("answered HTTP 500" in r.getMessage() for r in caplog.records) == 3
    texts = [r.getMessage() for r in caplog.records] + [caplog.text]
    for err in errors:
        texts += [str(err), repr(err), "".join(traceback.format_exception(err))]
    for text in texts:
        for fragment in [*FRAGMENTS, "wrongPasswordMNO345"]:
            assert fragment not in text, (fragment, text)
    # What the operator does see: scheme and host, never the path.
    assert f"slack: POST {http_server.base_url} answered HTTP 400: bad request for *** body=" in (
        str(errors[0])
    )
