"""Group commit: the units of work of concurrent callers in one transaction, one commit for all.

A commit is the expensive part of taking a ticket: with SQLite's `synchronous=FULL` it is an fsync
(~4 ms here), and SQLite has one writer at a time, so one transaction per ticket caps a branch at a
few hundred tickets a second however fast the rest is. Callers that arrive while a batch is being
written queue for the next one; each unit runs in its own savepoint (one caller's failure is its
own), and every caller gets its result only after the batch's commit: an answer is never ahead of
the disk. The same code path serves PostgreSQL (fewer, larger transactions there too).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = logging.getLogger(__name__)

T = TypeVar("T")
Work = Callable[[AsyncSession], Awaitable[Any]]
MAX_BATCH = 64


class GroupCommit:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], max_batch: int = MAX_BATCH) -> None:
        self.sessions = sessions
        self.max_batch = max_batch
        self._queue: list[tuple[Work, asyncio.Future[Any]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.batches = 0  # how many transactions (for the bench and the tests)

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run `work(session)` in the next batch's transaction; its result once that transaction committed."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append((work, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        return await asyncio.shield(future)  # a caller that gives up does not cancel the others' batch

    async def _write(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
            try:
                async with self.sessions.begin() as session:
                    if len(batch) == 1:  # alone: its failure rolls back only its own transaction
                        work, future = batch[0]
                        outcomes.append((future, await work(session), None))
                    else:
                        for work, future in batch:
                            try:
                                async with session.begin_nested():
                                    outcomes.append((future, await work(session), None))
                            except Exception as error:  # rolled back to its savepoint: the others go on
                                outcomes.append((future, None, error))
                self.batches += 1
            except Exception as error:  # the transaction itself failed (database busy, disk): everyone hears
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for future, value, error in outcomes:
                if future.done():
                    continue
                if error is None:
                    future.set_result(value)
                else:
                    future.set_exception(error)
