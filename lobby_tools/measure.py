"""What every benchmark shares: a free port, latency statistics, a scratch PostgreSQL database.

Percentiles are the dashboard's (`assistant.domain.kpi.percentile`, nearest rank): one definition.
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import sys

from assistant.domain.kpi import percentile


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def latency_stats(samples: list[float]) -> dict[str, float]:
    """Seconds measured -> {runs, p50_ms, p95_ms, max_ms} (p95 by nearest rank)."""
    return {
        "runs": len(samples),
        "p50_ms": round(statistics.median(samples) * 1000, 1),
        "p95_ms": round((percentile(samples, 0.95) or 0.0) * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1),
    }


def postgres_database(admin_url: str, name: str, drop: bool = False) -> str | None:
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


__all__ = ["free_port", "latency_stats", "percentile", "postgres_database"]
