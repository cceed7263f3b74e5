"""``--help`` that reads well: real metavars, whole command descriptions, no type noise.

Typer labels values with Python types (``<str>``, ``<list[str]>``, ``{ID...}...``) and cuts
command descriptions to 45 characters. ``tidy`` walks the Click command tree once, before
dispatch, and gives every value a metavar (``TEXT``, ``N``, ``ID``, the choices), arguments
Click's usual ``ID...`` spelling, and every command its whole first sentence as short help.
"""

from __future__ import annotations

from typing import Any

_BY_TYPE = {
    "str": "TEXT",
    "int": "N",
    "Path": "PATH",
    "UUID": "ID",
    "text": "TEXT",
    "integer": "N",
    "integer range": "N",
    "float": "NUMBER",
    "float range": "NUMBER",
    "uuid": "ID",
    "path": "PATH",
    "filename": "PATH",
    "file": "FILE",
}


def tidy(command: Any) -> Any:
    """Fix the help of ``command`` and every command below it; returns ``command``."""
    for param in getattr(command, "params", []):
        if param.param_type_name == "argument":
            _tidy_argument(param)
        elif _wants_metavar(param):
            param.metavar = _metavar(param)
    for sub in getattr(command, "commands", {}).values():
        if sub.short_help is None and sub.help:
            sub.short_help = _first_sentence(sub.help)
        tidy(sub)
    return command


def _wants_metavar(param: Any) -> bool:
    is_value_option = param.param_type_name == "option" and not getattr(param, "is_flag", False)
    return is_value_option and param.metavar is None


def _metavar(param: Any) -> str:
    desc = getattr(param, "type_descriptor", None)
    if desc is not None:  # Typer's own parameters
        if desc.choices:
            return "|".join(str(getattr(c, "value", c)) for c in desc.choices)
        if desc.is_path:
            return "PATH"
        annotation = desc.annotation
        args = getattr(annotation, "__args__", None)
        if args and getattr(annotation, "__origin__", None) is list:
            annotation = args[0]
        return _BY_TYPE.get(getattr(annotation, "__name__", "str"), "TEXT")
    choices = getattr(param.type, "choices", None)
    if choices:
        return "|".join(str(c) for c in choices)
    return _BY_TYPE.get(getattr(param.type, "name", "text"), "TEXT")


def _tidy_argument(param: Any) -> None:
    name = (param.metavar or param.name or "ARG").upper().removesuffix("...")
    many = param.nargs != 1
    shown = f"{name}..." if many else name
    usage = shown if param.required else f"[{name}]" + ("..." if many else "")
    # Instance attributes win over Typer's methods of the same name: only help text changes.
    param.display_type_rich = lambda ctx: None
    param._rich_display_name = lambda: shown
    param._usage_display_name = lambda: usage


def _first_sentence(text: str) -> str:
    first = text.strip().split("\n\n", 1)[0]
    line = " ".join(part.strip() for part in first.splitlines())
    end = line.find(". ")
    return line[: end + 1] if end >= 0 else line
