"""Run a page in a real headless Chromium and return the DOM after its scripts ran."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium")

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (`bash .ci/chromium.sh` installs Debian's package)",
)


@dataclass
class Rendered:
    dom: str
    log: str

    @property
    def console(self) -> list[str]:
        """Console messages (errors, CSP violations, logs) the page produced."""
        return [line for line in self.log.splitlines() if ":CONSOLE" in line]


def dump_dom(page: Path, fragment: str, user_data_dir: Path) -> Rendered:
    """Load ``page#fragment`` offline, let its scripts run, and return the serialised DOM."""
    assert CHROMIUM is not None
    url = page.resolve().as_uri() + (f"#{fragment}" if fragment else "")
    completed = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            f"--user-data-dir={user_data_dir}",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=3000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return Rendered(dom=completed.stdout, log=completed.stderr)
