"""Reading a turn from a tracker, the hub client's configuration, ticket numbers."""

from __future__ import annotations

import pytest
from actions.hub_client import DEFAULT_HUB_URL, DEFAULT_TIMEOUT_SECONDS, HubClient, HubRefused, TicketRequest
from actions.turn import entities_to_dict, read_turn
from lobby_wire import TicketView
from rasa_sdk.executor import ActionExecutor

from builders import entity, make_tracker
from hub_stub import HubStub, Reply


def test_entities_become_a_dict_and_the_first_value_wins() -> None:
    entities = [
        entity("amount", "200"),
        entity("currency", "GBP"),
        entity("amount", "50"),  # a second amount in the same sentence: ignored
        {"value": "orphan"},  # no entity name
        entity("date", {"from": "2026-03-02", "to": "2026-03-03"}),  # not a scalar
        entity("time", ""),  # empty
        entity("person_name", "Sarah Jones"),
        entity("appointment_code", "k7p2qx"),  # typed in lower case
        entity("appointment_code", "K7P2QX"),  # the regex extractor's copy
    ]

    assert entities_to_dict(entities) == {
        "amount": "200",
        "currency": "GBP",
        "person_name": "Sarah Jones",
        "appointment_code": "K7P2QX",
    }
    assert entities_to_dict(None) == {}


def test_read_turn_uses_metadata_and_defaults() -> None:
    with_metadata = read_turn(make_tracker("open_account", metadata={"channel": "mobile", "lang": "zh"}))
    without = read_turn(make_tracker("open_account", metadata=None, message_id="abc"))

    assert (with_metadata.channel, with_metadata.lang) == ("mobile", "zh")
    assert (without.intent, without.channel, without.lang, without.turn_id) == (
        "open_account",
        "kiosk",
        "en",
        "abc",
    )


def test_hub_client_reads_its_environment_in_the_factory() -> None:
    configured = HubClient.from_env({"LOBBY_HUB_URL": "http://10.0.0.9:9000/", "LOBBY_HUB_TIMEOUT": "2.5"})
    default = HubClient.from_env({})
    bad_timeout = HubClient.from_env({"LOBBY_HUB_TIMEOUT": "soon"})

    assert (configured.base_url, configured.timeout_seconds) == ("http://10.0.0.9:9000", 2.5)
    assert (default.base_url, default.timeout_seconds) == (DEFAULT_HUB_URL, DEFAULT_TIMEOUT_SECONDS)
    assert bad_timeout.timeout_seconds == DEFAULT_TIMEOUT_SECONDS


def test_hub_client_uses_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOBBY_HUB_URL", "http://hub.branch.local:8000")
    monkeypatch.delenv("LOBBY_HUB_TIMEOUT", raising=False)

    assert HubClient.from_env().base_url == "http://hub.branch.local:8000"


@pytest.mark.parametrize(("number", "spoken"), [("C004", "C 4"), ("A123", "A 123"), ("L1000", "L 1000"), ("H", "H")])
def test_ticket_numbers_are_spoken_without_leading_zeros(number: str, spoken: str) -> None:
    ticket = TicketView.from_json(
        {"id": "t", "number": number, "service": "cards", "status": "served", "position": 0, "eta_minutes": None,
         "issued_at": "2026-03-02T10:15:00+00:00", "track_url": "http://127.0.0.1:8000/t/t"}
    )  # fmt: skip

    assert ticket.spoken_number == spoken


def test_the_action_server_registers_action_triage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOBBY_HUB_URL", raising=False)
    executor = ActionExecutor()
    executor.register_package("actions")

    assert "action_triage" in executor.actions


@pytest.mark.asyncio
async def test_issuing_a_ticket_carries_the_device_token_and_is_retried_with_its_key(hub: HubStub) -> None:
    """The actions are not trusted for calling from the hub's own machine: they send their device token.
    A hub restarting mid-request (a 5xx) gets the same request again, same idempotency key; a refusal does not."""
    client = HubClient.from_env({"LOBBY_HUB_URL": hub.url, "LOBBY_HUB_TOKEN": "lby_actions", "LOBBY_HUB_TIMEOUT": "3"})
    ticket = {"id": "t" * 32, "number": "A001", "service": "cash", "status": "waiting", "position": 1,
              "eta_minutes": [1, 4], "issued_at": "2026-03-02T10:15:00+00:00", "track_url": "http://h/t/t"}  # fmt: skip
    hub.reply_in_turn("POST /api/v1/tickets", Reply(503, {"error": {"code": "unavailable", "message": "x"}}))
    hub.reply("POST /api/v1/tickets", 201, ticket)
    request = TicketRequest(service="cash", channel="kiosk", lang="en", intent="withdraw_cash", idempotency_key="s:7")
    issued = await client.issue_ticket(request)
    tries = [r for r in hub.requests if r.path == "/api/v1/tickets"]
    assert issued.number == "A001" and len(tries) == 2
    assert {t.body["idempotency_key"] for t in tries} == {"s:7"}
    assert {t.authorization for t in tries} == {"Bearer lby_actions"}
    hub.reply("POST /api/v1/tickets", 409, {"error": {"code": "remote_join_closed", "message": "closed"}})
    with pytest.raises(HubRefused):
        await client.issue_ticket(request)
    assert len([r for r in hub.requests if r.path == "/api/v1/tickets"]) == 3
