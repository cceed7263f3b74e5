"""What ``--db`` may point at: the URL schemes that work, SQLite files and their directories."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest


def _error(result: Any, code: int) -> str:
    assert result.exit_code == code, result.stderr
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and "Traceback" not in line
    return str(line)


@pytest.mark.parametrize(
    "url",
    ["mysql://app:pw-123456@db.internal/driftctl", "mysql+pymysql://h/db", "oracle://h/db"],
)
def test_unsupported_scheme_names_the_schemes_that_work(cli: Any, url: str) -> None:
    line = _error(cli(["--db", url, "list"]), 2)
    scheme = url.split("://")[0]
    assert f"unsupported database URL scheme '{scheme}'" in line
    assert "sqlite:///PATH" in line and "postgresql://" in line
    assert "pw-123456" not in line

    as_json = cli(["--db", url, "-o", "json", "list"])
    assert as_json.exit_code == 2
    assert json.loads(as_json.stderr)["error"]["code"] == "VALIDATION_ERROR"


def test_unsupported_scheme_from_the_environment(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRIFTCTL_DATABASE_URL", "mysql://h/db")
    assert "unsupported database URL scheme" in _error(cli(["list"]), 2)


@pytest.mark.parametrize("as_plain_path", [False, True], ids=["url", "plain-path"])
def test_a_file_that_is_not_a_database(cli: Any, tmp_path: Path, as_plain_path: bool) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n")
    url = str(notes) if as_plain_path else f"sqlite:///{notes}"
    assert f"{notes} is not a SQLite database" in _error(cli(["--db", url, "list"]), 2)
    assert notes.read_text() == "not a database\n"


def test_a_directory_is_not_a_database(cli: Any, tmp_path: Path) -> None:
    assert "is a directory" in _error(cli(["--db", f"sqlite:///{tmp_path}", "list"]), 2)


def test_a_damaged_database_exits_6(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "damaged.db"
    assert cli(["--db", f"sqlite:///{path}", "list"]).exit_code == 0
    data = bytearray(path.read_bytes())
    data[100:] = b"\xff" * (len(data) - 100)  # keep the header, ruin the pages
    path.write_bytes(bytes(data))
    assert "malformed" in _error(cli(["--db", f"sqlite:///{path}", "list"]), 6)


@pytest.mark.parametrize("command", [["list"], ["db", "upgrade"], ["db", "seed"]])
def test_missing_directory_is_an_error_and_creates_nothing(
    cli: Any, tmp_path: Path, command: list[str]
) -> None:
    target = tmp_path / "missing" / "dir" / "x.db"
    line = _error(cli(["--db", f"sqlite:///{target}", *command]), 2)
    assert f"directory {target.parent} does not exist" in line
    assert not (tmp_path / "missing").exists()


def test_an_existing_directory_gets_a_new_database(cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "x.db"
    assert cli(["--db", f"sqlite:///{target}", "list"]).exit_code == 0
    assert target.read_bytes().startswith(b"SQLite format 3\x00")


def test_default_database_creates_its_own_directory(cli: Any) -> None:
    data_home = Path(os.environ["XDG_DATA_HOME"])
    assert not data_home.exists()
    result = cli(["list"])
    assert result.exit_code == 0, result.stderr
    assert (data_home / "driftctl" / "driftctl.db").is_file()
