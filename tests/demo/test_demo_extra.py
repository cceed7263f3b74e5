"""The demo's AWS emulator is an extra: production installs go without it, the demo says how."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from driftctl.services import demo as demo_service
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[2]


def _project() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        return tomllib.load(fh)["project"]  # type: ignore[no-any-return]


def test_runtime_dependencies_have_no_emulator_and_the_extras_do() -> None:
    project = _project()
    runtime = [str(d).lower() for d in project["dependencies"]]  # type: ignore[attr-defined]
    extras = project["optional-dependencies"]

    assert not [d for d in runtime if d.startswith(("moto", "flask", "cfn-lint"))]
    assert any(d.startswith("moto") for d in extras["demo"])  # type: ignore[index]
    assert "driftctl-aws[demo]" in extras["test"]  # type: ignore[index]  # tests need moto


def test_demo_without_the_emulator_names_the_one_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(demo_service, "EMULATOR_MODULE", "moto_is_not_installed_here")

    result = run_cli(["demo", "--workdir", str(tmp_path / "demo")])

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: driftctl demo needs its AWS emulator, which is not installed: "
        "run pip install 'driftctl-aws[demo]'\n"
    )
    assert not (tmp_path / "demo").exists()


def test_readmes_first_command_installs_the_demo_extra() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```sh\n(.*?)```", readme, re.DOTALL)

    assert first_block is not None
    commands = [line for line in first_block.group(1).splitlines() if line and line[0] != "#"]
    assert "pip install '.[demo]'" in commands[0] and commands[0].endswith("driftctl demo")
