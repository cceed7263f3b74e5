"""Finding the state the way Terraform does when no ``--from`` is given.

The ``backend`` block of the ``terraform`` block in the working directory's ``*.tf`` files
decides: an ``s3`` backend names its bucket and key (a workspace other than ``default`` lives
under ``workspace_key_prefix``, ``env:`` by default, as Terraform stores it), a ``local`` one its
``path``; without a backend, ``./terraform.tfstate``. Terraform's current workspace is
``TF_WORKSPACE`` or ``.terraform/environment``. The ``.tf`` files are parsed with python-hcl2,
imported only here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from driftctl.errors import ValidationError

# Generated configurations can be large; a backend is declared in a root module's few files.
_MAX_TF_FILES = 200


@dataclass(frozen=True)
class Found:
    """The sources to read and the stderr note saying where they came from."""

    sources: list[str]
    note: str


def find_state(cwd: Path, env: Mapping[str, str] | None = None) -> Found:
    """The state Terraform would use in ``cwd``; ValidationError when there is none to read."""
    env = os.environ if env is None else env
    backend = _backend(cwd)
    if backend is None:
        from driftctl.iac.sources import default_sources

        if not (cwd / "terraform.tfstate").is_file():
            raise ValidationError(
                "no --from given, no backend in ./*.tf and no ./terraform.tfstate here"
            )
        return Found(default_sources(cwd), "no --from: reading ./terraform.tfstate")
    kind, where, settings = backend
    workspace = _workspace(cwd, env)
    if kind == "s3":
        bucket, key = _text(settings.get("bucket")), _text(settings.get("key"))
        if not bucket or not key:
            raise ValidationError(
                f'{where}: backend "s3" needs a literal bucket and key to be found; pass --from '
                "tfstate+s3://BUCKET/KEY"
            )
        if workspace != "default":
            prefix = _text(settings.get("workspace_key_prefix")) or "env:"
            key = f"{prefix}/{workspace}/{key}"
        source = f"tfstate+s3://{bucket}/{key}"
        return Found([source], f'no --from: reading {source} (backend "s3" in {where})')
    if kind == "local":
        path = _text(settings.get("path")) or "terraform.tfstate"
        if workspace != "default":
            path = str(Path("terraform.tfstate.d") / workspace / "terraform.tfstate")
        state = cwd / path
        if not state.is_file():
            raise ValidationError(f'{where}: backend "local" names {path}, which is not here')
        return Found([str(state)], f'no --from: reading {path} (backend "local" in {where})')
    raise ValidationError(
        f'{where}: backend "{kind}" is not read by driftctl; pass --from (a state file, '
        "tfstate+s3://, tfstate+https:// or tfstate+tfcloud://WORKSPACE_ID)"
    )


def _backend(cwd: Path) -> tuple[str, str, dict[str, Any]] | None:
    """(backend kind, file that declares it, its settings), from the first ``*.tf`` with one;
    a ``cloud`` block reads as kind ``cloud``."""
    files = sorted(cwd.glob("*.tf"))[:_MAX_TF_FILES]
    if not files:
        return None
    import hcl2

    for path in files:
        try:
            doc = hcl2.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
        except Exception as exc:  # lark's parse errors: the file is not valid HCL
            raise ValidationError(
                f"{path.name}: not valid HCL ({type(exc).__name__}); pass --from to name the state"
            ) from None
        for block in doc.get("terraform") or []:
            if not isinstance(block, dict):
                continue
            if block.get("cloud"):
                return "cloud", path.name, {}
            for backend in block.get("backend") or []:
                if isinstance(backend, dict):
                    for kind, settings in backend.items():
                        body = settings if isinstance(settings, dict) else {}
                        return _unquote(kind), path.name, body
    return None


def _workspace(cwd: Path, env: Mapping[str, str]) -> str:
    name = env.get("TF_WORKSPACE", "").strip()
    if name:
        return name
    try:
        return (cwd / ".terraform" / "environment").read_text(encoding="utf-8").strip() or (
            "default"
        )
    except OSError:
        return "default"


def _text(value: Any) -> str | None:
    """A literal string setting; None for anything with an interpolation or not a string."""
    if not isinstance(value, str):
        return None
    text = _unquote(value)
    return None if "${" in text else text


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
