"""plain_values converts option values exactly as Typer's own (pydantic) converter would.

The oracle is Typer itself: for every parameter of driftctl's real command tree and a corpus of
awkward values, whatever the fast converter is sure of must equal Typer's result, type included;
everything else goes to Typer, so invalid values keep Typer's message.
"""

from __future__ import annotations

from typing import Any

import pytest
import typer
from typer._click import Context
from typer._coercion import build_runtime_param

from driftctl.cli.app import HELP_NAMES, build_app
from driftctl.cli.help_format import tidy
from driftctl.cli.plain_values import _PlainParam, convert, is_sure, plain_values
from tests.conftest import run_cli

CORPUS: dict[Any, list[Any]] = {
    int: [
        "5", "+5", "-3", "0", "007", " 4", "4 ", "4.0", "1_000", "1e3", "٣", "0x10",
        "99999999999999999999", "", "abc", 5, 1, 100, 101, 0, -1,
    ],
    float: [
        "1.5", ".5", "5.", "-0.25", "+2", "0", "1e3", "inf", "nan", "1_0.5", " 2", "٣.5", "",
        "x", 1.5, 0.0,
    ],
    str: ["x", "", "é", " spaced ", "--not-an-option", "1"],
    bool: [True, False],
    list[str]: [("a", "b"), (), ["x"], ("",)],
}  # fmt: skip


def _parameters() -> list[tuple[str, Any, Any]]:
    """(path and name, Click parameter, its command) for every parameter plain_values took."""
    out: list[tuple[str, Any, Any]] = []

    def walk(command: Any, path: str) -> None:
        help_option = getattr(command, "_help_option", None)
        for param in [*command.params, *([help_option] if help_option else [])]:
            if isinstance(getattr(param, "_runtime_param", None), _PlainParam):
                out.append((f"{path} {param.name}".strip(), param, command))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(plain_values(tidy(typer.main.get_command(build_app())), HELP_NAMES), "")
    return out


PARAMETERS = _parameters()


def _typer_converts(param: Any, command: Any, value: Any) -> tuple[bool, Any]:
    """(True, result) or (False, error message) from Typer's own converter."""
    own = build_runtime_param(param.type_descriptor)
    try:
        return True, own._coerce_value(value, param=param, ctx=Context(command))
    except typer.BadParameter as exc:
        return False, exc.message


def test_every_driftctl_parameter_has_the_plain_converter() -> None:
    """driftctl's options are all plain types; a new kind would need a look at plain_values."""
    kinds = {param.type_descriptor.annotation for _, param, _ in PARAMETERS}
    assert kinds <= set(CORPUS)
    assert {int, str, bool, list[str]} <= kinds
    assert len(PARAMETERS) > 100


@pytest.mark.parametrize(
    ("name", "param", "command"), PARAMETERS, ids=[name for name, _, _ in PARAMETERS]
)
def test_a_sure_result_is_typers_result(name: str, param: Any, command: Any) -> None:
    descriptor = param.type_descriptor
    info = descriptor.parameter_info
    for value in CORPUS[descriptor.annotation]:
        ours = convert(descriptor.annotation, value, info.min, info.max)
        if not is_sure(ours):
            continue
        ok, theirs = _typer_converts(param, command, value)
        assert ok, f"{name}={value!r}: Typer refuses it ({theirs}), plain_values gave {ours!r}"
        assert (ours, type(ours)) == (theirs, type(theirs)), f"{name}={value!r}"


@pytest.mark.parametrize(
    ("annotation", "value", "expected"),
    [
        (int, "42", 42),
        (int, "-7", -7),
        (float, "0.25", 0.25),
        (str, "eu-west-1", "eu-west-1"),
        (bool, True, True),
        (list[str], ("a", "b"), ["a", "b"]),
    ],
)
def test_everyday_values_take_the_fast_path(annotation: Any, value: Any, expected: Any) -> None:
    assert convert(annotation, value) == expected


@pytest.mark.parametrize(
    ("annotation", "value", "low", "high"),
    [
        (int, "٣", None, None),  # a digit Python reads but the fast path leaves to Typer
        (int, "1_000", None, None),
        (int, " 4", None, None),
        (int, "0", 1, None),  # out of range: Typer words the error
        (int, "11", None, 10),
        (float, "1e3", None, None),
        (str, 5, None, None),
        (list[str], "ab", None, None),
    ],
)
def test_unusual_or_out_of_range_values_go_to_typer(
    annotation: Any, value: Any, low: Any, high: Any
) -> None:
    assert not is_sure(convert(annotation, value, low, high))


def test_invalid_values_fail_with_typers_message() -> None:
    not_a_number = run_cli(["list", "--page", "abc"])
    below_minimum = run_cli(["list", "--page", "0"])

    assert not_a_number.exit_code == 2
    assert not_a_number.stderr.startswith("error: invalid value for '--page': Input should be a")
    assert "integer" in not_a_number.stderr
    assert below_minimum.exit_code == 2
    assert "invalid value for '--page': Input should be greater than or equal to 1" in (
        below_minimum.stderr
    )
    assert not_a_number.stdout == below_minimum.stdout == ""


def test_a_value_typer_accepts_still_works(tmp_path: Any) -> None:
    """`--page ' 3'` is not on the fast path; Typer's converter takes it, as before."""
    result = run_cli(["--db", f"sqlite:///{tmp_path / 'd.db'}", "list", "--page", " 3"])

    assert result.exit_code == 0, result.stderr
    assert "page 3 of 1" in result.stderr + result.stdout
