from __future__ import annotations

from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest

from driftctl.errors import ValidationError
from driftctl.notify import email, from_mapping
from driftctl.notify.message import DeliveryError, Notification
from tests.notify.notify_helpers import (
    SMTP_PASSWORD,
    SMTP_USER,
    RecordingServer,
    SmtpServer,
    free_port,
)

DRIFT_ID = "5f0c2a4e-1b7d-4c3e-9a51-2d8e6f1a9b03"


def cfg_for(port: int, **overrides: Any) -> email.EmailConfig:
    fields: dict[str, Any] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "starttls": False,
        "sender": "driftctl@example.com",
        "recipients": ["platform@example.com", "sec@example.com"],
    }
    fields.update(overrides)
    return email.EmailConfig(**fields)


def parse(raw: bytes) -> EmailMessage:
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def test_sends_multipart_alternative(
    smtp_server: SmtpServer, note: Callable[..., Notification]
) -> None:
    n = note(drift={"resource_id": "sg-<script>alert(1)</script>"})
    email.send(n, cfg_for(smtp_server.port), timeout=5)

    [received] = smtp_server.handler.messages
    assert received.mail_from == "driftctl@example.com"
    assert received.rcpt_tos == ["platform@example.com", "sec@example.com"]
    msg = parse(received.content)
    assert msg["Subject"] == "[driftctl] CRITICAL sg-0123456789abcdef0 opens port 22 to 0.0.0.0/0"
    assert msg["From"] == "driftctl@example.com"
    assert msg["To"] == "platform@example.com, sec@example.com"
    assert msg["X-Driftctl-Alert-Id"] == "a1b2c3d4-0000-4000-8000-000000000001"
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]

    plain_part = msg.get_body(("plain",))
    html_part = msg.get_body(("html",))
    assert plain_part is not None and html_part is not None
    plain = plain_part.get_content()
    html = html_part.get_content()

    assert "Resource: SECURITY_GROUP sg-<script>alert(1)</script>" in plain
    assert "  ingress[tcp:22:0.0.0.0/0]: (absent) → tcp:22:0.0.0.0/0" in plain
    assert "  tags.Owner: platform → <!channel> & co" in plain
    assert f'  driftctl approve {DRIFT_ID} --reason "…"' in plain
    assert f'  driftctl reject {DRIFT_ID} --reason "…"' in plain

    assert "<script>" not in html
    assert "sg-&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<li><code>tags.Owner: platform → &lt;!channel&gt; &amp; co</code></li>" in html
    assert f"<li><code>driftctl approve {DRIFT_ID} --reason &quot;…&quot;</code></li>" in html


def test_subject_is_one_line_and_marks_resolve(note: Callable[..., Notification]) -> None:
    assert email.subject(note(title="a\r\nBcc: victim@example.com")) == (
        "[driftctl] CRITICAL a Bcc: victim@example.com"
    )
    assert email.subject(note(event="resolve", severity="warning")).startswith(
        "[driftctl] RESOLVED "
    )


def test_logs_in_when_username_is_set(
    smtp_auth_server: SmtpServer, note: Callable[..., Notification]
) -> None:
    cfg = cfg_for(smtp_auth_server.port, username=SMTP_USER, password=SMTP_PASSWORD)
    email.send(note(), cfg, timeout=5)
    assert smtp_auth_server.handler.logins == [(SMTP_USER, SMTP_PASSWORD)]
    assert len(smtp_auth_server.handler.messages) == 1


def test_wrong_password_is_permanent(
    smtp_auth_server: SmtpServer, note: Callable[..., Notification]
) -> None:
    cfg = cfg_for(smtp_auth_server.port, username=SMTP_USER, password="wrong-pa55word")
    with pytest.raises(DeliveryError) as info:
        email.send(note(), cfg, timeout=5)
    assert info.value.permanent is True
    assert info.value.status == 535
    assert "wrong-pa55word" not in info.value.message
    assert smtp_auth_server.handler.messages == []


@pytest.mark.parametrize(
    ("rcpt", "data", "permanent", "status"),
    [
        ("550 5.1.1 No such user", None, True, 550),
        ("451 4.3.0 Try again later", None, False, 451),
        (None, "554 5.7.1 Rejected as spam", True, 554),
        (None, "452 4.3.1 Insufficient storage", False, 452),
    ],
)
def test_smtp_replies_are_classified(
    smtp_server: SmtpServer,
    note: Callable[..., Notification],
    rcpt: str | None,
    data: str | None,
    permanent: bool,
    status: int,
) -> None:
    smtp_server.handler.rcpt_reply = rcpt
    smtp_server.handler.data_reply = data
    with pytest.raises(DeliveryError) as info:
        email.send(note(), cfg_for(smtp_server.port), timeout=5)
    assert (info.value.permanent, info.value.status, info.value.channel) == (
        permanent,
        status,
        "email",
    )
    assert info.value.message.startswith(f"email: 127.0.0.1:{smtp_server.port} ")


def test_missing_starttls_and_auth_support_is_permanent(
    smtp_server: SmtpServer, note: Callable[..., Notification]
) -> None:
    with pytest.raises(DeliveryError) as info:
        email.send(note(), cfg_for(smtp_server.port, starttls=True), timeout=5)
    assert info.value.permanent is True
    assert "STARTTLS" in info.value.message

    cfg = cfg_for(smtp_server.port, username=SMTP_USER, password=SMTP_PASSWORD)
    with pytest.raises(DeliveryError) as info:
        email.send(note(), cfg, timeout=5)
    assert info.value.permanent is True
    assert SMTP_PASSWORD not in info.value.message


def test_refused_and_silent_servers_are_retryable(
    http_server: RecordingServer, note: Callable[..., Notification]
) -> None:
    with pytest.raises(DeliveryError) as info:
        email.send(note(), cfg_for(free_port()), timeout=5)
    assert info.value.permanent is False
    assert "connection refused" in info.value.message

    # An HTTP server never sends an SMTP greeting: the client times out waiting for it.
    port = int(http_server.base_url.rsplit(":", 1)[1])
    with pytest.raises(DeliveryError) as info:
        email.send(note(), cfg_for(port), timeout=0.5)
    assert info.value.permanent is False
    assert info.value.message == f"email: 127.0.0.1:{port} timed out"


def test_implicit_tls_against_plain_server_fails(
    smtp_server: SmtpServer, note: Callable[..., Notification]
) -> None:
    with pytest.raises(DeliveryError) as info:
        email.send(note(), cfg_for(smtp_server.port, tls=True), timeout=5)
    assert "SSL" in info.value.message
    assert smtp_server.handler.messages == []


def test_config_rules() -> None:
    spec_example = {
        "email": {
            "smtp_host": "smtp.example.com",
            "smtp_port": 587,
            "starttls": True,
            "username": "driftctl@example.com",
            "password": "secret:smtp_password",
            "sender": "driftctl@example.com",
            "recipients": ["platform@example.com"],
        }
    }
    cfg = from_mapping(spec_example).email
    assert cfg is not None and cfg.encrypted and cfg.password == "secret:smtp_password"

    remote_plain = {"email": {**spec_example["email"], "starttls": False}}
    with pytest.raises(ValidationError, match="unencrypted"):
        from_mapping(remote_plain)
    no_password = {"email": {**spec_example["email"], "password": None}}
    with pytest.raises(ValidationError, match="username and password go together"):
        from_mapping(no_password)
    bad_rcpt = {"email": {**spec_example["email"], "recipients": ["not-an-address"]}}
    with pytest.raises(
        ValidationError, match=r"notify\.email\.recipients: must be an e-mail address"
    ):
        from_mapping(bad_rcpt)
    no_rcpt = {"email": {**spec_example["email"], "recipients": []}}
    with pytest.raises(ValidationError, match=r"notify\.email\.recipients"):
        from_mapping(no_rcpt)
