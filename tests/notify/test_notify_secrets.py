from __future__ import annotations

import json

import keyring.core
import pytest
from keyring.errors import KeyringLocked

from driftctl import secrets
from driftctl.errors import ExternalServiceError, NotFoundError, ValidationError
from tests.fakes import MemoryKeyring


def test_plain_values_are_returned_unchanged() -> None:
    assert secrets.resolve("https://hooks.example.com/x") == "https://hooks.example.com/x"
    assert secrets.resolve("") == ""


@pytest.mark.parametrize(
    ("name", "env"),
    [
        ("slack_webhook", "DRIFTCTL_SECRET_SLACK_WEBHOOK"),
        ("smtp-pass.prod", "DRIFTCTL_SECRET_SMTP_PASS_PROD"),
        ("PagerDuty1", "DRIFTCTL_SECRET_PAGERDUTY1"),
    ],
)
def test_env_var_name_and_lookup(monkeypatch: pytest.MonkeyPatch, name: str, env: str) -> None:
    assert secrets.env_var_name(name) == env
    monkeypatch.setenv(env, "value-from-env")
    assert secrets.resolve(f"secret:{name}") == "value-from-env"


def test_overrides_win_over_env_and_keyring(
    monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.set_password("driftctl", "token", "from-keyring")
    monkeypatch.setenv("DRIFTCTL_SECRET_TOKEN", "from-env")
    assert secrets.resolve("secret:token", overrides={"token": "from-flag"}) == "from-flag"
    # A flag spelled like the env var still names the same secret.
    assert secrets.resolve("secret:token", overrides={"TOKEN": "from-flag-2"}) == "from-flag-2"
    assert secrets.resolve("secret:token", overrides={"other": "x"}) == "from-env"


def test_env_wins_over_keyring_and_keyring_is_last(
    monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.set_password("driftctl", "token", "from-keyring")
    assert secrets.resolve("secret:token") == "from-keyring"
    monkeypatch.setenv("DRIFTCTL_SECRET_TOKEN", "from-env")
    assert secrets.resolve("secret:token") == "from-env"


def test_empty_env_var_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRIFTCTL_SECRET_TOKEN", "")
    with pytest.raises(ValidationError):
        secrets.resolve("secret:token")


def test_missing_secret_names_env_var_and_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRIFTCTL_SECRET_OTHER", "unrelated-secret-value")
    with pytest.raises(ValidationError) as info:
        secrets.resolve("secret:slack_webhook", overrides={"other": "flag-secret-value"})
    message = info.value.message
    assert "DRIFTCTL_SECRET_SLACK_WEBHOOK" in message
    assert "driftctl secret set slack_webhook" in message
    assert "no system keyring" in message  # the fail backend is active in tests
    assert "unrelated-secret-value" not in message
    assert "flag-secret-value" not in message
    assert info.value.exit_code == 2


@pytest.mark.parametrize("value", ["secret:", "secret:  ", "secret:_hidden", "secret:a b"])
def test_malformed_references_are_rejected(value: str) -> None:
    with pytest.raises(ValidationError):
        secrets.resolve(value)


@pytest.mark.parametrize(
    "backend", ["keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"]
)
def test_no_keyring_refuses_to_store(monkeypatch: pytest.MonkeyPatch, backend: str) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", backend)
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    assert secrets.keyring_usable() is False
    with pytest.raises(ValidationError) as info:
        secrets.set_secret("smtp_password", "hunter2-value")
    message = info.value.message
    assert "no system keyring is available" in message
    assert "DRIFTCTL_SECRET_SMTP_PASSWORD" in message
    assert "hunter2-value" not in message
    assert secrets.list_secrets() == []
    with pytest.raises(ValidationError):
        secrets.delete_secret("smtp_password")
    # Lookups do not fail on such a backend: they end in the "how to provide it" error.
    with pytest.raises(ValidationError, match="DRIFTCTL_SECRET_SMTP_PASSWORD"):
        secrets.resolve("secret:smtp_password")


def test_plaintext_backends_do_not_count(monkeypatch: pytest.MonkeyPatch) -> None:
    class PlaintextKeyring(MemoryKeyring):
        pass

    monkeypatch.setattr(keyring.core, "_keyring_backend", PlaintextKeyring())
    assert secrets.keyring_usable() is False
    with pytest.raises(ValidationError, match="no system keyring"):
        secrets.set_secret("token", "value")


def test_set_list_delete_keep_an_index_of_names_only(memory_keyring: MemoryKeyring) -> None:
    assert secrets.keyring_usable() is True
    secrets.set_secret("webhook_signing", "sig-value-1")
    secrets.set_secret("slack_webhook", "https://hooks.slack.test/T/B/X")
    secrets.set_secret("slack_webhook", "https://hooks.slack.test/T/B/Y")  # overwrite

    assert secrets.list_secrets() == ["slack_webhook", "webhook_signing"]
    index = memory_keyring.entries[("driftctl", secrets.INDEX_ENTRY)]
    assert json.loads(index) == ["slack_webhook", "webhook_signing"]
    assert "sig-value-1" not in index
    assert secrets.resolve("secret:slack_webhook") == "https://hooks.slack.test/T/B/Y"

    secrets.delete_secret("slack_webhook")
    assert secrets.list_secrets() == ["webhook_signing"]
    assert ("driftctl", "slack_webhook") not in memory_keyring.entries
    with pytest.raises(NotFoundError):
        secrets.delete_secret("slack_webhook")


def test_set_secret_rejects_bad_input(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(ValidationError):
        secrets.set_secret("token", "")
    with pytest.raises(ValidationError):
        secrets.set_secret(secrets.INDEX_ENTRY, "value")
    assert memory_keyring.entries == {}


def test_locked_keyring_is_reported_not_crashed(monkeypatch: pytest.MonkeyPatch) -> None:
    class LockedKeyring(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise KeyringLocked("locked")

        def set_password(self, service: str, username: str, password: str) -> None:
            raise KeyringLocked("locked")

    monkeypatch.setattr(keyring.core, "_keyring_backend", LockedKeyring())
    with pytest.raises(ValidationError, match="DRIFTCTL_SECRET_TOKEN"):
        secrets.resolve("secret:token")
    with pytest.raises(ExternalServiceError) as info:
        secrets.set_secret("token", "locked-secret-value")
    assert "locked-secret-value" not in info.value.message
