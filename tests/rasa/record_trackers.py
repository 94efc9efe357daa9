"""Record what a real Rasa server sends to the action server, for test_recorded.py.

Loads a trained model, plays short conversations through it with the hub's
chat metadata, and saves each `action_triage` webhook request (minus the bulky
domain) to tests/rasa/recordings/<name>.json. Re-run after changing the domain
or the data in a way that changes the tracker shape:

    .venv-rasa/bin/rasa train --domain domain.yml --data nlu_data --out models
    .venv-rasa/bin/python tests/rasa/record_trackers.py models/<model>.tar.gz

Not a test; pytest does not collect it.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

RECORDINGS = Path(__file__).resolve().parent / "recordings"
# name -> (metadata the hub's chat gateway attaches, user turns)
CONVERSATIONS: dict[str, tuple[dict[str, str], list[str]]] = {
    "lost_card": ({"channel": "kiosk", "lang": "en"}, ["hello", "i lost my card"]),
    "withdraw_then_amount": (
        {"channel": "mobile", "lang": "zh"},
        ["i want to take out some cash", "2000 pounds"],
    ),
}


@contextmanager
def capturing_action_server(captured: list[dict[str, Any]]) -> Iterator[str]:
    """A fake action server on 127.0.0.1 that records webhook calls and does nothing."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            body.pop("domain", None)
            captured.append(body)
            data = json.dumps({"events": [], "responses": []}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="capture-actions", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/webhook"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


async def record(model_path: str) -> None:
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage
    from rasa.utils.endpoints import EndpointConfig

    captured: list[dict[str, Any]] = []
    with capturing_action_server(captured) as url:
        agent = Agent.load(model_path, action_endpoint=EndpointConfig(url))
        for name, (metadata, turns) in CONVERSATIONS.items():
            captured.clear()
            for index, text in enumerate(turns):
                await agent.handle_message(
                    UserMessage(
                        text,
                        sender_id=f"recorded-{name}",
                        metadata=metadata,
                        message_id=f"{name}-{index + 1}",
                    )
                )
            calls = [call for call in captured if call.get("next_action") == "action_triage"]
            if not calls:
                raise SystemExit(f"{name}: the model never called action_triage")
            RECORDINGS.mkdir(exist_ok=True)
            (RECORDINGS / f"{name}.json").write_text(json.dumps(calls[-1], indent=2, sort_keys=True) + "\n")
            print(f"recorded {name}: {len(calls)} action_triage call(s)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    asyncio.run(record(sys.argv[1]))
