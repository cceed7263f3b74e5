"""Typed settings, built on demand (never at import time).

Lookup order, first match wins:
  1. command-line flags (``--db``, ``--config``, ...)
  2. environment variables (``DRIFTCTL_DATABASE_URL``, ...; see ENV_VARS)
  3. ``./driftctl.toml``
  4. ``driftctl.toml`` in the user config directory (``platformdirs.user_config_dir("driftctl")``)
  5. defaults (a SQLite file in the user data directory)

The environment is read here (``env_values``) and the values checked by ``Settings`` itself,
without pydantic or pydantic-settings, whose imports alone cost every command more than building
these settings does.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from driftctl.errors import ValidationError

APP_NAME = "driftctl"
CONFIG_FILENAME = "driftctl.toml"

# Every environment variable driftctl reads, in one place (shown in --help and the README).
ENV_VARS = {
    "DRIFTCTL_DATABASE_URL": "database URL (default: a SQLite file in the user data dir)",
    "DRIFTCTL_CONFIG": "path of driftctl.toml",
    "DRIFTCTL_LOG_FORMAT": "text or json",
    "DRIFTCTL_TOKEN": "team-mode session token (CI)",
    "DRIFTCTL_SECRET_<NAME>": "value of the secret NAME used by a 'secret:NAME' config value",
    "NO_COLOR": "disable colour",
}


def user_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def user_config_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def user_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def default_database_url() -> str:
    return f"sqlite:///{user_data_dir() / 'driftctl.db'}"


def find_config_file(explicit: str | Path | None) -> Path | None:
    """The config file to read: explicit path (must exist), ./driftctl.toml, user config dir."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ValidationError(f"config file not found: {path}")
        return path
    for candidate in (Path.cwd() / CONFIG_FILENAME, user_config_dir() / CONFIG_FILENAME):
        if candidate.is_file():
            return candidate
    return None


# Far beyond any real driftctl.toml; deeper documents are refused before anything walks them.
MAX_CONFIG_DEPTH = 32


def read_config_file(path: Path | None) -> dict[str, Any]:
    """The TOML document at ``path`` ({} for None); ValidationError naming the file and why."""
    if path is None:
        return {}
    import tomllib  # only when there is a file: most runs have none

    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{path}: not UTF-8 text (byte {exc.start} cannot be decoded); TOML files are UTF-8"
        ) from None
    except RecursionError:
        raise ValidationError(f"{path}: nested too deeply to be a driftctl config") from None
    except OSError as exc:
        raise ValidationError(f"{path}: cannot read: {exc.strerror}") from None
    if _depth(data) > MAX_CONFIG_DEPTH:
        raise ValidationError(
            f"{path}: nested more than {MAX_CONFIG_DEPTH} levels deep; not a driftctl config"
        )
    return data


def _depth(value: Any) -> int:
    """How deeply tables and arrays nest in ``value`` (walked without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > MAX_CONFIG_DEPTH:
                    return depth + 1
                stack.append((child, depth + 1))
        deepest = max(deepest, depth)
    return deepest


ENV_PREFIX = "DRIFTCTL_"


@dataclass
class Settings:
    """driftctl's settings; the TOML file's sections are kept as plain mappings.

    A dataclass checked in ``__post_init__`` rather than a pydantic model: every command builds
    one, and importing pydantic costs a read command more than all of its own work.
    """

    database_url: str = field(default_factory=default_database_url)
    log_format: str = "text"
    config_path: Path | None = None
    # Sections of driftctl.toml read by the parts that need them.
    notify: dict[str, Any] = field(default_factory=dict)
    severity: dict[str, Any] = field(default_factory=dict)
    scan: dict[str, Any] = field(default_factory=dict)
    alerts: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from driftctl.db.engine import normalize_url

        for name in ("database_url", "log_format"):
            if not isinstance(getattr(self, name), str):
                raise _InvalidSetting(name, "must be a string")
        for name in TABLES:
            if not isinstance(getattr(self, name), dict):
                raise _InvalidSetting(name, "must be a table (in the environment: a JSON object)")
        if self.log_format not in ("text", "json"):
            raise _InvalidSetting("log_format", "log format must be 'text' or 'json'")
        if self.config_path is not None:
            self.config_path = Path(self.config_path)
        self.database_url = normalize_url(self.database_url)


class _InvalidSetting(Exception):
    def __init__(self, name: str, why: str) -> None:
        super().__init__(f"{name}: {why}")
        self.name, self.why = name, why


# The settings that are TOML tables: their environment variables hold a JSON object.
TABLES = ("notify", "severity", "scan", "alerts")


def env_values() -> dict[str, Any]:
    """Settings from ``DRIFTCTL_<NAME>`` variables (the name in any case); ValidationError for a
    table's variable that is not JSON."""
    import json
    import os

    names = {f"{ENV_PREFIX}{f.name.upper()}": f.name for f in fields(Settings)}
    out: dict[str, Any] = {}
    for key, value in os.environ.items():
        name = names.get(key.upper())
        if name is None:
            continue
        if name in TABLES:
            try:
                out[name] = json.loads(value)
            except ValueError:
                raise ValidationError(
                    f"invalid setting {name}: {key} must hold a JSON object"
                ) from None
        else:
            out[name] = value
    return out


def load_settings(
    *, config_path: str | Path | None = None, database_url: str | None = None
) -> Settings:
    """Build settings from flags, env, and the config file; ValidationError on bad values."""
    import os

    path = find_config_file(config_path or os.environ.get("DRIFTCTL_CONFIG"))
    data = read_config_file(path)
    file_values: dict[str, Any] = {k: v for k, v in data.items() if k in TABLES}
    db_section = data.get("database", {})
    if isinstance(db_section, dict) and "url" in db_section:
        file_values["database_url"] = db_section["url"]
    if "log_format" in data:
        file_values["log_format"] = data["log_format"]
    # Env beats the file: drop file values an environment variable sets.
    for key in list(file_values):
        if f"DRIFTCTL_{key.upper()}" in os.environ:
            del file_values[key]
    if database_url:
        file_values["database_url"] = database_url
    where = f" in {path}" if path else ""
    try:
        check_sections(data)
    except ValidationError as exc:
        raise ValidationError(f"{exc.message}{where}", details=exc.details) from None
    try:
        return Settings(**{**env_values(), **file_values, "config_path": path})
    except _InvalidSetting as exc:
        raise ValidationError(f"invalid setting {exc.name}: {exc.why}{where}") from None


# The top-level keys and tables of driftctl.toml, and the keys of the flat tables.
TOP_LEVEL = ("database", "log_format", "severity", "alerts", "notify", "scan")
_TABLE_KEYS: dict[str, tuple[str, ...]] = {"database": ("url",), "severity": ("rules",), "scan": ()}


def check_sections(data: dict[str, Any]) -> None:
    """Validate the whole document once, at load: unknown keys are refused with the key named
    (and the closest known one), and each table is checked by the part that reads it, so a
    typo fails every command alike instead of only the one that happens to read that table.
    """
    _refuse_unknown("", data, TOP_LEVEL)
    for table, keys in _TABLE_KEYS.items():
        section = data.get(table)
        if section is None:
            continue
        if not isinstance(section, dict):
            raise ValidationError(f"invalid configuration: {table} must be a table ([{table}])")
        _refuse_unknown(f"{table}.", section, keys)
    if "severity" in data:
        from driftctl.diff.severity import rules_from_config

        rules_from_config(data["severity"].get("rules", []))
    if "alerts" in data:
        from driftctl.notify.rules import alert_rules

        if not isinstance(data["alerts"], dict):
            raise ValidationError("invalid configuration: alerts must be a table ([alerts])")
        alert_rules(data["alerts"])
    if "notify" in data:
        from driftctl.notify import from_mapping

        from_mapping(data["notify"])


def _refuse_unknown(prefix: str, table: dict[str, Any], known: tuple[str, ...]) -> None:
    import difflib

    for key in table:
        if key in known:
            continue
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"; did you mean {prefix}{close[0]}?" if close else ""
        listed = ", ".join(known) if known else "none yet"
        raise ValidationError(
            f"invalid configuration: {prefix}{key}: unknown setting{hint} (known: {listed})"
        )


@functools.cache
def get_settings() -> Settings:
    return load_settings()
