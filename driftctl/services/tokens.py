"""Where this machine keeps a login's session token, one per database.

1. The system keyring, service ``driftctl``, under an entry derived from the database URL (so
   two databases keep two separate logins).
2. On a machine without a usable keyring (a server, an SSH box, CI), a JSON file in the user
   config directory, ``session-tokens.json``, readable only by its owner (0600) — the GitHub
   CLI does the same. ``driftctl logout`` removes the token from it.

A keyring that exists but refuses (locked) is an error, not a reason to write the token to a
file. ``keyring`` is imported lazily: finding its backend is slow, and local mode never needs it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

from driftctl.errors import ExternalServiceError, ValidationError

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

KEYRING_SERVICE = "driftctl"
TOKEN_FILENAME = "session-tokens.json"
Store = Literal["keyring", "file"]
T = TypeVar("T")


def keyring_entry(database_url: str) -> str:
    """The entry name holding the token for this database (no password in it)."""
    from sqlalchemy.engine import make_url

    from driftctl.db.engine import normalize_url, redact_url

    url = normalize_url(database_url)
    try:
        parsed = make_url(url)
        if parsed.drivername.startswith("sqlite") and parsed.database not in (None, ":memory:"):
            # One file reached by two relative paths is one database.
            url = parsed.set(database=str(Path(parsed.database or "").resolve())).render_as_string()
    except Exception:
        pass
    digest = hashlib.sha256(redact_url(url).encode()).hexdigest()[:32]
    return f"session-token:{digest}"


def token_file() -> Path:
    from driftctl.config import user_config_dir

    return user_config_dir() / TOKEN_FILENAME


def store_for_new_token() -> Store:
    """Where a new login's token goes on this machine."""
    return "keyring" if _backend() is not None else "file"


def load(database_url: str) -> tuple[str, Store] | None:
    """The saved token for this database and where it was found, or None."""
    entry = keyring_entry(database_url)
    backend = _backend()
    if backend is not None:
        ok, token = _keyring_call(lambda: backend.get_password(KEYRING_SERVICE, entry), "read")
        if ok and token:
            return token, "keyring"
    token = _read_file().get(entry)
    return (token, "file") if token else None


def save(database_url: str, token: str) -> Store:
    """Keep ``token`` for this database; returns where.

    Raises ExternalServiceError when the keyring refuses, ValidationError when the token file
    cannot be written.
    """
    entry = keyring_entry(database_url)
    backend = _backend()
    if backend is not None:
        saved, _ = _keyring_call(
            lambda: backend.set_password(KEYRING_SERVICE, entry, token), "write"
        )
        if not saved:
            raise ExternalServiceError(
                "the system keyring refused to store the login token: unlock it, or use "
                "--print-token and pass the token in DRIFTCTL_TOKEN"
            )
        return "keyring"
    tokens = _read_file()
    tokens[entry] = token
    _write_file(tokens)
    return "file"


def delete(database_url: str) -> bool:
    """Forget this database's token wherever it is kept; True if one was removed."""
    entry = keyring_entry(database_url)
    removed = False
    backend = _backend()
    if backend is not None:
        ok, stored = _keyring_call(lambda: backend.get_password(KEYRING_SERVICE, entry), "read")
        if ok and stored:
            removed, _ = _keyring_call(
                lambda: backend.delete_password(KEYRING_SERVICE, entry), "delete"
            )
    tokens = _read_file()
    if tokens.pop(entry, None) is not None:
        _write_file(tokens)
        removed = True
    return removed


def _backend() -> KeyringBackend | None:
    from driftctl.secrets import usable_backend

    return usable_backend()


def _keyring_call(fn: Callable[[], T], what: str) -> tuple[bool, T | None]:
    """Run one keyring operation: (True, result), or (False, None) when the keyring failed."""
    from keyring.errors import KeyringError

    try:
        return True, fn()
    except (KeyringError, RuntimeError, OSError) as exc:
        log.debug("keyring %s failed: %s", what, type(exc).__name__)
        return False, None


def _read_file() -> dict[str, str]:
    from driftctl.files import PRIVATE_FILE, tighten

    path = token_file()
    try:
        raw = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("cannot read the token file %s: %s", path, type(exc).__name__)
        return {}
    tighten(path, PRIVATE_FILE)
    try:
        data = json.loads(raw)
    except ValueError:
        log.warning("the token file %s is not valid JSON; ignoring it", path)
        return {}
    tokens = data.get("tokens") if isinstance(data, dict) else None
    if not isinstance(tokens, dict):
        return {}
    return {str(k): v for k, v in tokens.items() if isinstance(v, str)}


def _write_file(tokens: dict[str, str]) -> None:
    from driftctl.files import write_private

    path = token_file()
    body = json.dumps({"version": 1, "tokens": tokens}, indent=2, sort_keys=True) + "\n"
    try:
        write_private(path, body)
    except OSError as exc:
        raise ValidationError(
            f"cannot write the token file {path}: {exc.strerror or exc} (use --print-token "
            "and pass the token in DRIFTCTL_TOKEN)"
        ) from None
