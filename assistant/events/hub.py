"""The event hub of one hub process: each subscriber gets a bounded queue; a slow one is dropped, never waited for.

`assistant.events.bus.EventBus` extends it across the hub processes of a branch. What each
subscriber may see is decided by the web layer (`assistant.web.events`), at the edge.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from assistant.domain.events import Event

log = logging.getLogger(__name__)

SUBSCRIBER_QUEUE = 256


class EventHub:
    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[dict[str, Any] | None]] = set()
        self._watchers: list[Callable[[dict[str, Any]], None]] = []

    def watch(self, watcher: Callable[[dict[str, Any]], None]) -> None:
        """Call `watcher` with every message this process delivers (its own and other processes'), at once."""
        self._watchers.append(watcher)

    def subscribe(self) -> asyncio.Queue[dict[str, Any] | None]:
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(SUBSCRIBER_QUEUE)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any] | None]) -> None:
        self._subscribers.discard(queue)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    async def publish(self, event: Event) -> None:
        self.deliver(event.to_json())

    def deliver(self, message: dict[str, Any]) -> None:
        """Queue one wire message for every subscriber of this process; never waits."""
        for watcher in self._watchers:
            watcher(message)
        for queue in list(self._subscribers):
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:
                log.warning("dropping a slow event subscriber (%d events behind)", queue.qsize())
                self._drop(queue)

    def _drop(self, queue: asyncio.Queue[dict[str, Any] | None]) -> None:
        self._subscribers.discard(queue)
        if queue.full():
            with contextlib.suppress(asyncio.QueueEmpty):
                queue.get_nowait()  # make room: the close marker must get through
        queue.put_nowait(None)  # tells the sender loop to close

    def close(self) -> None:
        """Tell every subscriber to reconnect (for a fresh snapshot) and forget them."""
        for queue in list(self._subscribers):
            self._drop(queue)
