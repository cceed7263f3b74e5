"""Running the real ``driftctl`` process against the estate of tests/scan/estate.py served by a
moto server, with its states reachable in every ``--from`` form.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from moto.server import ThreadedMotoServer

from tests.iac.conftest import FakeHttp, _start_server
from tests.scan.estate import REGION, STATE_BUCKET, Estate
from tests.scanner.conftest import _reset

TOKEN = "e2e-secret-token-5f1c"
STATE_PATH = "/states/network"


@dataclass
class CliRun:
    """What one run of the ``driftctl`` process left behind."""

    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """stdout parsed as one JSON document (fails the test if it is anything else)."""
        return json.loads(self.stdout)


@dataclass
class Served:
    """The estate behind a moto server, plus where its states can be read from."""

    estate: Estate
    endpoint: str
    http: FakeHttp
    root: Path  # estate.tfstate, states/, .driftignore

    def env(self, db_url: str | None = None, **extra: str) -> dict[str, str]:
        """A driftctl process environment: fake credentials, this AWS, no profile, ``db_url``."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AWS_", "DRIFTCTL_")) and k != "PYTEST_CURRENT_TEST"
        }
        env.update(
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_SESSION_TOKEN="testing",
            AWS_DEFAULT_REGION=REGION,
            AWS_ENDPOINT_URL=self.endpoint,
            AWS_CONFIG_FILE=str(self.root / "no-aws-config"),
            AWS_SHARED_CREDENTIALS_FILE=str(self.root / "no-aws-credentials"),
            AWS_EC2_METADATA_DISABLED="true",
            NO_COLOR="1",
            COLUMNS="200",
        )
        if db_url is not None:
            env["DRIFTCTL_DATABASE_URL"] = db_url
        env.update(extra)
        return env

    def driftctl(
        self, *args: str, db_url: str | None, cwd: Path | None = None, **extra_env: str
    ) -> CliRun:
        """Run ``python -m driftctl ARGS`` as its own process; stdout and stderr kept apart."""
        proc = subprocess.run(
            [sys.executable, "-m", "driftctl", *args],
            cwd=cwd or self.root,
            env=self.env(db_url, **extra_env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return CliRun(proc.returncode, proc.stdout, proc.stderr)

    def publish_states(self) -> None:
        """Put both states in the state bucket, and the network state on the HTTP server."""
        network, data = self.estate.state_docs()
        s3 = self.estate.client("s3")
        s3.put_object(Bucket=STATE_BUCKET, Key="env/prod/network.tfstate", Body=json.dumps(network))
        s3.put_object(Bucket=STATE_BUCKET, Key="env/prod/data.tfstate", Body=json.dumps(data))
        self.http.serve(STATE_PATH, json.dumps(network).encode())


@contextmanager
def served_estate(root: Path) -> Iterator[Served]:
    """A moto server on a free loopback port holding the estate, and an HTTP state server."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    with pytest.MonkeyPatch.context() as mp:
        # Module-scoped: built before the per-test isolation, so shut out this machine's AWS set-up.
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
            mp.delenv(name, raising=False)
        mp.setenv("AWS_CONFIG_FILE", str(root / "no-aws-config"))
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", str(root / "no-aws-credentials"))
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        _reset(endpoint)
        try:
            for http in _start_server(lambda base: FakeHttp(base_url=base)):
                estate = Estate(endpoint=endpoint).build()
                estate.write_states(root)
                served = Served(estate=estate, endpoint=endpoint, http=http, root=root)
                served.publish_states()
                yield served
        finally:
            _reset(endpoint)
            server.stop()


@contextmanager
def denying_endpoint(code: str = "AccessDenied") -> Iterator[str]:
    """An AWS query-protocol endpoint that refuses every call with HTTP 403 ``code``; yields
    its URL (point ``AWS_ENDPOINT_URL_<SERVICE>`` at it to deny one service)."""
    body = (
        f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
        "<Message>User: arn:aws:iam::123456789012:user/ci is not authorized to perform this "
        "operation</Message></Error><RequestId>denied</RequestId></ErrorResponse>"
    ).encode()

    class Deny(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(403)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Deny)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
