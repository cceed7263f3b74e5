"""The cron line of examples/cron.txt, run as written against a moto server: with ``-q`` it prints
nothing at all when all went well, so cron mails nothing. And ``scan --output-file`` is checked
before any AWS call is made."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from driftctl.db.models import Alert, Drift, Scan
from tests.cli.probe import DbProbe
from tests.e2e.scan_support import CliRun, Served, served_estate
from tests.notify.conftest import http_server  # noqa: F401  (the real local webhook receiver)
from tests.notify.notify_helpers import RecordingServer

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served_estate(tmp_path_factory.mktemp("estate")) as estate:
        yield estate


@pytest.fixture
def drifted(served: Served) -> Served:
    served.estate.drift()
    return served


def count(db: DbProbe, model: type) -> int:
    with db.ctx.read() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def cron_line() -> str:
    """The command of examples/cron.txt (after the five schedule fields)."""
    (line,) = [
        raw
        for raw in (ROOT / "examples" / "cron.txt").read_text().splitlines()
        if raw.strip() and not raw.startswith("#")
    ]
    command = line.split(None, 5)[5]
    # `cd /srv/infra && …`: run it where the states are instead.
    return command.split("&&", 1)[1].strip()


def test_the_cron_line_prints_nothing(
    drifted: Served,
    sqlite_db: DbProbe,
    tmp_path: Path,
    http_server: RecordingServer,  # noqa: F811
) -> None:
    config = tmp_path / "driftctl.toml"
    config.write_text(
        "[notify.webhook]\n"
        f'url = "{http_server.url("/hook")}"\n'
        'signing_secret = "secret:hook_key"\n'
    )
    driftctl = f"{sys.executable} -m driftctl"
    command = cron_line().replace("driftctl ", f"{driftctl} ")
    assert " -q" in command and "alerts send" in command

    done = subprocess.run(
        ["sh", "-c", command],
        cwd=drifted.root,
        env=drifted.env(
            sqlite_db.url, DRIFTCTL_CONFIG=str(config), DRIFTCTL_SECRET_HOOK_KEY="k3y-f0r-hooks"
        ),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == []
    assert done.stderr == ""
    # It did its work: drifts recorded by the scheduler, the critical alert delivered.
    assert count(sqlite_db, Drift) >= 4 and count(sqlite_db, Alert) >= 1
    with sqlite_db.ctx.read() as session:
        (scan,) = session.execute(select(Scan)).scalars()
    assert scan.source == "scheduler"
    assert len(http_server.requests) >= 1


def scan_to(served: Served, db: DbProbe, output_file: str) -> CliRun:
    args = ("--from", "estate.tfstate", "-o", "sarif", "--output-file", output_file)
    return served.driftctl("scan", *args, db_url=db.url)


@pytest.mark.parametrize("target", ["a-directory", "missing/dir/out.sarif"])
def test_a_bad_output_file_is_refused_before_the_scan(
    drifted: Served, sqlite_db: DbProbe, tmp_path: Path, target: str
) -> None:
    (tmp_path / "a-directory").mkdir()
    path = tmp_path / target

    run = scan_to(drifted, sqlite_db, str(path))

    assert run.exit_code == 2, run.stderr
    assert run.stdout == ""
    (line,) = run.stderr.splitlines()
    assert line.startswith(f"error: --output-file {path}")
    assert count(sqlite_db, Scan) == 0  # no scan ran
    assert not (tmp_path / "missing").exists()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_an_output_file_that_refuses_data_exits_6(drifted: Served, sqlite_db: DbProbe) -> None:
    run = scan_to(drifted, sqlite_db, "/dev/full")

    assert run.exit_code == 6
    assert "error: cannot write --output-file /dev/full: No space left on device" in run.stderr
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    assert count(sqlite_db, Scan) == 1  # the scan itself was recorded
