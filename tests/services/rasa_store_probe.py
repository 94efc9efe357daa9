"""Run in .venv-rasa: open the tracker and lock stores an endpoints file names, the way `rasa run` does
(Rasa's own YAML reader, with its `${VAR}` expansion, and its store factories), save a conversation
turn under a lock, and read it back through a second, fresh store, as another Rasa process would.

    .venv-rasa/bin/python tests/services/rasa_store_probe.py ENDPOINTS SENDER  ->  one JSON line
"""

from __future__ import annotations

import asyncio
import json
import sys

from rasa.core.lock_store import LockStore
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.utils.endpoints import read_endpoint_config


async def probe(endpoints: str, sender: str) -> dict[str, object]:
    tracker_config = read_endpoint_config(endpoints, "tracker_store")
    lock_config = read_endpoint_config(endpoints, "lock_store")
    domain = Domain.empty()
    store = TrackerStore.create(tracker_config, domain)
    locks = LockStore.create(lock_config)
    async with locks.lock(sender):
        tracker = await store.get_or_create_tracker(sender)
        tracker.update(UserUttered("i'd like to book an appointment"))
        await store.save(tracker)
    fresh = TrackerStore.create(tracker_config, domain)  # another process's view
    again = await fresh.retrieve(sender)
    texts = [event.text for event in again.events if isinstance(event, UserUttered)] if again else []
    inner = getattr(store, "_tracker_store", store)  # Rasa wraps it (AwaitableTrackerStore)
    engine = getattr(inner, "engine", None)
    return {
        "tracker_store": type(inner).__name__,
        "lock_store": type(locks).__name__,
        "url": engine.url.render_as_string(hide_password=True) if engine is not None else None,
        "user_texts": texts,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(probe(sys.argv[1], sys.argv[2]))))
