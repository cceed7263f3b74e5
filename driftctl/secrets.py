"""Secret lookup for configuration values of the form ``"secret:NAME"`` (SPEC §8).

A secret NAME is looked up, first match wins:

1. ``overrides``: values given on the command line (``--secret NAME=VALUE``);
2. the environment variable ``DRIFTCTL_SECRET_<NAME>`` (upper-cased, every character that is not
   a letter or a digit turned into ``_``), the usual way on CI and cron;
3. the system keyring, service ``driftctl``, user name NAME (``driftctl secret set NAME``).

Secrets are never written in plain text by driftctl: on a machine without a real keyring (the
``fail`` and ``null`` backends, an empty chainer, a plain-text backend), storing one is refused
and the user is pointed at the environment variable instead. ``keyring`` is imported lazily
because finding its backend costs ~200 ms, which commands that need no secret should not pay.

The keyring cannot list its entries, so the *names* (never the values) of the secrets stored by
driftctl are kept as a JSON list under the fixed entry ``(driftctl, INDEX_ENTRY)``.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from driftctl.errors import ExternalServiceError, NotFoundError, ValidationError

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

SECRET_PREFIX = "secret:"
KEYRING_SERVICE = "driftctl"
ENV_PREFIX = "DRIFTCTL_SECRET_"
# Not a valid secret name (names cannot start with "_"), so it never collides with one.
INDEX_ENTRY = "__driftctl_secret_index__"

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$")
_NON_ALNUM_RE = re.compile(r"[^A-Za-z0-9]")


def is_secret_ref(value: object) -> bool:
    """Tell whether a configuration value is a ``"secret:NAME"`` reference."""
    return isinstance(value, str) and value.startswith(SECRET_PREFIX)


def env_var_name(name: str) -> str:
    """Return the environment variable that holds secret NAME (``DRIFTCTL_SECRET_<NAME>``)."""
    return ENV_PREFIX + _NON_ALNUM_RE.sub("_", name).upper()


def validate_name(name: str) -> str:
    """Return NAME if it is a usable secret name; raises ValidationError otherwise."""
    if not _NAME_RE.match(name):
        raise ValidationError(
            f"invalid secret name {name[:40]!r}: use 1-128 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit"
        )
    return name


def resolve(value: str, *, overrides: Mapping[str, str] | None = None) -> str:
    """Return the secret a ``"secret:NAME"`` value refers to, or VALUE itself.

    Raises ValidationError, naming the environment variable and the ``driftctl secret set``
    command, when the secret is found nowhere.
    """
    if not is_secret_ref(value):
        return value
    name = value[len(SECRET_PREFIX) :].strip()
    if not name:
        raise ValidationError("empty secret reference 'secret:': write 'secret:NAME'")
    validate_name(name)

    found = _from_overrides(name, overrides)
    if found is not None:
        return found
    env = env_var_name(name)
    found = _from_env(env)
    if found is not None:
        return found
    found = _from_keyring(name)
    if found is not None:
        return found

    note = "" if keyring_usable() else " (no system keyring is available on this machine)"
    raise ValidationError(
        f"secret {name!r} is not set: set the environment variable {env}, "
        f"or store it with `driftctl secret set {name}`{note}"
    )


def keyring_usable() -> bool:
    """Tell whether a real keyring backend is available (not fail, null or plain text)."""
    return usable_backend() is not None


def set_secret(name: str, value: str) -> None:
    """Store secret NAME in the keyring.

    Raises ValidationError for a bad name or empty value, or when no real keyring is available
    (never falls back to plain text); ExternalServiceError when the keyring refuses.
    """
    validate_name(name)
    if not value:
        raise ValidationError(f"secret {name!r} would be empty: give a value")
    backend = _require_backend(name)
    from keyring.errors import KeyringError

    try:
        backend.set_password(KEYRING_SERVICE, name, value)
    except KeyringError as exc:
        raise ExternalServiceError(
            f"the keyring refused to store secret {name!r} ({type(exc).__name__})"
        ) from None
    names = set(_read_index(backend))
    if name not in names:
        _write_index(backend, sorted(names | {name}))


def delete_secret(name: str) -> None:
    """Remove secret NAME from the keyring.

    Raises NotFoundError when it is not stored there, ValidationError when no keyring is
    available, ExternalServiceError when the keyring refuses.
    """
    validate_name(name)
    backend = _require_backend(name)
    from keyring.errors import KeyringError, PasswordDeleteError

    names = _read_index(backend)
    try:
        stored = backend.get_password(KEYRING_SERVICE, name) is not None
        if stored:
            backend.delete_password(KEYRING_SERVICE, name)
    except PasswordDeleteError:
        stored = False
    except KeyringError as exc:
        raise ExternalServiceError(
            f"the keyring refused to delete secret {name!r} ({type(exc).__name__})"
        ) from None
    if name in names:
        _write_index(backend, [n for n in names if n != name])
    elif not stored:
        raise NotFoundError(f"secret {name!r} is not stored in the keyring")


def list_secrets() -> list[str]:
    """Return the sorted names of the secrets stored with set_secret ([] without a keyring)."""
    backend = usable_backend()
    if backend is None:
        return []
    return sorted(_read_index(backend))


def _from_overrides(name: str, overrides: Mapping[str, str] | None) -> str | None:
    if not overrides:
        return None
    if overrides.get(name):
        return overrides[name]
    # `--secret SLACK_WEBHOOK=…` should match `secret:slack_webhook` as the env var would.
    wanted = env_var_name(name)
    for key, val in overrides.items():
        if val and env_var_name(key) == wanted:
            return val
    return None


def _from_env(env: str) -> str | None:
    # An empty variable is treated as unset: an empty URL or key is never what was meant.
    return os.environ.get(env) or None


def _from_keyring(name: str) -> str | None:
    backend = usable_backend()
    if backend is None:
        return None
    from keyring.errors import KeyringError

    try:
        return backend.get_password(KEYRING_SERVICE, name) or None
    except KeyringError as exc:
        # A locked or broken keyring is reported as "not found" with the env var hint.
        log.debug("keyring lookup of secret %r failed: %s", name, type(exc).__name__)
        return None


def usable_backend() -> KeyringBackend | None:
    """A keyring that really stores secrets, or None (fail, null, empty chainer, plain text)."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:  # pragma: no cover - keyring is a dependency
        return None
    try:
        backend = keyring.get_keyring()
    except (KeyringError, ValueError, ImportError, RuntimeError) as exc:
        # A bad PYTHON_KEYRING_BACKEND value or a broken backend plugin.
        log.debug("no keyring backend: %s", type(exc).__name__)
        return None
    return backend if _is_real(backend) else None


def _is_real(backend: KeyringBackend) -> bool:
    from keyring.backends import chainer, fail, null

    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        # An empty chainer behaves like the null backend: set_password silently drops.
        return any(_is_real(b) for b in backend.backends)
    # keyrings.alt's PlaintextKeyring keeps base64 "plain text" in a file.
    return "plaintext" not in type(backend).__name__.lower()


def _require_backend(name: str) -> KeyringBackend:
    backend = usable_backend()
    if backend is None:
        raise ValidationError(
            f"no system keyring is available on this machine, so secret {name!r} cannot be "
            f"stored: set the environment variable {env_var_name(name)} instead"
        )
    return backend


def _read_index(backend: KeyringBackend) -> list[str]:
    from keyring.errors import KeyringError

    try:
        raw = backend.get_password(KEYRING_SERVICE, INDEX_ENTRY)
    except KeyringError as exc:
        raise ExternalServiceError(
            f"the keyring refused to read driftctl's secret index ({type(exc).__name__})"
        ) from None
    if not raw:
        return []
    try:
        data = json.loads(raw)
    except ValueError:
        log.warning("driftctl's secret index in the keyring is unreadable; starting a new one")
        return []
    if not isinstance(data, list):
        return []
    return [n for n in data if isinstance(n, str) and _NAME_RE.match(n)]


def _write_index(backend: KeyringBackend, names: list[str]) -> None:
    from keyring.errors import KeyringError

    try:
        backend.set_password(KEYRING_SERVICE, INDEX_ENTRY, json.dumps(sorted(set(names))))
    except KeyringError as exc:
        raise ExternalServiceError(
            f"the keyring refused to update driftctl's secret index ({type(exc).__name__})"
        ) from None
