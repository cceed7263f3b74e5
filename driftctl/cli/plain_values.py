"""Option values converted without pydantic, exactly as Typer would convert them.

Typer (0.29+) converts every parameter of the invoked command through a pydantic TypeAdapter,
built on first use, also for an option left at its default. Importing pydantic and building a
dozen adapters is a third of a read command's start-up. driftctl's parameters are all ``str``,
``int``, ``float``, ``bool`` or ``list[str]``; ``plain_values`` gives each such parameter a
converter that accepts the values whose result is certain (a string for ``str``, ASCII digits
for ``int``, a decimal for ``float``, strings for ``list[str]``, inside ``min``/``max``) and
hands every other value to Typer's own converter, so an invalid value fails with Typer's own
message. Parameters of other types keep Typer's converter untouched.

tests/cli/test_plain_values.py checks the results against Typer's for a corpus of values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from typer._click import Context
from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param

_INT = re.compile(r"[+-]?[0-9]{1,18}")
_FLOAT = re.compile(r"[+-]?(?:[0-9]{1,15}(?:\.[0-9]{0,15})?|\.[0-9]{1,15})")
_UNSURE = object()


def plain_values(command: Any, help_names: list[str]) -> Any:
    """Give the plain parameters of ``command`` and every command below it the fast converter.

    ``help_names`` are the app's ``help_option_names``: Click makes each command's help option
    on first use and keeps it, so it is made here, with those names, to be converted alike.
    """
    params = list(getattr(command, "params", []))
    if getattr(command, "add_help_option", False) and getattr(command, "_help_option", 1) is None:
        params.append(command.get_help_option(Context(command, help_option_names=help_names)))
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if (
            descriptor is not None
            and getattr(param, "_runtime_param", _UNSURE) is None  # Typer's lazy slot, unused
            and _is_plain(descriptor)
        ):
            param._runtime_param = _PlainParam(
                parameter_info=descriptor.parameter_info,
                annotation=descriptor.annotation,
                descriptor=descriptor,
            )
    for sub in getattr(command, "commands", {}).values():
        plain_values(sub, help_names)
    return command


def _is_plain(descriptor: TypeDescriptor) -> bool:
    info = descriptor.parameter_info
    if descriptor.file_annotation is not None or descriptor.is_choice or descriptor.is_path:
        return False
    if getattr(info, "clamp", False) or getattr(info, "parser", None) is not None:
        return False
    return descriptor.annotation in (str, int, float, bool) or descriptor.annotation == list[str]


def convert(annotation: Any, value: Any, low: Any = None, high: Any = None) -> Any:
    """``value`` as ``annotation`` when the result is certain, else ``_UNSURE``."""
    kind = type(value)
    if annotation is str or annotation is bool:
        return value if kind is annotation else _UNSURE
    if annotation == list[str]:
        plain = kind in (list, tuple) and all(type(item) is str for item in value)
        return list(value) if plain else _UNSURE
    pattern = _INT if annotation is int else _FLOAT if annotation is float else None
    if pattern is None:
        return _UNSURE
    if kind is annotation or (kind is str and pattern.fullmatch(value)):
        result = annotation(value)
        # Out of range: Typer's converter says so in its own words.
        if (low is None or result >= low) and (high is None or result <= high):
            return result
    return _UNSURE


def is_sure(result: Any) -> bool:
    return result is not _UNSURE


@dataclass(frozen=True)
class _PlainParam(RuntimeParam):
    """Typer's runtime-parameter contract (None and multiple values handled by the base)."""

    descriptor: TypeDescriptor

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        info = self.parameter_info
        result = convert(self.annotation, value, info.min, info.max)
        if result is not _UNSURE:
            return result
        typer_own = build_runtime_param(self.descriptor)
        return typer_own._coerce_value(value, param=param, ctx=ctx)
