"""Two real processes race to approve and reject the same drift: exactly one wins (SPEC §5)."""

from __future__ import annotations

import subprocess

import pytest

from tests.cli.probe import DbProbe
from tests.e2e.conftest import driftctl_command, process_env

pytestmark = pytest.mark.e2e

ROUNDS = 8
ACTION = {"approve": "drift_approved", "reject": "drift_rejected"}
REASON = "decided by whichever process gets there first"


def _start(url: str, verb: str) -> subprocess.Popen[str]:
    # The id comes on stdin ("-"), written once both processes exist, so neither can finish
    # before the other has started: both import, connect and then race for the same row.
    return subprocess.Popen(
        driftctl_command("--db", url, verb, "-", "--reason", REASON),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=process_env(),
    )


def _finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    # communicate() would try to flush the stdin we already closed; the outputs are a few
    # lines, far below a pipe's buffer, so reading them one after the other cannot block.
    assert proc.stdout is not None and proc.stderr is not None
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    return proc.wait(timeout=60), out, err


def test_concurrent_approve_and_reject_one_wins(db: DbProbe) -> None:
    ids = [db.add() for _ in range(ROUNDS)]
    outcomes: list[str] = []
    for n, drift_id in enumerate(ids):
        # Alternate who is launched (and fed) first so neither verb always has a head start.
        verbs = ("approve", "reject") if n % 2 == 0 else ("reject", "approve")
        procs = {verb: _start(db.url, verb) for verb in verbs}
        for proc in procs.values():
            assert proc.stdin is not None
            proc.stdin.write(drift_id + "\n")
            proc.stdin.close()
        results = {verb: _finish(proc) for verb, proc in procs.items()}

        codes = sorted(code for code, _, _ in results.values())
        assert codes == [0, 4], results
        winner = next(v for v, (code, _, _) in results.items() if code == 0)
        loser = next(v for v in results if v != winner)
        _, win_out, win_err = results[winner]
        _, lose_out, lose_err = results[loser]
        assert drift_id in win_out and win_err == ""
        assert lose_out == ""
        assert len(lose_err.splitlines()) == 1 and f"cannot {loser}" in lose_err, lose_err
        assert "locked" not in lose_err

        assert db.status(drift_id) == ("approved" if winner == "approve" else "rejected")
        decisions = [
            r for r in db.audit(drift_id) if r.action in ("drift_approved", "drift_rejected")
        ]
        assert [r.action for r in decisions] == [ACTION[winner]]
        outcomes.append(winner)

    # The hash chain did not fork under concurrent writers.
    from driftctl.services import audit

    report = audit.verify(db.ctx)
    assert report.ok, report.problem
    assert report.rows_checked == db.audit_count() == ROUNDS
    assert len(outcomes) == ROUNDS


def test_concurrent_approvals_of_different_drifts_all_succeed(db: DbProbe) -> None:
    """Writers on different rows do not conflict (and on SQLite never see "database is locked")."""
    ids = [db.add() for _ in range(4)]
    procs = [_start(db.url, "approve") for _ in ids]
    for proc, drift_id in zip(procs, ids, strict=True):
        assert proc.stdin is not None
        proc.stdin.write(drift_id + "\n")
        proc.stdin.close()
    results = [_finish(p) for p in procs]
    assert [code for code, _, _ in results] == [0, 0, 0, 0], results
    assert {db.status(i) for i in ids} == {"approved"}
    from driftctl.services import audit

    assert audit.verify(db.ctx).ok
