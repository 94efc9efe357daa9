"""What a real hub answers, recorded for the wire parity tests (hub_answers.json beside this file).

`record(base_url, staff_token)` drives a hub on the demo branch (branch.yml, open round the clock, Rasa
down so chat takes the touch-menu fallback) through the calls whose answers the kiosk and the action
server read: services, the queue's lines, triage for every decision, a ticket as issued, as called to a counter and as
served, a chat turn, and error answers. `vocabulary()` lists the values of the hub's own enums.
Standard library only for the HTTP part, so the recording is what travels on the wire.

tests/wire/test_wire_recording.py (.venv) checks that a live hub still answers in the recorded shapes
and rewrites the file when asked:

    LOBBY_WIRE_RECORD=1 .venv/bin/python -m pytest tests/wire/test_wire_recording.py -q

tests/wire/test_wire_parity.py (.venv and .venv-rasa) reads the file back through `lobby_wire`.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ANSWERS_FILE = Path(__file__).resolve().with_name("hub_answers.json")

# Intents whose triage answers cover every decision on the demo branch (devices online, Rasa down).
TRIAGE_REQUESTS = {
    "device": ("withdraw_cash", {"amount": 200, "currency": "GBP"}),
    "ticket": ("report_lost_card", {}),
    "ticket_bookable": ("apply_loan", {}),
    "appointment": ("book_appointment", {}),
    "info": ("branch_info", {}),
    "staff": ("talk_to_human", {}),
}


def call(
    base_url: str, method: str, path: str, body: Any = None, token: str = "", headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """One request; (status, decoded JSON body). Error statuses are answers too, not exceptions."""
    data = json.dumps(body).encode("utf-8") if body is not None else None
    request = urllib.request.Request(f"{base_url}{path}", data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read().decode("utf-8"))


def _ok(answer: tuple[int, Any], what: str) -> Any:
    status, body = answer
    if not 200 <= status < 300:
        raise AssertionError(f"{what}: HTTP {status} {body!r}")
    return body


def record(base_url: str, staff_token: str) -> dict[str, Any]:
    """Every recorded answer of a fresh hub, by name."""
    answers: dict[str, Any] = {}
    answers["services"] = _ok(call(base_url, "GET", "/api/v1/services?lang=en"), "services")["services"]
    for name, (intent, entities) in TRIAGE_REQUESTS.items():
        body = {"intent": intent, "entities": entities, "channel": "kiosk", "lang": "en"}
        answers[f"triage.{name}"] = _ok(call(base_url, "POST", "/api/v1/triage", body), f"triage {intent}")

    issue = {"service": "cards", "channel": "kiosk", "lang": "en", "intent": "report_lost_card"}
    issued = _ok(call(base_url, "POST", "/api/v1/tickets", {**issue, "idempotency_key": uuid.uuid4().hex}), "issue")
    answers["ticket.waiting"] = issued
    zh = {"service": "cash", "channel": "kiosk", "lang": "zh", "idempotency_key": uuid.uuid4().hex}
    answers["ticket.waiting_zh"] = _ok(call(base_url, "POST", "/api/v1/tickets", zh), "issue zh")
    remote = {"service": "accounts", "channel": "mobile", "lang": "en", "remote": True}
    answers["ticket.remote"] = _ok(call(base_url, "POST", "/api/v1/tickets", remote), "issue remote")
    answers["queue"] = _ok(call(base_url, "GET", "/api/v1/queue?lang=en"), "queue")["services"]
    _ok(call(base_url, "POST", "/api/v1/counters/c2/open", {}, staff_token), "open c2")
    _ok(call(base_url, "POST", "/api/v1/counters/c2/call-next", {}, staff_token), "call next")
    answers["ticket.called"] = _ok(call(base_url, "GET", f"/api/v1/tickets/{issued['id']}"), "called ticket")
    _ok(call(base_url, "POST", "/api/v1/counters/c2/start", {}, staff_token), "start")
    _ok(call(base_url, "POST", "/api/v1/counters/c2/finish", {"outcome": "done"}, staff_token), "finish")
    answers["ticket.served"] = _ok(call(base_url, "GET", f"/api/v1/tickets/{issued['id']}"), "served ticket")

    chat = {"sender": f"wire-{uuid.uuid4().hex[:8]}", "message": "I lost my card", "channel": "kiosk", "lang": "en"}
    answers["chat.fallback"] = _ok(call(base_url, "POST", "/api/v1/chat", chat), "chat")
    menu = {"sender": chat["sender"], "message": "/withdraw_cash", "channel": "kiosk", "lang": "en"}
    answers["chat.fallback_intent"] = _ok(call(base_url, "POST", "/api/v1/chat", menu), "chat intent")
    app = {"message": "/report_lost_card", "channel": "mobile", "lang": "en"}
    customer = {"X-Customer-Token": f"wire-customer-{uuid.uuid4().hex}"}
    answers["chat.fallback_ticket"] = _ok(call(base_url, "POST", "/api/v1/chat", app, headers=customer), "app chat")

    status, body = call(base_url, "GET", f"/api/v1/tickets/{'0' * 32}")
    answers["error.ticket_not_found"] = {"status": status, "body": body}
    status, body = call(base_url, "POST", "/api/v1/tickets", {**issue, "service": "teleport"})
    answers["error.unknown_service"] = {"status": status, "body": body}
    return answers


def vocabulary() -> dict[str, list[str]]:
    """The values of the hub's enums that travel on the wire, by the wire enum's name (needs the hub: .venv)."""
    from assistant.domain.appointments import AppointmentStatus, Arrival, ClosedReason
    from assistant.domain.eta import Wording
    from assistant.domain.events import EventType
    from assistant.domain.routing import Decision, DeviceState
    from assistant.domain.tickets import Priority, TicketStatus

    hub_enums = {
        "AppointmentStatus": AppointmentStatus,
        "Arrival": Arrival,
        "ClosedReason": ClosedReason,
        "Decision": Decision,
        "DeviceState": DeviceState,
        "EtaWording": Wording,
        "EventName": EventType,
        "Priority": Priority,
        "TicketStatus": TicketStatus,
    }
    return {name: sorted(str(member.value) for member in enum) for name, enum in hub_enums.items()}


def load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ANSWERS_FILE.read_text(encoding="utf-8"))
    return data


def write(answers: dict[str, Any], words: dict[str, list[str]]) -> None:
    text = json.dumps({"answers": answers, "vocabulary": words}, indent=1, ensure_ascii=False, sort_keys=True)
    ANSWERS_FILE.write_text(text + "\n", encoding="utf-8")
