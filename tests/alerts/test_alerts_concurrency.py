"""Two `alerts send` processes at once never deliver the same notification twice."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections import Counter
from collections.abc import Callable

from driftctl.db.models import Alert
from driftctl.db.types import utcnow
from driftctl.services import alerts as svc
from tests.alerts.alerts_helpers import BOTH_ENGINES, Scenario, driftctl_command
from tests.factories import make_drift
from tests.notify.notify_helpers import Recorded, RecordingServer

ROWS = 200


def _hold_until_both_send(server: RecordingServer) -> threading.Event:
    """Answer nothing until more requests are in flight than one process can have (4 workers).

    That proves the two processes overlap; the event is set once they did.
    """
    overlapped = threading.Event()
    lock = threading.Lock()
    in_flight = 0

    def reply(_req: Recorded) -> bytes:
        nonlocal in_flight
        with lock:
            in_flight += 1
            if in_flight > 4:
                overlapped.set()
        overlapped.wait(timeout=30)
        with lock:
            in_flight -= 1
        return b"ok"

    server.answer(200, reply)
    return overlapped


@BOTH_ENGINES
def test_two_processes_deliver_each_row_exactly_once(
    scenario: Callable[..., Scenario], http_server: RecordingServer
) -> None:
    s = scenario(channels=("webhook",))
    now = utcnow()
    drifts = [make_drift(severity="critical") for _ in range(ROWS)]
    alerts = [
        Alert(
            drift_id=d.id,
            type="drift_detected",
            severity="critical",
            title=f"Critical drift on EC2 {d.resource_id}",
            message="instance_type changed",
            created_at=now,
            updated_at=now,
        )
        for d in drifts
    ]
    with s.ctx.write() as session:
        session.add_all(drifts)
        session.flush()
        svc.add_alerts(session, svc.notify_config(s.ctx.settings), alerts, now=now)
    assert len(s.outbox()) == ROWS
    overlapped = _hold_until_both_send(http_server)

    command = [*driftctl_command(), "alerts", "send", "-o", "json"]
    command += ["--db", s.db_url, "--config", str(s.config_path)]
    procs = [
        subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ)
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=180) for p in procs]

    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    assert overlapped.is_set(), "the two senders never ran at the same time"
    delivered = [json.loads(out)["delivered"] for out, _ in outputs]
    assert sum(delivered) == ROWS
    assert min(delivered) > 0  # both took part
    seen = Counter(json.loads(r.body)["alert"]["id"] for r in http_server.requests)
    assert seen == Counter({str(a.id): 1 for a in alerts})
    rows = s.outbox()
    assert {(r.status, r.attempts) for r in rows} == {("sent", 1)}
