"""HubClient against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kiosk.hub_client import HubClient, HubError
from lobby_wire import Decision, TicketStatus


@pytest.fixture
def client(hub: Any) -> Iterator[HubClient]:
    with HubClient(hub.url, timeout=2.0) as client:
        yield client


def test_health_true_when_hub_says_ok(client: HubClient) -> None:
    assert client.health() is True


def test_health_false_when_hub_reports_trouble(hub: Any, client: HubClient) -> None:
    hub.answer("GET", "/healthz", 503, {"error": {"code": "db_down", "message": "database"}})
    assert client.health() is False


def test_health_false_when_nobody_listens(unused_port: int) -> None:
    with HubClient(f"http://127.0.0.1:{unused_port}", timeout=1.0) as client:
        assert client.health() is False


def test_services_parsed_and_lang_sent(hub: Any, client: HubClient) -> None:
    services = client.services("zh")
    assert [s.id for s in services][:2] == ["cash", "payments"]
    assert services[0].intents == ("withdraw_cash", "deposit_cash")
    assert hub.to("/api/v1/services")[-1].query == {"lang": ["zh"]}


def test_chat_sends_kiosk_channel_and_parses_ticket(
    hub: Any, client: HubClient, ticket_json: Callable[..., dict[str, Any]], route_json: dict[str, Any]
) -> None:
    hub.answer(
        "POST",
        "/api/v1/chat",
        200,
        {
            "messages": [{"text": "Here you are", "buttons": [{"title": "Yes", "payload": "/affirm"}]}],
            "ticket": ticket_json(),
            "route": route_json,
            "degraded": True,
        },
    )
    reply = client.chat("abc", "I need cash", "en")
    assert hub.to("/api/v1/chat")[-1].body == {
        "sender": "abc",
        "message": "I need cash",
        "channel": "kiosk",
        "lang": "en",
    }
    assert reply.messages[0].buttons[0].payload == "/affirm"
    assert reply.ticket is not None and reply.ticket.number == "A023"
    assert reply.ticket.status is TicketStatus.WAITING
    assert reply.route is not None and reply.route.device_id == "atm-1"
    assert reply.degraded is True


def test_triage_and_ticket_bodies(hub: Any, client: HubClient) -> None:
    triage = client.triage("withdraw_cash", "en")
    ticket = client.create_ticket("cash", "en", intent="withdraw_cash", idempotency_key="k1")
    assert triage.decision is Decision.TICKET
    assert hub.to("/api/v1/triage")[-1].body == {
        "intent": "withdraw_cash",
        "entities": {},
        "channel": "kiosk",
        "lang": "en",
    }
    assert hub.to("/api/v1/tickets")[-1].body == {
        "service": "cash",
        "channel": "kiosk",
        "lang": "en",
        "intent": "withdraw_cash",
        "idempotency_key": "k1",
    }
    assert ticket.eta_minutes == (4, 9)


def test_error_json_becomes_hub_error_with_code(hub: Any, client: HubClient) -> None:
    hub.answer("POST", "/api/v1/tickets", 409, {"error": {"code": "service_closed", "message": "closed"}})
    with pytest.raises(HubError) as caught:
        client.create_ticket("cash")
    assert (caught.value.code, caught.value.message, caught.value.status) == ("service_closed", "closed", 409)


def test_error_without_json_gets_http_code(hub: Any, client: HubClient) -> None:
    hub.answer("POST", "/api/v1/chat", 502, b"<html>bad gateway</html>")
    with pytest.raises(HubError) as caught:
        client.chat("abc", "hi")
    assert caught.value.code == "http_502"


def test_unexpected_shape_is_bad_response(hub: Any, client: HubClient) -> None:
    hub.answer("POST", "/api/v1/triage", 200, {"decision": "teleport"})
    with pytest.raises(HubError) as caught:
        client.triage("withdraw_cash")
    assert caught.value.code == "bad_response"


def test_connection_refused_is_hub_unreachable(unused_port: int) -> None:
    with (
        HubClient(f"http://127.0.0.1:{unused_port}", timeout=1.0) as client,
        pytest.raises(HubError) as caught,
    ):
        client.services()
    assert caught.value.code == "hub_unreachable"


def test_slow_hub_is_hub_timeout(hub: Any) -> None:
    hub.delay_s = 1.0
    with HubClient(hub.url, timeout=0.2) as client, pytest.raises(HubError) as caught:
        client.chat("abc", "hi")
    assert caught.value.code == "hub_timeout"


def test_device_token_is_sent_when_configured(hub: Any, client: HubClient) -> None:
    with HubClient(hub.url, timeout=5, token="lby_kiosk-token") as with_token:
        with_token.create_ticket("cash", "en")
    client.create_ticket("cash", "en")
    sent = [r.authorization for r in hub.requests if r.path == "/api/v1/tickets"]
    assert sent == ["Bearer lby_kiosk-token", None]


def test_taking_a_ticket_is_retried_with_one_idempotency_key(
    hub: Any, client: HubClient, ticket_json: Callable[..., dict[str, Any]]
) -> None:
    """A hub restarting mid-request (a 5xx, a refused connection) must not lose the customer's ticket, and
    the retry must not make a second one: every try carries the same idempotency key."""
    answers = iter([(503, {"error": {"code": "unavailable", "message": "restarting"}}), (201, ticket_json())])
    hub.routes[("POST", "/api/v1/tickets")] = lambda request: next(answers)
    ticket = client.create_ticket("cash", "en")
    tries = hub.to("/api/v1/tickets")
    assert ticket.number == "A023" and len(tries) == 2
    keys = {t.body["idempotency_key"] for t in tries}
    assert len(keys) == 1 and all(keys)  # made by the client when the caller gave none
    hub.answer("POST", "/api/v1/tickets", 409, {"error": {"code": "service_closed", "message": "closed"}})
    with pytest.raises(HubError):
        client.create_ticket("cash", "en", idempotency_key="k2")
    assert len(hub.to("/api/v1/tickets")) == 3  # a refusal is an answer: not tried again
