"""Helpers shared by test modules (import as `tests.support`)."""

from __future__ import annotations

import asyncio
import os
import socket
import wave
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

ROOT = Path(__file__).resolve().parent.parent
# A real bank's queue records (two months, never copied into the project): next to the checkout, or
# where LOBBY_BANK_DATA says (`.ci/run` looks for them); the tests that need them skip without them.
BANK_DATA = Path(os.environ.get("LOBBY_BANK_DATA") or ROOT.parent / "shared" / "data" / "anonymous-bank")

# The branch open round the clock (environment of a hub process), so tests pass at any hour.
ALWAYS_OPEN = {
    f"LOBBY_BRANCH__OPENING_HOURS__{day}": '["00:00", "23:59"]'
    for day in ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def longest_wav_seconds(directory: Path) -> float:
    """The duration of the longest WAV file in `directory` (0.0 if there is none)."""
    durations = [0.0]
    for path in directory.glob("*.wav"):
        with wave.open(str(path)) as audio:
            durations.append(audio.getnframes() / audio.getframerate())
    return max(durations)


class RecordedWaits:
    """A module's `asyncio`, except that its sleeps are written down and pass at once (no real waiting).

    Put in place with `monkeypatch.setattr(module, "asyncio", RecordedWaits(limit))`. After `limit`
    waits the next one never ends, so code that backs off stops there (`reached` is set); code that
    spins would go on without waiting, which its own counters show.
    """

    def __init__(self, limit: int) -> None:
        self.waits: list[float] = []
        self.limit = limit
        self.reached = asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def sleep(self, delay: float) -> None:
        self.waits.append(delay)
        if len(self.waits) >= self.limit:
            self.reached.set()
            await asyncio.Event().wait()
        await asyncio.sleep(0)


@asynccontextmanager
async def migrated_engine(url: str, revision: str = "head") -> AsyncIterator[AsyncEngine]:
    """The hub's engine on `url`, its schema migrated to `revision`; disposed when the block ends."""
    from assistant.store.db import create_engine, migrate

    engine = create_engine(url)
    try:
        await migrate(engine, revision)
        yield engine
    finally:
        await engine.dispose()
