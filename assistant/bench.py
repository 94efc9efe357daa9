"""`lobby bench`: measurements written as JSON (tests check behaviour, benches measure speed).

`lobby bench hub` starts a real hub process on 127.0.0.1 with a fresh database
and measures ticket creation at several concurrency levels.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from assistant.supervisor import Managed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


async def _create_tickets(base: str, total: int, concurrency: int, services: list[str]) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal errors
        for index in counter:
            body = {"service": services[index % len(services)], "channel": "kiosk"}
            started = time.perf_counter()
            response = await http.post("/api/v1/tickets", json=body)
            latencies.append(time.perf_counter() - started)
            errors += response.status_code != 201

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "concurrency": concurrency,
        "requests": total,
        "errors": errors,
        "throughput_per_s": round(total / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
    }


def bench_hub(args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="lobby-bench-") as tmp:
        database = args.database or f"sqlite+aiosqlite:///{tmp}/bench.db"
        command = [sys.executable, "-m", "assistant", "serve", "--config", args.config]
        command += ["--database", database, "--port", str(port)]
        hub = Managed("hub", command, f"http://127.0.0.1:{port}/healthz", Path.cwd(), log_path=Path(tmp) / "hub.log")
        hub.start()
        try:
            hub.wait_healthy(60)
            base = f"http://127.0.0.1:{port}"
            services = [s["id"] for s in httpx.get(f"{base}/api/v1/services").json()["services"]]
            runs = [
                asyncio.run(_create_tickets(base, args.requests, level, services))
                for level in (int(c) for c in args.concurrency.split(","))
            ]
        finally:
            hub.stop()
    return {"database": database.split(":")[0], "ticket_creation": runs}


BENCHES: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {"hub": bench_hub}


def cmd_bench(args: argparse.Namespace) -> int:
    result = {
        "bench": args.target,
        "at": datetime.now(UTC).isoformat(),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        **BENCHES[args.target](args),
    }
    out = Path(args.out or f"bench/{args.target}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"written to {out}")
    return 0


def add_bench_parser(sub: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    bench = command("bench", cmd_bench, "measure speed; writes JSON under bench/")
    bench.add_argument("target", choices=sorted(BENCHES))
    bench.add_argument("--out", default=None, help="output file (default bench/TARGET.json)")
    bench.add_argument("--requests", type=int, default=500, help="tickets per concurrency level")
    bench.add_argument("--concurrency", default="1,16,64", help="comma-separated client counts")
