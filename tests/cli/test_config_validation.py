"""driftctl.toml is validated whole when it is loaded: a typo or a bad value fails every command
alike, with one line naming the key (and the closest known one) and the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cli.probe import DbProbe


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (
            '[alerts]\nmin_severty = "critical"\n',
            "alerts.min_severty: unknown setting; did you mean alerts.min_severity?",
        ),
        ('[alerts]\nmin_severity = "high"\n', "alerts.min_severity: use critical, warning or info"),
        ('log_formt = "json"\n', "log_formt: unknown setting; did you mean log_format?"),
        ('[databse]\nurl = "sqlite://"\n', "databse: unknown setting; did you mean database?"),
        (
            '[database]\nuri = "sqlite://"\n',
            "database.uri: unknown setting; did you mean database.url?",
        ),
        ("[severity]\nrule = []\n", "severity.rule: unknown setting; did you mean severity.rules?"),
        ('[[severity.rules]]\nresource_type = "EC2"\nseverity = "loud"\n', "severity rule 1"),
        (
            '[notify.slack]\nwebhook_url = "https://h.example/x"\nmin_severty = "info"\n',
            "min_severty",
        ),
        ("alerts = 3\n", "alerts must be a table"),
    ],
)
@pytest.mark.parametrize(
    "command",
    [["list"], ["alerts"]],
    ids=["list", "alerts"],
)
def test_a_bad_config_fails_every_command_with_the_key_named(
    cli: Any, db: DbProbe, tmp_path: Path, content: str, named: str, command: list[str]
) -> None:
    config = tmp_path / "driftctl.toml"
    config.write_text(content)

    result = cli(["--db", db.url, "--config", str(config), *command])

    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert named in line
    assert str(config) in line


def test_the_example_config_is_valid(
    cli: Any, db: DbProbe, monkeypatch: pytest.MonkeyPatch
) -> None:
    example = Path(__file__).parents[2] / "examples" / "driftctl.toml"
    monkeypatch.setenv("DRIFTCTL_SECRET_SLACK_WEBHOOK", "https://hooks.example.com/x")

    result = cli(["--db", db.url, "--config", str(example), "list"])

    assert result.exit_code == 0, result.stderr
