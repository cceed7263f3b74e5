"""Global options: declared once, accepted before or after the subcommand."""

from __future__ import annotations

from dataclasses import dataclass

# name -> takes a value. Short forms map to their long name.
GLOBAL_OPTIONS: dict[str, bool] = {
    "--db": True,
    "--config": True,
    "--output": True,
    "--no-color": False,
    "--quiet": False,
    "--verbose": False,
    "--debug": False,
    "--log-format": True,
}
SHORT = {"-o": "--output", "-q": "--quiet", "-v": "--verbose"}


# `scan --output FORMAT://PATH`, the Go tool's spelling: several at once, each to its own place.
GO_OUTPUT_OPTION = "--output-to"


def rewrite_go_outputs(argv: list[str]) -> list[str]:
    """``-o json://out.json`` (and ``--output=…``) on ``scan`` become ``--output-to json://…``,
    so several outputs can be asked for at once; other ``-o`` values are left alone."""
    if "scan" not in argv:
        return argv
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            out.extend(argv[i:])
            break
        value: str | None = None
        if arg in ("-o", "--output") and i + 1 < len(argv) and "://" in argv[i + 1]:
            value, i = argv[i + 1], i + 2
        elif arg.startswith("--output=") and "://" in arg:
            value, i = arg.split("=", 1)[1], i + 1
        elif arg.startswith("-o") and not arg.startswith("--") and "://" in arg:
            value, i = arg[2:], i + 1
        if value is None:
            out.append(arg)
            i += 1
        else:
            out.extend([GO_OUTPUT_OPTION, value])
    return out


def _global_option(arg: str) -> tuple[bool, bool]:
    """(is ``arg`` a global option, does its value follow as the next argument)."""
    name, has_inline = arg, False
    if arg.startswith("--") and "=" in arg:
        name, has_inline = arg.split("=", 1)[0], True
    elif arg.startswith("-o") and len(arg) > 2 and not arg.startswith("--"):
        name, has_inline = "-o", True
    long_name = SHORT.get(name, name)
    if long_name not in GLOBAL_OPTIONS:
        return False, False
    return True, GLOBAL_OPTIONS[long_name] and not has_inline


def hoist_global_options(argv: list[str]) -> list[str]:
    """Move global options found after the subcommand to the front, so that
    ``driftctl list -o json -v`` means ``driftctl -v -o json list``."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        is_global, value_follows = _global_option(arg)
        if is_global:
            if value_follows and i + 1 < len(argv):
                front.extend([arg, argv[i + 1]])
                i += 2
                continue
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


def command_words(argv: list[str]) -> list[str]:
    """``argv`` without the global options and their values: the command names come first."""
    words: list[str] = []
    i = 0
    while i < len(argv):
        is_global, value_follows = _global_option(argv[i])
        if not is_global:
            words.append(argv[i])
        i += 2 if value_follows else 1
    return words


def output_format(argv: list[str]) -> str | None:
    """The -o/--output value in ``argv`` (already hoisted), for formatting early errors."""
    for i, arg in enumerate(argv):
        if arg in ("-o", "--output") and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--output="):
            return arg.split("=", 1)[1]
        if arg.startswith("-o") and len(arg) > 2 and not arg.startswith("--"):
            return arg[2:]
    return None


@dataclass
class GlobalState:
    """The parsed global options, stored on the Typer context."""

    db: str | None = None
    config: str | None = None
    output: str | None = None
    no_color: bool = False
    quiet: bool = False
    verbose: bool = False
    debug: bool = False
    log_format: str | None = None
