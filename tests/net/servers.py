"""Local HTTP servers standing in for a tenant's internal system (127.0.0.1 only)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class LocalServer:
    port: int
    seen: list[Seen] = field(default_factory=list)

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _answer(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.record.seen.append(
            Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        route = getattr(self, "route_" + parts.path.strip("/").replace("-", "_"), None)
        if route is None:
            self._send(404, b"no such route")
        else:
            route(query, body)

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_PUT(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer()

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def route_ok(self, query: dict[str, str], body: bytes) -> None:
        self._send(200, b"hello from inside", {"Content-Type": "text/plain"})

    def route_echo(self, query: dict[str, str], body: bytes) -> None:
        seen = self.server.record.seen[-1]
        payload = {"method": seen.method, "headers": seen.headers, "body": body.decode()}
        self._send(200, json.dumps(payload).encode(), {"Content-Type": "application/json"})

    def route_redirect(self, query: dict[str, str], body: bytes) -> None:
        self._send(int(query.get("status", "302")), b"", {"Location": query["to"]})

    def route_loop(self, query: dict[str, str], body: bytes) -> None:
        self._send(302, b"", {"Location": "/loop"})

    def route_big(self, query: dict[str, str], body: bytes) -> None:
        self._send(200, b"x" * int(query["size"]))

    def route_stream(self, query: dict[str, str], body: bytes) -> None:
        """A body without Content-Length: the client must count as it reads."""
        self.send_response(200)
        self.send_header("Connection", "close")
        self.end_headers()
        for _ in range(int(query["chunks"])):
            self.wfile.write(b"y" * 1024)
        self.close_connection = True

    def route_slow(self, query: dict[str, str], body: bytes) -> None:
        time.sleep(float(query["seconds"]))
        self._send(200, b"late")

    def route_drip(self, query: dict[str, str], body: bytes) -> None:
        """One byte every ``every`` seconds: each read is quick, the whole is not."""
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        try:
            for _ in range(1000):
                self.wfile.write(b"z")
                self.wfile.flush()
                time.sleep(float(query["every"]))
        except OSError:
            return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    record: LocalServer


@contextmanager
def local_server() -> Iterator[LocalServer]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.record = LocalServer(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.record
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
