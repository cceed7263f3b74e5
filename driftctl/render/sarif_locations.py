"""Where SARIF results point: the state file, or the ``.tf`` line that declares a resource."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

DEFAULT_ARTIFACT = "terraform.tfstate"


def short_hash(value: str) -> str:
    import hashlib

    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]


def relative(path: Any) -> str:
    """A path relative to the working directory when it lies below it (a repository checkout)."""
    import os

    absolute = os.path.abspath(str(path))
    try:
        rel = os.path.relpath(absolute)
    except ValueError:  # another drive
        return absolute
    return absolute if rel.startswith("..") else rel


def first_source(value: Any) -> tuple[str, str]:
    """(state file, resource address) of the first IaC source of a drift."""
    if not value:
        return "", ""
    first = str(value).split(", ")[0]
    source, _, address = first.partition("#")
    return source.strip(), address.strip()


def fallback_artifact(scan: Mapping[str, Any]) -> str:
    # Unmanaged resources belong to no state file; point at the first state the scan read (a
    # file in the repository, for CI) rather than at a file that may not exist.
    for source in scan.get("iac_sources") or []:
        if source:
            return artifact_uri(str(source))
    return DEFAULT_ARTIFACT


def artifact_uri(source: str) -> str:
    """A URI reference for a state source: relative paths stay relative, absolute become file:."""
    source = source.strip()
    if source.startswith("tfstate://"):
        source = source[len("tfstate://") :]
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", source):
        return source
    path = source.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    if re.match(r"^[A-Za-z]:/", path):
        return "file:///" + urllib.parse.quote(path, safe="/:")
    if path.startswith("/"):
        return "file://" + urllib.parse.quote(path, safe="/")
    return urllib.parse.quote(path, safe="/") or DEFAULT_ARTIFACT
