"""`lobby bench chat`: one chat turn through the whole branch, as the kiosk makes it.

kiosk → hub `POST /api/v1/chat` → Rasa (NLU + policies) → action server →
hub triage/tickets → Rasa → hub → reply. The branch is started with `lobby up
--no-kiosk` on free ports and a scratch database, exactly as `make run` does.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from assistant.bench import free_port, percentile
from assistant.supervisor import wait_for_urls

# What walk-in customers say, in order: small talk, a ticket offer and its yes, a device
# route, information, a check-in with a code (the hub looks it up), thanks.
TURNS = (
    "hello",
    "i lost my card",
    "yes please",
    "i want to withdraw 100 pounds",
    "when are you open",
    "i'm here for my appointment my code is zz99zz",
    "no thanks",
    "thank you",
)


async def _conversations(hub: str, concurrency: int, turns: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0

    async def conversation(http: httpx.AsyncClient) -> None:
        nonlocal errors
        sender = uuid.uuid4().hex
        for index in range(turns):
            body = {"sender": sender, "message": TURNS[index % len(TURNS)], "channel": "kiosk", "lang": "en"}
            started = time.perf_counter()
            response = await http.post("/api/v1/chat", json=body)
            latencies.append(time.perf_counter() - started)
            errors += response.status_code != 200 or bool(response.json().get("degraded"))

    async with httpx.AsyncClient(base_url=hub, timeout=60) as http:
        started = time.perf_counter()
        await asyncio.gather(*(conversation(http) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "conversations": concurrency,
        "turns": len(latencies),
        "errors_or_degraded": errors,
        "turns_per_s": round(len(latencies) / elapsed, 2),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1),
    }


@contextmanager
def running_branch(config: str) -> Iterator[tuple[str, float]]:
    """`lobby up --no-kiosk` on free ports and a scratch database: yields (hub URL, start-up seconds)."""
    hub_port, rasa_port, actions_port = free_port(), free_port(), free_port()
    hub = f"http://127.0.0.1:{hub_port}"
    rasa = f"http://127.0.0.1:{rasa_port}"
    with tempfile.TemporaryDirectory(prefix="lobby-bench-branch-") as tmp:
        env = {
            **os.environ,
            "LOBBY_HUB__PORT": str(hub_port),
            "LOBBY_HUB__PUBLIC_URL": hub,
            "LOBBY_HUB__DATABASE": f"sqlite:///{tmp}/chat.db",
            "LOBBY_DIALOGUE__RASA_URL": rasa,
            "LOBBY_DIALOGUE__ACTIONS_PORT": str(actions_port),
        }
        log = Path(tmp) / "up.log"
        with log.open("wb") as sink:
            branch = subprocess.Popen(
                [sys.executable, "-m", "assistant", "up", "--no-kiosk", "--config", config],
                env=env, stdout=sink, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            started = wait_for_urls(
                branch, [f"{hub}/healthz", f"http://127.0.0.1:{actions_port}/health", f"{rasa}/status"], 600
            )
            yield hub, started
        finally:
            branch.send_signal(signal.SIGINT)
            try:
                branch.wait(timeout=60)
            except subprocess.TimeoutExpired:
                branch.kill()


def bench_chat(args: argparse.Namespace) -> dict[str, Any]:
    with running_branch(args.config) as (hub, started):
        asyncio.run(_conversations(hub, 1, len(TURNS)))  # warm-up: first turns load lazy parts of Rasa
        runs = [asyncio.run(_conversations(hub, level, args.turns)) for level in (1, 8)]
    return {"branch_start_s": round(started, 1), "turn_mix": list(TURNS), "chat_turns": runs}
