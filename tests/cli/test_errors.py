"""Bad input: one clear line on stderr, the right exit code, nothing written (SPEC §6, §9)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.probe import DbProbe

REASON = "intended change for the launch"
UNREACHABLE = "postgresql://x@127.0.0.1:1/x"
SPEC_CODES = {
    "VALIDATION_ERROR",
    "NOT_FOUND",
    "CONFLICT",
    "FORBIDDEN",
    "EXTERNAL_SERVICE_ERROR",
    "DATABASE_ERROR",
}


def _one_line_error(result: Any) -> str:
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    line: str = lines[0]
    return line


def _json_error(result: Any) -> dict[str, Any]:
    line = _one_line_error(result)
    body = json.loads(line)
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    error: dict[str, Any] = body["error"]
    return error


# Each case: arguments after "--db URL", expected exit code, JSON error code, text in the message.
# Typer's own usage errors (unknown flag, missing argument) are covered in test_usage_errors.py.
BAD_INPUT: list[tuple[list[str], int, str, str]] = [
    (
        ["approve", "00000000-0000-4000-8000-000000000000", "--reason", REASON],
        3,
        "NOT_FOUND",
        "no drift",
    ),
    (["approve", "ffffffff", "--reason", REASON], 3, "NOT_FOUND", "no drift"),
    (["show", "not-a-uuid!"], 2, "VALIDATION_ERROR", "invalid drift id"),
    (["approve", "{id}", "--reason", "short"], 2, "VALIDATION_ERROR", "--reason"),
    (["approve", "{id}"], 2, "VALIDATION_ERROR", "--reason"),
    (["reject", "{id}", "--reason", " "], 2, "VALIDATION_ERROR", "--reason"),
    (["list", "--status", "open"], 2, "VALIDATION_ERROR", "--status"),
    (["list", "--severity", "high"], 2, "VALIDATION_ERROR", "--severity"),
    (["list", "--type", "LAMBDA"], 2, "VALIDATION_ERROR", "--type"),
    (["list", "--drift-type", "changed"], 2, "VALIDATION_ERROR", "--drift-type"),
    (["list", "--status", "detected,bogus"], 2, "VALIDATION_ERROR", "bogus"),
    (["list", "--limit", "0"], 2, "VALIDATION_ERROR", "--limit"),
    (["list", "--limit", "101"], 2, "VALIDATION_ERROR", "--limit"),
    (["list", "--since", "garbage"], 2, "VALIDATION_ERROR", "--since"),
    (["list", "--since", "7 days ago"], 2, "VALIDATION_ERROR", "--since"),
    (["list", "--sort", "name"], 2, "VALIDATION_ERROR", "sort"),
    (["list", "-o", "sarif"], 2, "VALIDATION_ERROR", "-o sarif"),
    (["audit", "--since", "garbage"], 2, "VALIDATION_ERROR", "--since"),
    (["audit", "--limit", "0"], 2, "VALIDATION_ERROR", "--limit"),
    (["audit", "--drift", "ffffffff"], 3, "NOT_FOUND", "no drift"),
    (["audit", "verify", "--anchor", "nonsense"], 2, "VALIDATION_ERROR", "--anchor"),
    (["--log-format", "xml", "list"], 2, "VALIDATION_ERROR", "--log-format"),
    (["list", "--page", "9223372036854775808"], 2, "VALIDATION_ERROR", "--page"),
    (["list", "--page", "9" * 40, "--limit", "100"], 2, "VALIDATION_ERROR", "--page"),
    (["audit", "--page", "9223372036854775808"], 2, "VALIDATION_ERROR", "--page"),
    (["user", "list", "--page", "9223372036854775808"], 2, "VALIDATION_ERROR", "--page"),
    (["list", "--since", "99999999d"], 2, "VALIDATION_ERROR", "--since"),
    (["list", "--since", "9" * 30 + "d"], 2, "VALIDATION_ERROR", "--since"),
    (["list", "--since", "9" * 30], 2, "VALIDATION_ERROR", "--since"),
    (["audit", "--since", "99999999w"], 2, "VALIDATION_ERROR", "--since"),
]


@pytest.mark.parametrize(
    ("args", "code", "json_code", "text"), BAD_INPUT, ids=[" ".join(c[0]) for c in BAD_INPUT]
)
def test_bad_input(
    cli: Any, db: DbProbe, args: list[str], code: int, json_code: str, text: str
) -> None:
    drift_id = db.add()
    db.add(status="approved")
    from driftctl.services import drifts

    drifts.triage(db.ctx, [db.add()])  # some audit history that must stay as it is
    before = db.snapshot()
    argv = [a.replace("{id}", drift_id) for a in args]

    result = cli(["--db", db.url, *argv])
    assert result.exit_code == code, result.stderr
    line = _one_line_error(result)
    assert line.startswith("error: ")
    assert text in line

    as_json = cli(["--db", db.url, "-o", "json", *argv])
    if "-o" in argv:  # the command's own -o wins; still an error
        assert as_json.exit_code == code
    else:
        assert as_json.exit_code == code
        error = _json_error(as_json)
        assert error["code"] == json_code
        assert error["code"] in SPEC_CODES
        assert text in error["message"]
    assert db.snapshot() == before


@pytest.mark.parametrize("output", [None, "json"])
def test_unreachable_database_exits_6_in_one_line(cli: Any, output: str | None) -> None:
    url = "postgresql://driftctl:s3cr3t-pa55@127.0.0.1:1/driftctl"
    result = cli(["--db", url, "list", *(["-o", output] if output else [])])
    assert result.exit_code == 6
    if output:
        error = _json_error(result)
        assert error["code"] == "DATABASE_ERROR"
        text = error["message"]
    else:
        text = _one_line_error(result)
    assert "127.0.0.1" in text
    assert "s3cr3t-pa55" not in result.stderr


def test_unreachable_database_without_password(cli: Any) -> None:
    result = cli(["--db", UNREACHABLE, "approve", "abcdef12", "--reason", REASON])
    assert result.exit_code == 6
    line = _one_line_error(result)
    assert line.startswith("error: database ")


def test_database_url_from_environment_is_redacted(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DRIFTCTL_DATABASE_URL", "postgres://admin:hunter2hunter2@127.0.0.1:1/db")
    result = cli(["list"])
    assert result.exit_code == 6
    assert "hunter2hunter2" not in result.stderr
    _one_line_error(result)


def test_invalid_database_url_is_a_clean_error(cli: Any) -> None:
    result = cli(["--db", "mysql+nodriver://u:topsecret1@h/db", "list"])
    assert result.exit_code == 2
    assert "topsecret1" not in result.stderr
    assert "sqlite:///PATH" in _one_line_error(result)


@pytest.mark.parametrize(
    "content",
    ["this is = not [toml", 'notify = "slack"\n', 'log_format = "yaml"\n'],
    ids=["syntax", "wrong-type", "bad-value"],
)
def test_malformed_config_file_exits_2(cli: Any, db: DbProbe, tmp_path: Path, content: str) -> None:
    drift_id = db.add()
    before = db.snapshot()
    config = tmp_path / "driftctl.toml"
    config.write_text(content)

    result = cli(["--db", db.url, "--config", str(config), "approve", drift_id, "--reason", REASON])

    assert result.exit_code == 2, result.stderr
    line = _one_line_error(result)
    assert line.startswith("error: ")
    assert db.snapshot() == before


@pytest.mark.parametrize(
    ("content", "text"),
    [
        (b"a = " + b"[" * 5000 + b"]" * 5000, "nested too deeply"),
        (b"a = " + b"{b = " * 5000 + b"1" + b"}" * 5000, "nested too deeply"),
        (b"[" + b".".join([b"scan"] * 5000) + b"]\n", "levels deep"),
        (b'[alerts]\nmin_severity = "crit\xffcal"\n', "not UTF-8"),
        (b"\xff\xfe[\x00a\x00]\x00", "not UTF-8"),
    ],
    ids=["arrays-5000-deep", "inline-tables-5000-deep", "tables-5000-deep", "latin-1", "utf-16"],
)
def test_config_too_deep_or_not_utf8_exits_2(
    cli: Any, db: DbProbe, tmp_path: Path, content: bytes, text: str
) -> None:
    config = tmp_path / "driftctl.toml"
    config.write_bytes(content)

    result = cli(["--db", db.url, "--config", str(config), "list"])

    assert result.exit_code == 2, result.stderr
    line = _one_line_error(result)
    assert line.startswith(f"error: {config}: ") and text in line
    assert "internal error" not in line


def test_malformed_config_in_working_directory_exits_2(cli: Any, db: DbProbe) -> None:
    """./driftctl.toml is read without --config (the autouse fixture made cwd a temp dir)."""
    Path("driftctl.toml").write_text("[[[")
    result = cli(["--db", db.url, "list"])
    assert result.exit_code == 2
    assert "driftctl.toml" in _one_line_error(result)


def test_missing_config_file_exits_2(cli: Any, db: DbProbe, tmp_path: Path) -> None:
    result = cli(["--db", db.url, "--config", str(tmp_path / "nope.toml"), "list"])
    assert result.exit_code == 2
    assert "not found" in _one_line_error(result)


# --- unexpected errors -----------------------------------------------------------------------


def _explode(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("kaboom: the service fell over")


@pytest.mark.parametrize(
    ("target", "args"),
    [
        ("driftctl.services.drifts.list_drifts", ["list"]),
        ("driftctl.services.drifts.approve", ["approve", "abcdef12", "--reason", REASON]),
        ("driftctl.services.audit.verify", ["audit", "verify"]),
    ],
    ids=["list", "approve", "audit-verify"],
)
def test_internal_error_exits_2_not_1(
    cli: Any, db: DbProbe, monkeypatch: pytest.MonkeyPatch, target: str, args: list[str]
) -> None:
    monkeypatch.setattr(target, _explode)
    result = cli(["--db", db.url, *args])
    assert result.exit_code == 2
    line = _one_line_error(result)
    assert "RuntimeError" in line and "kaboom" in line
    assert "--debug" in line

    as_json = cli(["--db", db.url, "-o", "json", *args])
    assert as_json.exit_code == 2
    assert "kaboom" in _json_error(as_json)["message"]


def test_internal_error_with_debug_shows_the_traceback(
    cli: Any, db: DbProbe, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--debug adds the traceback but still exits 2: exit 1 would read as "drift found"."""
    monkeypatch.setattr("driftctl.services.drifts.list_drifts", _explode)
    result = cli(["--db", db.url, "list", "--debug"])
    assert result.exit_code == 2
    assert "Traceback" in result.stderr
    assert "kaboom" in result.stderr
    assert result.stdout == ""


def test_debug_prints_traceback_for_driftctl_errors(cli: Any, db: DbProbe) -> None:
    result = cli(["--db", db.url, "--debug", "show", "ffffffff"])
    assert result.exit_code == 3
    assert "Traceback" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("error: no drift")
