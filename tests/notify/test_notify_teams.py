from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from driftctl.notify import from_mapping, send_to, teams
from driftctl.notify.message import DeliveryError, Notification
from tests.notify.notify_helpers import RecordingServer

SECRET_PATH = "/workflows/T3AMS5ECRET/triggers/manual/paths/invoke"


def test_posts_an_adaptive_card(
    http_server: RecordingServer, note: Callable[..., Notification]
) -> None:
    http_server.answer(202)
    teams.send(note(), teams.TeamsConfig(webhook_url=http_server.url(SECRET_PATH)), timeout=5)

    [req] = http_server.requests
    assert (req.method, req.path) == ("POST", SECRET_PATH)
    body = json.loads(req.body)
    assert body["type"] == "message"
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    header = card["body"][0]
    assert header["text"].startswith("CRITICAL: ") and header["color"] == "Attention"
    facts = {f["title"]: f["value"] for f in card["body"][1]["facts"]}
    assert facts["Region"] == "eu-west-1"
    assert facts["Resource"] == "SECURITY\\_GROUP sg-0123456789abcdef0"
    text = json.dumps(card, ensure_ascii=False)
    assert "driftctl approve" in text
    # Markdown in AWS data is shown literally.
    texts = [b.get("text", "") for b in card["body"]]
    assert any("\\<!channel\\> & co" in t for t in texts), texts


def test_a_huge_difference_is_shrunk_to_fit(
    http_server: RecordingServer, note: Callable[..., Notification]
) -> None:
    base = note()
    big = {f"tags.k{n:03}": {"expected": "x" * 200, "actual": "y" * 200} for n in range(400)}
    drift = dict(base.drift, difference=big)
    payload = teams.build_payload(note(drift=drift))
    assert len(payload) <= teams.MAX_CARD_BYTES
    assert "more" in payload.decode("utf-8")


def test_the_url_is_a_secret_in_errors(
    http_server: RecordingServer, note: Callable[..., Notification]
) -> None:
    http_server.answer(400, b"Webhook message delivery failed")
    cfg = from_mapping({"teams": {"webhook_url": "secret:teams_url"}})
    with pytest.raises(DeliveryError) as info:
        send_to("teams", note(), cfg, {"teams_url": http_server.url(SECRET_PATH)}, timeout=5)
    assert info.value.permanent and info.value.status == 400
    assert "T3AMS5ECRET" not in info.value.message
    assert info.value.message.startswith("teams: POST http://127.0.0.1:")
