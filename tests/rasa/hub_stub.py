"""A real HTTP server on 127.0.0.1 that plays the branch hub for action tests.

It records every request and answers with the JSON a test configured
(`reply(path, status, body)`); unknown paths get the hub's 404 error shape.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    body: Any
    authorization: str | None = None


@dataclass
class Reply:
    status: int
    body: Any  # dict/list -> JSON; str -> sent as is (for malformed bodies)


@dataclass
class HubStub:
    """The hub API as far as the actions use it."""

    host: str = "127.0.0.1"
    port: int = 0
    delay_seconds: float = 0.0
    requests: list[RecordedRequest] = field(default_factory=list)
    replies: dict[str, Reply] = field(default_factory=dict)
    in_turn: dict[str, list[Reply]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def reply(self, path: str, status: int, body: Any) -> None:
        """Answer requests to `path` (with its query string), or to "METHOD path" for one method only."""
        self.replies[path] = Reply(status, body)

    def reply_in_turn(self, key: str, *replies: Reply) -> None:
        """Answer the next requests to `key` ("METHOD path" or path) with `replies`, one each, then as before."""
        self.in_turn[key] = list(replies)

    def bodies(self, path: str) -> list[Any]:
        return [request.body for request in self.requests if request.path == path]


def _handler_for(stub: HubStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def do_DELETE(self) -> None:
            self._answer("DELETE")

        def _answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8")
            try:
                body: Any = json.loads(raw) if raw else None
            except ValueError:
                body = raw
            stub.requests.append(RecordedRequest(method, self.path, body, self.headers.get("Authorization")))
            if stub.delay_seconds:
                time.sleep(stub.delay_seconds)
            queued = stub.in_turn.get(f"{method} {self.path}") or stub.in_turn.get(self.path)
            reply = (
                queued.pop(0)
                if queued
                else stub.replies.get(f"{method} {self.path}")
                or stub.replies.get(self.path, Reply(404, {"error": {"code": "not_found", "message": self.path}}))
            )
            payload = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
            data = payload.encode("utf-8")
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout tests)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def running_hub_stub() -> Iterator[HubStub]:
    """Serve a HubStub on a free port of 127.0.0.1 in a thread; stop it on exit."""
    stub = HubStub()
    server = ThreadingHTTPServer((stub.host, 0), _handler_for(stub))
    server.daemon_threads = True
    stub.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="hub-stub")
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
