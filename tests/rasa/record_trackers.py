"""Record what a real Rasa server sends to the action server, for test_recorded.py.

Loads a trained model, plays short conversations through it with the hub's
chat metadata, and saves the last webhook request for one named action (minus
the bulky domain) to tests/rasa/recordings/<name>.json. The stand-in action
server answers with scripted events (an offer, validated slot values), so the
recorded tracker carries the slots the real actions would have set. Re-run
after changing the domain or the data in a way that changes the tracker shape:

    .venv-rasa/bin/rasa train --domain domain.yml --data nlu_data --out models
    .venv-rasa/bin/python tests/rasa/record_trackers.py models/<model>.tar.gz

Not a test; pytest does not collect it.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

RECORDINGS = Path(__file__).resolve().parent / "recordings"
KIOSK = {"channel": "kiosk", "lang": "en"}
# What the validation actions would turn the customers' words into.
VALIDATED = {
    "booking_service": {"a mortgage": "loans", "/mortgage": "loans"},
    "booking_date": {"tomorrow": "2026-11-30"},
    "booking_time": {"10am": "10:00", "3pm": "15:00"},
    "appointment_code": {"k7p2qx": "K7P2QX", "K7P2QX": "K7P2QX"},
}


@dataclass(frozen=True)
class Conversation:
    metadata: Mapping[str, str]
    turns: list[str]
    record: str  # the action whose last webhook call is saved
    # action name -> events it answers with (besides the scripted validations)
    events: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)


def offer(service: str, intent: str, turn_id: str) -> list[dict[str, Any]]:
    value = {"service": service, "intent": intent, "turn_id": turn_id}
    return [{"event": "slot", "name": "offer", "value": value}]


CONVERSATIONS: dict[str, Conversation] = {
    "lost_card": Conversation(KIOSK, ["hello", "i lost my card"], "action_triage"),
    "withdraw_then_amount": Conversation(
        {"channel": "mobile", "lang": "zh"}, ["i want to take out some cash", "2000 pounds"], "action_triage"
    ),
    "lost_card_yes": Conversation(
        KIOSK,
        ["i lost my card", "yes"],
        "action_accept_offer",
        {"action_triage": offer("cards", "report_lost_card", "lost_card_yes-1")},
    ),
    "booking_correction": Conversation(
        KIOSK,
        ["can i book an appointment for tomorrow", "a mortgage", "10am", "no make it 3pm"],
        "validate_booking_form",
    ),
    "check_in_code": Conversation(KIOSK, ["hi i'm here for my appointment the code is k7p2qx"], "action_check_in"),
}


def trailing_slots(tracker: Mapping[str, Any]) -> dict[str, Any]:
    """The slots set since the last action: what a validation action is asked to validate."""
    slots: dict[str, Any] = {}
    for event in reversed(tracker.get("events") or []):
        if event.get("event") != "slot":
            break
        slots.setdefault(event["name"], event.get("value"))
    return slots


def scripted_events(body: Mapping[str, Any], conversation: Conversation) -> list[dict[str, Any]]:
    action = str(body.get("next_action"))
    if action.startswith("validate_"):
        changed = trailing_slots(body.get("tracker") or {})
        return [
            {"event": "slot", "name": name, "value": VALIDATED.get(name, {}).get(str(value), value)}
            for name, value in changed.items()
            if name != "requested_slot"
        ]
    return list(conversation.events.get(action, []))


@contextmanager
def capturing_action_server(captured: list[dict[str, Any]], current: list[Conversation]) -> Iterator[str]:
    """A stand-in action server on 127.0.0.1 that records webhook calls and answers with scripted events."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            body.pop("domain", None)
            captured.append(body)
            data = json.dumps({"events": scripted_events(body, current[0]), "responses": []}).encode()
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
    current: list[Conversation] = [next(iter(CONVERSATIONS.values()))]
    with capturing_action_server(captured, current) as url:
        agent = Agent.load(model_path, action_endpoint=EndpointConfig(url))
        for name, conversation in CONVERSATIONS.items():
            captured.clear()
            current[0] = conversation
            for index, text in enumerate(conversation.turns):
                await agent.handle_message(
                    UserMessage(
                        text,
                        sender_id=f"recorded-{name}",
                        metadata=dict(conversation.metadata),
                        message_id=f"{name}-{index + 1}",
                    )
                )
            calls = [call for call in captured if call.get("next_action") == conversation.record]
            if not calls:
                seen = [call.get("next_action") for call in captured]
                raise SystemExit(f"{name}: the model never called {conversation.record} (called {seen})")
            RECORDINGS.mkdir(exist_ok=True)
            (RECORDINGS / f"{name}.json").write_text(json.dumps(calls[-1], indent=2, sort_keys=True) + "\n")
            print(f"recorded {name}: {len(calls)} {conversation.record} call(s)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    asyncio.run(record(sys.argv[1]))
