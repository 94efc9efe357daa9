"""A stand-in Rasa server on 127.0.0.1 for the hub's side of the dialogue (chat turns, /model/parse).

It answers the paths the hub calls (`GET /`, `POST /webhooks/rest/webhook`, `POST /model/parse`) with
what a test scripts, and records every request it received, so a test can check what the hub sent.
A real HTTP server on its own thread: the hub reaches it through its ordinary HTTP client.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = Callable[[dict[str, Any]], tuple[int, Any]]  # request body -> (status, JSON body)


def default_parse(body: dict[str, Any]) -> tuple[int, Any]:
    return 200, {"text": body.get("text"), "intent": {"name": "greet", "confidence": 0.9}, "entities": []}


def default_webhook(body: dict[str, Any]) -> tuple[int, Any]:
    return 200, [{"recipient_id": body.get("sender"), "text": "ok"}]


@dataclass
class FakeRasa:
    url: str = ""
    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    answers: dict[str, Answer] = field(
        default_factory=lambda: {"/model/parse": default_parse, "/webhooks/rest/webhook": default_webhook}
    )

    def bodies(self, path: str) -> list[dict[str, Any]]:
        return [body for got, body in self.received if got == path]


@contextmanager
def fake_rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, body: Any) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._send(200, {"version": "fake"}) if self.path == "/" else self._send(404, {})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            fake.received.append((self.path, body))
            answer = fake.answers.get(self.path)
            self._send(*answer(body)) if answer else self._send(404, {"message": "no such path"})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="fake-rasa", daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
