"""Event fan-out: each WebSocket subscriber gets a bounded queue; a slow one is dropped, never waited for.

This is the fan-out inside one hub process; `assistant.web.bus.EventBus` extends it to carry
events between the hub processes of a branch (DESIGN.md §7).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from sanic import Blueprint, Request
from sanic.server.websockets.impl import WebsocketImplProtocol

from assistant.domain.events import Event

log = logging.getLogger(__name__)

SUBSCRIBER_QUEUE = 256

bp = Blueprint("events", url_prefix="/api/v1")


class EventHub:
    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[dict[str, Any] | None]] = set()

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


@bp.websocket("/events")
async def events(request: Request, ws: WebsocketImplProtocol) -> None:
    hub: EventHub = request.app.ctx.events
    queue = hub.subscribe()
    try:
        # Shielded: a client that goes away mid-read must not cancel the query halfway, which would
        # leave the (single, SQLite) connection inside a transaction and lock the database.
        snapshot = await asyncio.shield(request.app.ctx.branch.queue_overview())
        await ws.send(json.dumps({"type": "snapshot", "data": snapshot}))
        while True:
            message = await queue.get()
            if message is None:
                await ws.close(code=1013, reason="events missed; reconnect for a snapshot")
                return
            await ws.send(json.dumps(message))
    finally:
        hub.unsubscribe(queue)
