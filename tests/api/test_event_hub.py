from __future__ import annotations

from datetime import UTC, datetime

from assistant.domain.events import Event, EventType
from assistant.events.hub import SUBSCRIBER_QUEUE, EventHub

AT = datetime(2026, 11, 30, 9, tzinfo=UTC)


async def test_a_slow_subscriber_is_dropped_and_others_keep_receiving() -> None:
    hub = EventHub()
    slow, fast = hub.subscribe(), hub.subscribe()
    for index in range(SUBSCRIBER_QUEUE + 1):
        await hub.publish(Event(EventType.TICKET_ISSUED, AT, {"n": index}))
        fast.get_nowait()  # the fast one keeps up
    assert hub.subscriber_count == 1
    drained = [slow.get_nowait() for _ in range(slow.qsize())]
    assert drained[-1] is None  # told to close and reconnect for a snapshot
    await hub.publish(Event(EventType.TICKET_CALLED, AT, {"n": "last"}))
    assert fast.get_nowait()["data"] == {"n": "last"}
