"""The wait projections' process: reads the line from the database and plays it forward for its hub.

Two ways in: `prefork` (what `lobby serve` calls before its server starts: a fork that has
everything imported already) and `python -m assistant.services.waits.child` (spawned by a hub that
has none, or whose child died). Either way it serves `assistant.services.waits.apart`'s frames until
its input closes. See apart.py for why it exists.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from assistant.services.waits.apart import NICE, can_work_apart, compact, preforked, read_frame, register, write_frame
from assistant.services.waits.times import WaitTimes
from assistant.settings import ordering_policy
from assistant.store.db import create_engine, session_factory

log = logging.getLogger(__name__)


def prefork(settings: Any, database_url: str) -> int | None:
    """Fork the projection process for a hub about to start on `database_url` (call it before any
    thread or event loop exists: `lobby serve` does, before the server). Returns its pid."""
    if not can_work_apart(database_url) or preforked(database_url):
        return None
    ours, theirs = socket.socketpair()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: serve projections until the hub closes the socket, then leave at once
        code = 0
        try:
            ours.close()
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the hub, which closes the socket
            with contextlib.suppress(OSError):  # what ps -o comm, top and htop show: not a second hub
                Path("/proc/self/comm").write_text("lobby-waits")
            with contextlib.suppress(OSError):
                os.nice(NICE)
            with theirs.makefile("rb") as source, theirs.makefile("wb") as sink:
                asyncio.run(serve(source, sink, (settings, database_url)))
        except BaseException:
            log.exception("the projection process failed")
            code = 1
        finally:
            os._exit(code)  # never back into the hub's code: its server is the parent's
    theirs.close()
    register(database_url, pid, ours)
    return pid


class _Moment:
    """The child's clock: the moment the hub asked about (the hub's clock may be simulated)."""

    def __init__(self) -> None:
        self.at: datetime | None = None

    def now(self) -> datetime:
        assert self.at is not None
        return self.at


async def serve(source: IO[bytes], sink: IO[bytes], given: tuple[Any, str] | None = None) -> None:
    """Say ("ok", None) once the database is open, then answer each moment read with the projection
    of the line at it, until `source` ends. `given`: (settings, database URL), else read first."""
    settings, database_url = given if given is not None else read_frame(source)
    engine = create_engine(database_url, read_only=True)
    sessions = session_factory(engine)
    moment = _Moment()
    waits = WaitTimes(settings, moment, ordering_policy(settings))  # no sessions: every projection on the spot, here
    try:
        write_frame(sink, ("ok", None))
        while True:
            try:
                moment.at = read_frame(source)
            except EOFError:  # the hub closed the socket (or died): nothing more to do
                return
            try:
                async with sessions() as session:
                    found = await waits.project(session)
            except Exception as error:  # the hub logs it and projects in a thread; this process ends
                log.exception("a projection failed")
                write_frame(sink, ("error", repr(error)))
                return
            write_frame(sink, ("ok", compact(found)))
    finally:
        await engine.dispose()


def main() -> None:
    with contextlib.suppress(OSError):
        os.nice(NICE)
    # The frames own stdout: anything else a library prints goes to stderr, with the logs.
    sink = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s projections: %(message)s")
    asyncio.run(serve(sys.stdin.buffer, sink))


if __name__ == "__main__":
    main()
