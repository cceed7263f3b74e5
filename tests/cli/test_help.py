"""--help reads well: real metavars, every option described, whole command descriptions."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer

from driftctl.cli import app as app_module
from driftctl.cli.app import build_app
from driftctl.cli.help_format import tidy
from tests.conftest import run_cli


def _commands() -> list[tuple[list[str], Any]]:
    out: list[tuple[list[str], Any]] = []

    def walk(command: Any, path: list[str]) -> None:
        out.append((path, command))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(tidy(typer.main.get_command(build_app())), [])
    return out


COMMANDS = _commands()


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p) or "top")
def test_help_has_real_metavars_and_no_type_noise(path: list[str]) -> None:
    result = run_cli([*path, "--help"])

    assert result.exit_code == 0, result.stderr
    assert not re.search(r"<(str|int|list|float|bool|Path)[^>]*>", result.stdout), result.stdout
    assert "{" not in result.stdout.split("\n", 1)[0]  # the usage line: `ID...`, not `{ID}`
    assert "..." not in re.sub(r"(\w|\])\.\.\.", "", result.stdout)  # nothing cut off


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p) or "top")
def test_every_option_and_argument_is_described(path: list[str]) -> None:
    command = dict((tuple(p), c) for p, c in COMMANDS)[tuple(path)]

    missing = [
        getattr(p, "opts", None) or p.name
        for p in command.params
        if not getattr(p, "hidden", False) and not (p.help or "").strip()
    ]

    assert missing == []


def test_top_level_help_gives_examples_and_points_at_the_demo() -> None:
    result = run_cli(["--help"])

    assert "Examples:\n    driftctl scan --from terraform.tfstate" in result.stdout
    assert "`driftctl demo`" in result.stdout
    assert "--install-completion" in result.stdout


def test_limit_and_page_show_n() -> None:
    assert "--limit N" in run_cli(["list", "--help"]).stdout
    assert "--page N" in run_cli(["audit", "--help"]).stdout


def test_shell_completion_script() -> None:
    result = run_cli(["--show-completion", "bash"])

    assert result.exit_code == 0, result.stderr
    assert "_DRIFTCTL_COMPLETE" in result.stdout
    assert "complete " in result.stdout


def _help_texts(command: Any, path: list[str]) -> dict[str, str]:
    """The --help of ``command`` and of every command below it, by command path."""
    from typer._click import Context

    texts: dict[str, str] = {}

    def walk(cmd: Any, names: list[str], parent: Any) -> None:
        ctx = Context(cmd, info_name=names[-1], parent=parent)
        texts[" ".join(names)] = cmd.get_help(ctx)
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, [*names, name], ctx)

    root = Context(command, info_name="driftctl")
    for name in path:
        walk(command.commands[name], ["driftctl", name], root)
    return texts


@pytest.mark.parametrize("name", [entry.name for entry in app_module.COMMANDS])
def test_a_command_built_alone_is_the_command_built_with_the_rest(name: str) -> None:
    """main() builds only the command it runs; that command must be the same one."""
    alone = tidy(typer.main.get_command(build_app(name)))
    everything = tidy(typer.main.get_command(build_app()))

    assert list(alone.commands) == [name]  # type: ignore[attr-defined]
    assert _help_texts(alone, [name]) == _help_texts(everything, [name])


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["list"], "list"),
        (["-o", "json", "-v", "list", "--severity", "warning"], "list"),
        (["--db=sqlite:///x.db", "show", "ID"], "show"),
        (["-ojson", "--db", "sqlite:///x.db", "alerts", "poll"], "alerts"),
        (["--log-format", "json", "gen-driftignore"], "gen-driftignore"),
        (["--help"], None),
        (["--version"], None),
        ([], None),
        (["lst"], None),  # unknown: the whole app says so, with suggestions
        (["--db"], None),
    ],
)
def test_the_command_to_build_is_found_past_global_options(
    args: list[str], expected: str | None
) -> None:
    assert app_module.command_name(args) == expected


def test_a_mistyped_command_is_still_suggested() -> None:
    result = run_cli(["lst"])

    assert result.exit_code == 2
    assert "no such command 'lst'" in result.stderr.lower()
    assert "list" in result.stderr
