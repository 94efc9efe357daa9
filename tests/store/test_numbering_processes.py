"""50 concurrent ticket creations from several clients through two hub processes sharing one database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.conftest import make_token

CLIENTS = 10
TICKETS = 50


async def create_from_many_clients(hubs: list[str], token: str) -> list[str]:
    """TICKETS creations spread over CLIENTS kiosks (device token: not rate limited), alternating between the hubs."""
    headers = {"Authorization": f"Bearer {token}"}

    async def client(index: int) -> list[str]:
        async with httpx.AsyncClient(base_url=hubs[index % len(hubs)], timeout=30, headers=headers) as http:
            numbers = []
            for turn in range(TICKETS // CLIENTS):
                body = {"service": "cash", "idempotency_key": f"client-{index}-turn-{turn}"}
                response = await http.post("/api/v1/tickets", json=body)
                assert response.status_code == 201, response.text
                numbers.append(response.json()["number"])
            return numbers

    results = await asyncio.wait_for(asyncio.gather(*(client(i) for i in range(CLIENTS))), timeout=120)
    return [number for numbers in results for number in numbers]


def assert_fifty_consecutive(numbers: list[str]) -> None:
    assert sorted(numbers) == [f"A{n:03d}" for n in range(1, TICKETS + 1)]


@pytest.mark.timeout(180)
async def test_two_hub_processes_on_one_sqlite_file(start_hub: Callable[..., str], tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'shared.db'}"
    hubs = [start_hub(database), start_hub(database)]
    assert_fifty_consecutive(await create_from_many_clients(hubs, make_token(database, "device")))


@pytest.mark.timeout(180)
async def test_two_hub_processes_on_one_postgresql(start_hub: Callable[..., str], postgres_url: str) -> None:
    hubs = [start_hub(postgres_url), start_hub(postgres_url)]
    assert_fifty_consecutive(await create_from_many_clients(hubs, make_token(postgres_url, "device")))
