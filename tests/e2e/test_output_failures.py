"""Output that cannot be written (stdout on /dev/full): one clear line and exit 6, never an
"internal error" or Python's "Exception ignored" noise."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.cli.probe import DbProbe
from tests.e2e.conftest import driftctl_command, process_env

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full"),
]


def _run_into_dev_full(*args: str) -> tuple[int, str]:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            driftctl_command(*args),
            stdin=subprocess.DEVNULL,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=process_env(),
            timeout=60,
            check=False,
        )
    return done.returncode, done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["list", "--all", "-o", "csv"],
        ["show", "{id}"],
        ["audit"],
        ["--version"],
        ["--help"],
        ["db", "--help"],
    ],
    ids=lambda a: " ".join(a),
)
def test_stdout_on_dev_full(sqlite_db: DbProbe, args: list[str]) -> None:
    drift_id = sqlite_db.add()
    argv = ["--db", sqlite_db.url, *(drift_id if a == "{id}" else a for a in args)]

    code, stderr = _run_into_dev_full(*argv)

    assert code == 6, stderr
    assert stderr == "error: cannot write to standard output: No space left on device\n"


def test_stdout_on_dev_full_with_json_errors(sqlite_db: DbProbe) -> None:
    sqlite_db.add()
    code, stderr = _run_into_dev_full("--db", sqlite_db.url, "list", "-o", "json")
    assert code == 6
    (line,) = stderr.splitlines()
    assert json.loads(line)["error"]["code"] == "EXTERNAL_SERVICE_ERROR"


def test_quiet_run_does_not_touch_stdout(sqlite_db: DbProbe) -> None:
    """With -q nothing is written, so even a stdout that fails every write is no error."""
    sqlite_db.add()
    code, stderr = _run_into_dev_full("--db", sqlite_db.url, "-q", "list")
    assert (code, stderr) == (0, "")
