"""A loopback HTTP proxy that adds a fixed latency to every request (benchmarks only).

Put it in front of a moto server and point ``AWS_ENDPOINT_URL`` at it to see how a scan behaves
when each AWS call takes a real round trip::

    with LatencyProxy("http://127.0.0.1:5000", delay_ms=30) as proxy:
        env["AWS_ENDPOINT_URL"] = proxy.url

Also runnable on its own: ``python bench/latency_proxy.py TARGET_URL --delay-ms 30 --port 0``.
The delay is added once per request, before it is forwarded; requests are served concurrently,
as AWS serves them.
"""

from __future__ import annotations

import argparse
import http.client
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"}


class LatencyProxy:
    """Forwards every request to ``target`` after ``delay_ms``; counts the requests."""

    def __init__(self, target: str, *, delay_ms: float, port: int = 0) -> None:
        parsed = urllib.parse.urlsplit(target)
        self.target_host = parsed.hostname or "127.0.0.1"
        self.target_port = parsed.port or 80
        self.delay = delay_ms / 1000.0
        self.requests = 0
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                with proxy._lock:
                    proxy.requests += 1
                time.sleep(proxy.delay)
                conn = http.client.HTTPConnection(proxy.target_host, proxy.target_port, timeout=60)
                try:
                    headers = {
                        k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP
                    }
                    conn.request(self.command, self.path, body=body, headers=headers)
                    response = conn.getresponse()
                    data = response.read()
                finally:
                    conn.close()
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in _HOP_BY_HOP and key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _forward

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> LatencyProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LatencyProxy:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="Add latency in front of an HTTP endpoint.")
    parser.add_argument("target", help="e.g. http://127.0.0.1:5000 (a moto server)")
    parser.add_argument("--delay-ms", type=float, default=30.0)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    proxy = LatencyProxy(args.target, delay_ms=args.delay_ms, port=args.port).start()
    print(proxy.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        proxy.stop()


if __name__ == "__main__":
    main()
