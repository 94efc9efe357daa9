"""Background jobs a hub worker runs every few seconds (wait alerts, remote-ticket expiry).

Each job runs on every worker; the job itself makes repeats harmless (one alert per crossing, one
expiry per ticket). A failing or hanging run is logged and the next one comes on schedule.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[object]]


async def every(interval: Callable[[], float], job: Job, what: str) -> None:
    """Run `job` every `interval()` seconds (read each time: tests may shorten it), each run given up
    to four intervals (at least 5 s)."""
    while True:
        seconds = interval()
        await asyncio.sleep(seconds)
        try:
            await asyncio.wait_for(job(), max(seconds * 4, 5))
        except Exception:
            log.exception("%s failed; trying again in %.0f s", what, seconds)


def start(holder: Any, name: str, interval: Callable[[], float], job: Job, what: str) -> None:
    """Start the job as a named task kept on `holder` (the app's context), so `stop` finds it."""
    setattr(holder, f"periodic_{name}", asyncio.create_task(every(interval, job, what), name=name))


async def stop(holder: Any, name: str) -> None:
    task: asyncio.Task[None] | None = getattr(holder, f"periodic_{name}", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(task, timeout=3)
        setattr(holder, f"periodic_{name}", None)
