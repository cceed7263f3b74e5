"""Docs that check themselves: every command has help with an example, and the README names it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer

from driftctl.cli.app import build_app

ROOT = Path(__file__).resolve().parent.parent


def _commands(
    group: typer.Typer, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], Any]]:
    out: list[tuple[tuple[str, ...], Any]] = []
    for info in group.registered_commands:
        name = info.name or info.callback.__name__.replace("_", "-")  # type: ignore[union-attr]
        out.append(((*prefix, name), info.callback))
    for sub in group.registered_groups:
        assert sub.typer_instance is not None
        path = (*prefix, sub.name or "")
        callback = sub.typer_instance.registered_callback
        if callback is not None and callback.callback is not None:
            out.append((path, callback.callback))
        out.extend(_commands(sub.typer_instance, path))
    return out


COMMANDS = _commands(build_app())


@pytest.mark.parametrize("path,callback", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_help_with_an_example(path: tuple[str, ...], callback: Any) -> None:
    doc = callback.__doc__ or ""
    assert doc.strip(), f"driftctl {' '.join(path)} has no help text"
    assert "Example:" in doc, f"driftctl {' '.join(path)} has no example in its help"


def test_readme_names_every_top_level_command() -> None:
    readme = (ROOT / "README.md").read_text()
    top = sorted({p[0] for p, _ in COMMANDS})
    missing = [name for name in top if f"driftctl {name}" not in readme]
    assert not missing, f"README.md does not mention: {missing}"


def test_readme_gives_the_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "driftctl demo" in readme
    assert "pytest" in readme


def test_every_table_is_documented() -> None:
    from driftctl.db.models import metadata

    schema = (ROOT / "DATABASE_SCHEMA.md").read_text()
    for name, table in metadata.tables.items():
        assert f"## {name}" in schema, f"DATABASE_SCHEMA.md has no section for {name}"
        for column in table.columns:
            assert f"| {column.name} |" in schema, f"{name}.{column.name} is not documented"


def test_readme_resource_types_table_is_generated_from_the_registry() -> None:
    from driftctl.types.catalog import README_END, README_START, markdown_table

    readme = (ROOT / "README.md").read_text()
    assert README_START in readme and README_END in readme
    block = readme.split(README_START, 1)[1].split(README_END, 1)[0]
    assert block.strip() == markdown_table().strip(), (
        "README.md's resource-type table is stale: paste `driftctl types --markdown` into it"
    )


def test_readme_explains_how_to_add_a_resource_type() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Adding a resource type", 1)[1]
    for step in ("driftctl/types/", "tests/types/fixtures/", "tests/types/entries/"):
        assert step in section
