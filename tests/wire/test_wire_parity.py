"""Both sides of the wire agree: run in .venv (hub, kiosk; Python 3.11+) AND .venv-rasa (actions; 3.10).

    .venv/bin/python -m pytest tests/wire -q
    .venv-rasa/bin/python -m pytest -c tests/rasa/pytest.ini tests/wire -q -p no:cacheprovider

The answers a real hub gave (hub_answers.json, recorded and kept current by test_wire_recording.py)
are read back through `lobby_wire` on each Python: every shape must give back exactly the JSON the
hub sent (a field added, dropped, renamed or converted differently on one side fails here), every wire
enum must hold exactly the hub's values, and a ticket number must be said the same way everywhere.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from collections.abc import Callable
from typing import Any

import lobby_wire
import pytest
from lobby_wire import (
    ApiError,
    ChatReply,
    ClientFailure,
    Decision,
    ErrorCode,
    EtaWording,
    ServiceView,
    StrEnum,
    TicketStatus,
    TicketView,
    TriageView,
    queue_lines,
    spoken_ticket_number,
)

from hub_answers import load

RECORDED = load()
ANSWERS: dict[str, Any] = RECORDED["answers"]
READERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "ticket": TicketView.from_json,
    "triage": TriageView.from_json,
    "chat": ChatReply.from_json,
}


def on_the_wire(data: Any) -> Any:
    """What the other process receives: the JSON text, decoded again."""
    return json.loads(json.dumps(data, ensure_ascii=False))


def test_the_recording_covers_every_shape_a_client_reads() -> None:
    kinds = {name.split(".")[0] for name in ANSWERS}
    assert kinds == {"services", "queue", "error", *READERS}, kinds


@pytest.mark.parametrize("name", sorted(name for name in ANSWERS if name.split(".")[0] in READERS))
def test_every_recorded_answer_reads_back_to_the_same_json(name: str) -> None:
    answer = ANSWERS[name]
    value = READERS[name.split(".")[0]](on_the_wire(answer))
    assert on_the_wire(value.to_json()) == answer
    assert type(value).from_json(on_the_wire(value.to_json())) == value


def test_services_read_back_to_the_same_json() -> None:
    services = [ServiceView.from_json(on_the_wire(item)) for item in ANSWERS["services"]]
    assert services and [on_the_wire(service.to_json()) for service in services] == ANSWERS["services"]


def test_queue_lines_read_back_to_the_same_json() -> None:
    lines = queue_lines(on_the_wire({"services": ANSWERS["queue"]}))
    assert [on_the_wire(line.to_json()) for line in lines] == ANSWERS["queue"]
    assert {line.service for line in lines} == {service["id"] for service in ANSWERS["services"]}
    # people wait in the recording, and every line's estimate comes with the hub's wording of it
    assert any(line.waiting for line in lines)
    assert all(line.eta_minutes and line.eta_wording in EtaWording.values() for line in lines)


@pytest.mark.parametrize("name", sorted(name for name in ANSWERS if name.startswith("error.")))
def test_error_answers_carry_a_wire_error_code(name: str) -> None:
    status, body = ANSWERS[name]["status"], ANSWERS[name]["body"]
    error = ApiError.from_json(on_the_wire(body))
    assert 400 <= status < 600 and error.to_json() == body
    assert error.code in ErrorCode.values() and error.code == name.split(".", 1)[1]


def test_tickets_and_decisions_use_the_wire_values() -> None:
    statuses = {ANSWERS[name]["status"] for name in ANSWERS if name.startswith("ticket.")}
    assert statuses == {"waiting", "called", "served"} and statuses <= TicketStatus.values()
    decisions = {ANSWERS[name]["decision"] for name in ANSWERS if name.startswith("triage.")}
    assert decisions == Decision.values()  # the recording has every decision, each a wire value
    device = TriageView.from_json(on_the_wire(ANSWERS["triage.device"]))
    assert device.decision is Decision.DEVICE and device.device is not None


@pytest.mark.parametrize("name", sorted(RECORDED["vocabulary"]))
def test_wire_enums_hold_exactly_the_hubs_values(name: str) -> None:
    wire_enum = getattr(lobby_wire, name)
    assert issubclass(wire_enum, StrEnum)
    assert sorted(wire_enum.values()) == RECORDED["vocabulary"][name]


def test_wire_enums_read_and_write_as_their_values() -> None:
    """The same on 3.10 and 3.11+: no 'Decision.TICKET' in a catalog key, a log line or a JSON body."""
    decision = Decision("ticket")
    assert decision is Decision.TICKET and decision == "ticket" and hash(decision) == hash("ticket")
    assert (str(decision), f"decision.{decision}", f"{decision:>7}", "%s" % decision) == (  # noqa: UP031
        "ticket",
        "decision.ticket",
        " ticket",
        "ticket",
    )
    assert json.dumps({"decision": decision, "status": TicketStatus.NO_SHOW}) == (
        '{"decision": "ticket", "status": "no_show"}'
    )
    with pytest.raises(ValueError):
        Decision("teleport")


@pytest.mark.parametrize(
    ("number", "spoken"), [("A023", "A 23"), ("C004", "C 4"), ("A123", "A 123"), ("L1000", "L 1000"), ("H", "H")]
)
def test_a_ticket_number_is_said_one_way(number: str, spoken: str) -> None:
    assert spoken_ticket_number(number) == spoken


def test_recorded_tickets_are_said_without_leading_zeros() -> None:
    for name in ("ticket.waiting", "ticket.waiting_zh"):
        ticket = TicketView.from_json(on_the_wire(ANSWERS[name]))
        prefix, digits = ticket.number.rstrip("0123456789"), ticket.number.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        assert ticket.spoken_number == f"{prefix} {int(digits)}" and ticket.spoken_number != ticket.number


def test_the_actions_read_the_hubs_tickets_with_the_wire_type() -> None:
    from actions.hub_wire import CheckIn, ticket_from_json

    answer = ANSWERS["ticket.waiting"]
    assert ticket_from_json(on_the_wire(answer)) == TicketView.from_json(on_the_wire(answer))
    check_in = CheckIn.from_json({**answer, "check_in": {"arrival": "late", "message": "You are late."}})
    assert check_in.ticket == TicketView.from_json(answer) and check_in.arrival == "late"


def _dead_port_url() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def _kiosk_failure(url: str) -> str:
    from kiosk.hub_client import HubClient, HubError

    with HubClient(url, timeout=2.0) as client, pytest.raises(HubError) as caught:
        client.services()
    return caught.value.code


def _actions_failure(url: str) -> str:
    from actions.hub_client import HubClient, HubUnavailable

    async def ask() -> None:
        await HubClient(url, timeout_seconds=2.0).services("en")

    with pytest.raises(HubUnavailable) as caught:
        asyncio.run(ask())
    return caught.value.code


def test_a_hub_that_cannot_be_reached_has_one_name_in_every_client() -> None:
    """The kiosk's client runs in .venv (httpx), the action server's in .venv-rasa (aiohttp): each venv
    checks the clients it can import, and both must say `hub_unreachable`."""
    codes = {}
    for name, failure, needs in (("kiosk", _kiosk_failure, "httpx"), ("actions", _actions_failure, "aiohttp")):
        try:
            __import__(needs)
        except ImportError:
            continue
        codes[name] = failure(_dead_port_url())
    expected = {"kiosk"} if sys.version_info >= (3, 11) else {"actions"}
    assert expected <= set(codes), f"no hub client to check on Python {sys.version_info[:2]}"
    assert set(codes.values()) == {ClientFailure.HUB_UNREACHABLE.value}, codes
