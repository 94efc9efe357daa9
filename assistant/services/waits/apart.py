"""Background projections in a process of their own (`queue.projection_process`, on by default).

A projection is pure-Python simulation (40 runs of the whole line: ~0.7 s with 2,000 waiting). In a worker
thread it held the GIL in 5 ms slices against the event loop and the database thread, and every request
in flight paid for it — the p99 of ticket creation under load. In a child process it costs the loop only
the pickling of the snapshot and of the result (done in the executor's own threads).

One process per hub process, started on first use (spawned: nothing of the hub's threads, loop or open
connections is inherited) and shared by every `WaitTimes` in it; it ends with the hub (the executor's exit
handler, or the closed pipe if the hub was killed). If it dies, that projection runs in a thread, and the
next one starts a new process.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from assistant.domain.eta import QueueSnapshot, WaitEstimate, WaitModel

log = logging.getLogger(__name__)

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        return _pool


def _forget(broken: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is broken:
            _pool = None
    broken.shutdown(wait=False, cancel_futures=True)


async def estimate_apart(model: WaitModel, snapshot: QueueSnapshot) -> dict[str, WaitEstimate | None]:
    """`model.estimate(snapshot)` in the projection process (in a thread if that process broke)."""
    pool = _executor()
    try:
        return await asyncio.get_running_loop().run_in_executor(pool, model.estimate, snapshot)
    except BrokenProcessPool:
        log.warning("the projection process died; this projection runs in a thread, the next starts a new one")
        _forget(pool)
        return await asyncio.to_thread(model.estimate, snapshot)
