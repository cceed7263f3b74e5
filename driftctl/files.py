"""Files only their owner may read: the data and config directories, the database, tokens.

Modes are set explicitly after creating, so a permissive umask (``umask 000``) cannot widen
them. Directories are 0700 (as the XDG base directory spec asks), files 0600.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents with mode 0700; existing ones are left alone."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            continue
        os.chmod(directory, PRIVATE_DIR)
    return path


def tighten(path: Path, mode: int) -> None:
    """Take group and other permissions off ``path`` if it exists and this user owns it."""
    try:
        info = path.stat()
    except OSError:
        return
    if stat.S_IMODE(info.st_mode) & 0o077 and info.st_uid == os.getuid():
        with contextlib.suppress(OSError):
            os.chmod(path, mode)


def create_private_file(path: Path) -> None:
    """Create an empty ``path`` with mode 0600 unless it exists (then it is left alone)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically (readers see the old or the new file), 0600.

    Raises OSError when the directory cannot be created or written.
    """
    private_dir(path.parent)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, PRIVATE_FILE)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def check_output_path(path: Path, flag: str) -> Path:
    """``path`` as an output file that can be written, checked before any work is done.

    Raises ValidationError (exit 2) for a directory, a missing directory or no permission.
    A device that refuses data (``/dev/full``) is only found out when written: see
    ``write_output``.
    """
    from driftctl.errors import ValidationError

    target = path.expanduser()
    if target.is_dir():
        raise ValidationError(f"{flag} {target} is a directory: name a file")
    parent = target.parent
    if not parent.is_dir():
        raise ValidationError(f"{flag} {target}: directory {parent} does not exist")
    writable = os.access(target, os.W_OK) if target.exists() else os.access(parent, os.W_OK)
    if not writable:
        raise ValidationError(f"{flag} {target}: permission denied")
    return target


def stream_output(path: Path, produce: Callable[[Callable[[str], Any]], None], flag: str) -> None:
    """Write an output file piece by piece (``produce`` calls the writer it is given);
    OutputError (exit 6) when the disk or device refuses it."""
    from driftctl.errors import OutputError

    try:
        with path.open("w", encoding="utf-8") as handle:
            produce(handle.write)
    except OSError as exc:
        raise OutputError(f"cannot write {flag} {path}: {exc.strerror or exc}") from None


def write_output(path: Path, text: str, flag: str) -> None:
    """Write an output file; OutputError (exit 6) when the disk or device refuses it."""
    from driftctl.errors import OutputError

    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write {flag} {path}: {exc.strerror or exc}") from None
