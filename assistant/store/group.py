"""Group commit: the requests of concurrent callers written in one transaction, one commit for all.

A commit is the expensive part of taking a ticket: with SQLite's `synchronous=FULL` it is an fsync
(~4 ms here), and SQLite has one writer at a time, so one transaction per ticket caps a branch at a
few hundred tickets a second however fast the rest is. Callers that arrive while a batch is being
written queue for the next one, and `write(session, items)` handles a whole batch (one query for
what several callers need, not one each). Every caller gets its result only after the batch's
commit: an answer is never ahead of the disk. When a batch fails, each of its items is tried again
in a transaction of its own, so one caller's failure (a key taken by another process meanwhile)
stays its own. The same path serves PostgreSQL (fewer, larger transactions there too).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = logging.getLogger(__name__)

I = TypeVar("I")  # noqa: E741 - the item a caller submits
R = TypeVar("R")
MAX_BATCH = 64


class GroupCommit(Generic[I, R]):
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        write: Callable[[AsyncSession, Sequence[I]], Awaitable[Sequence[R]]],
        max_batch: int = MAX_BATCH,
    ) -> None:
        self.sessions, self.write, self.max_batch = sessions, write, max_batch
        self._queue: list[tuple[I, asyncio.Future[R]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.batches = 0  # transactions committed (the tests and the bench read it)

    async def submit(self, item: I) -> R:
        """`item` written in the next batch; its result once that batch's transaction committed."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        return await asyncio.shield(future)  # a caller that gives up does not cancel the others' batch

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            try:
                results = await self._commit([item for item, _ in batch])
            except Exception as error:
                if len(batch) == 1:
                    _settle(batch[0][1], error=error)
                    continue
                log.info("a batch of %d failed (%s); writing each on its own", len(batch), error)
                for item, future in batch:
                    try:
                        (result,) = await self._commit([item])
                    except Exception as alone:
                        _settle(future, error=alone)
                    else:
                        _settle(future, result)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                _settle(future, result)

    async def _commit(self, items: list[I]) -> Sequence[R]:
        async with self.sessions.begin() as session:
            results = await self.write(session, items)
        self.batches += 1
        return results


def _settle(future: asyncio.Future[R], result: R | None = None, error: BaseException | None = None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)  # type: ignore[arg-type]  # None only comes with an error
