"""Settings from DRIFTCTL_* variables: flags beat them, they beat driftctl.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftctl.config import load_settings
from driftctl.errors import ValidationError


def test_env_beats_the_file_and_the_flag_beats_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "driftctl.toml").write_text(
        'log_format = "text"\n[database]\nurl = "sqlite:///file.db"\n'
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DRIFTCTL_LOG_FORMAT", "json")
    monkeypatch.setenv("DRIFTCTL_DATABASE_URL", "postgres://u@h/env")
    settings = load_settings()
    assert settings.log_format == "json"
    assert settings.database_url == "postgresql+psycopg://u@h/env"
    assert load_settings(database_url="sqlite:///flag.db").database_url == "sqlite:///flag.db"


def test_variable_names_are_read_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("driftctl_log_format", "json")
    assert load_settings().log_format == "json"


def test_a_table_variable_holds_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRIFTCTL_SCAN", '{"regions": ["eu-west-1"]}')
    assert load_settings().scan == {"regions": ["eu-west-1"]}
    monkeypatch.setenv("DRIFTCTL_SCAN", "regions=eu-west-1")
    with pytest.raises(ValidationError, match="DRIFTCTL_SCAN must hold a JSON object"):
        load_settings()
    monkeypatch.setenv("DRIFTCTL_SCAN", '["eu-west-1"]')
    with pytest.raises(ValidationError, match="invalid setting scan: must be a table"):
        load_settings()


def test_a_bad_value_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRIFTCTL_LOG_FORMAT", "xml")
    with pytest.raises(ValidationError, match=r"invalid setting log_format: .*'text' or 'json'"):
        load_settings()


def test_the_default_database_is_in_the_user_data_directory() -> None:
    from driftctl.config import default_database_url

    assert load_settings().database_url == default_database_url()
