"""The hub's gateway over several Rasa replicas (assistant.services.rasa.RasaClient), against stand-in Rasa servers
on 127.0.0.1 (tests/api/fake_rasa.py) and ports nobody listens on. Real Rasa replicas sharing a tracker
store: tests/e2e/test_dialogue_persistence.py."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from assistant.services.rasa import RasaClient, RasaUnavailable, replica_order
from tests.api.fake_rasa import FakeRasa, fake_rasa
from tests.support import free_port

META = {"channel": "mobile", "lang": "en"}


@pytest.fixture
def two() -> Iterator[list[FakeRasa]]:
    with ExitStack() as stack:
        yield [stack.enter_context(fake_rasa()) for _ in range(2)]


def _senders_of(fake: FakeRasa) -> set[str]:
    return {body["sender"] for body in fake.bodies("/webhooks/rest/webhook")}


async def test_each_conversation_sticks_to_one_replica_and_they_share_the_load(two: list[FakeRasa]) -> None:
    urls = [fake.url for fake in two]
    client = RasaClient(urls, timeout=5)
    try:
        senders = [f"mobile:customer-{n}" for n in range(40)]
        for _ in range(2):  # every sender twice
            for sender in senders:
                await client.send(sender, "hello", META)
    finally:
        await client.close()
    first, second = (_senders_of(fake) for fake in two)
    assert first and second and not first & second  # both used, no conversation on both
    assert first | second == set(senders)
    for sender in senders:  # the order the hub's other processes compute too
        assert sender in _senders_of(two[urls.index(replica_order(sender, urls)[0])])


async def test_a_replica_that_refuses_connections_hands_its_conversations_to_the_next(two: list[FakeRasa]) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    urls = [closed, two[0].url]
    sender = next(f"kiosk:{n}" for n in range(100) if replica_order(f"kiosk:{n}", urls)[0] == closed)
    client = RasaClient(urls, timeout=5)
    try:
        reply = await client.send(sender, "hello", META)
        assert reply == [{"recipient_id": sender, "text": "ok"}]
        started = time.monotonic()
        await client.send(sender, "again", META)  # the refusing replica is now tried last
        assert time.monotonic() - started < 1
        assert [body["message"] for body in two[0].bodies("/webhooks/rest/webhook")] == ["hello", "again"]
        assert await client.ping()  # one replica answering is enough to chat
    finally:
        await client.close()


async def test_no_replica_answering_is_rasa_unavailable() -> None:
    client = RasaClient([f"http://127.0.0.1:{free_port()}" for _ in range(2)], timeout=2)
    try:
        with pytest.raises(RasaUnavailable, match="ConnectError"):
            await client.send("kiosk:1", "hello", META)
        assert not await client.ping()
    finally:
        await client.close()


@pytest.mark.parametrize("failure", ["error", "timeout"])
async def test_a_turn_that_reached_a_replica_is_never_replayed_on_another(two: list[FakeRasa], failure: str) -> None:
    """It may have run its actions (a booking made) before failing: sending it again could do them twice."""
    urls = [fake.url for fake in two]
    sender = next(f"kiosk:{n}" for n in range(100) if replica_order(f"kiosk:{n}", urls)[0] == urls[0])

    def fail(body: dict[str, Any]) -> tuple[int, Any]:
        if failure == "timeout":
            time.sleep(1.5)
        return 500, {"message": "boom"}

    two[0].answers["/webhooks/rest/webhook"] = fail
    client = RasaClient(urls, timeout=0.5)
    try:
        with pytest.raises(RasaUnavailable):
            await client.send(sender, "yes", META)
    finally:
        await client.close()
    assert len(two[0].bodies("/webhooks/rest/webhook")) == 1 and not two[1].bodies("/webhooks/rest/webhook")


async def test_understanding_takes_turns_across_replicas(two: list[FakeRasa]) -> None:
    client = RasaClient([fake.url for fake in two], timeout=5)
    try:
        for _ in range(4):
            assert (await client.parse("hello"))["intent"]["name"] == "greet"
    finally:
        await client.close()
    assert [len(fake.bodies("/model/parse")) for fake in two] == [2, 2]
