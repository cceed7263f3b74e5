"""Where a resource is declared in the Terraform configuration: ``.tf`` file and line.

SARIF results point at that line so code scanning shows the alert on it in a pull request. The
``.tf`` files of a directory are scanned for ``resource "TYPE" "NAME"`` block headers, and
``module "NAME"`` blocks with a local ``source`` (``./``, ``../``) are followed into their
directory for addresses such as ``module.web.aws_instance.app[0]``. Comments (``#``, ``//``,
``/* */``) and heredocs are skipped, so a commented-out block never matches. Nothing here
raises: an unreadable file or an address that is not found just gives no location.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

_RESOURCE = re.compile(r'^\s*resource\s+"([^"]+)"\s+"([^"]+)"\s*\{')
_MODULE = re.compile(r'^\s*module\s+"([^"]+)"\s*\{')
_SOURCE = re.compile(r'^\s*source\s*=\s*"([^"]*)"')
_HEREDOC = re.compile(r"<<-?\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")
_INDEX = re.compile(r"\[[^\]]*\]")
# Large generated configurations exist; a resource's file is found within this many files.
_MAX_FILES = 2000


@dataclass
class _Directory:
    """What the ``.tf`` files of one directory declare."""

    resources: dict[tuple[str, str], tuple[Path, int]] = field(default_factory=dict)
    modules: dict[str, Path] = field(default_factory=dict)


@dataclass
class Declarations:
    """Finds the declaration of a resource address in one or more root directories."""

    roots: list[Path]
    _cache: dict[Path, _Directory] = field(default_factory=dict)

    def find(self, address: str) -> tuple[Path, int] | None:
        """(file, 1-based line) of ``resource "TYPE" "NAME"`` for an address, else None."""
        parts = _INDEX.sub("", address).split(".")
        modules: list[str] = []
        while len(parts) > 2 and parts[0] == "module":
            modules.append(parts[1])
            parts = parts[2:]
        if len(parts) != 2 or parts[0] == "data":
            return None
        for root in self.roots:
            directory: Path | None = root
            for name in modules:
                directory = self._read(directory).modules.get(name) if directory else None
            if directory is not None:
                found = self._read(directory).resources.get((parts[0], parts[1]))
                if found is not None:
                    return found
        return None

    def _read(self, directory: Path) -> _Directory:
        key = directory.resolve() if directory.exists() else directory
        if key not in self._cache:
            self._cache[key] = _scan_directory(directory)
        return self._cache[key]


def declarations(roots: Iterable[Path]) -> Declarations:
    """A finder over the given directories (missing ones are skipped), first match wins."""
    unique: list[Path] = []
    for root in roots:
        if root.is_dir() and all(root.resolve() != r.resolve() for r in unique):
            unique.append(root)
    return Declarations(roots=unique)


def _scan_directory(directory: Path) -> _Directory:
    out = _Directory()
    try:
        files = sorted(p for p in directory.iterdir() if p.suffix == ".tf" and p.is_file())
    except OSError:
        return out
    for path in files[:_MAX_FILES]:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        _scan_file(path, text, out)
    return out


def _scan_file(path: Path, text: str, out: _Directory) -> None:
    depth = 0
    module: str | None = None  # the module block being read, at depth 1
    heredoc: str | None = None
    in_comment = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if heredoc is not None:
            if raw.strip() == heredoc:
                heredoc = None
            continue
        line, in_comment = _code_of(raw, in_comment)
        if depth == 0:
            resource = _RESOURCE.match(line)
            if resource:
                out.resources.setdefault((resource.group(1), resource.group(2)), (path, number))
            header = _MODULE.match(line)
            module = header.group(1) if header else None
        elif depth == 1 and module is not None:
            source = _SOURCE.match(line)
            if source and source.group(1).startswith(("./", "../")):
                target = Path(os.path.normpath(path.parent / source.group(1)))
                out.modules.setdefault(module, target)
        depth = max(0, depth + _braces(line))
        if depth == 0:
            module = None
        opened = _HEREDOC.search(line)
        if opened:
            heredoc = opened.group(1)


def _code_of(line: str, in_comment: bool) -> tuple[str, bool]:
    """The line without comments and string contents' braces; whether a /* */ is still open."""
    out: list[str] = []
    i, n = 0, len(line)
    in_string = False
    while i < n:
        ch = line[i]
        if in_comment:
            end = line.find("*/", i)
            if end < 0:
                return "".join(out), True
            in_comment, i = False, end + 2
            continue
        if in_string:
            out.append(ch if ch in '"\\' else "x" if ch in "{}" else ch)
            if ch == "\\" and i + 1 < n:
                out.append(line[i + 1])
                i += 2
                continue
            if ch == '"':
                in_string = False
            i += 1
            continue
        if ch == '"':
            in_string = True
        elif ch == "#" or line.startswith("//", i):
            break
        elif line.startswith("/*", i):
            in_comment, i = True, i + 2
            continue
        out.append(ch)
        i += 1
    return "".join(out), in_comment


def _braces(code: str) -> int:
    # Braces inside strings were replaced by _code_of; interpolation "${...}" stays balanced.
    return code.count("{") - code.count("}")
