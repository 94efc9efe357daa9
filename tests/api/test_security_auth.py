"""Issue 13, defects 4 and 6: rate limits a client cannot dodge by minting identities, loopback not trusted
by itself, failed-token throttling that costs no database read, token expiry and rotation.

Through `create_app` and the test client (127.0.0.1, like a process on the branch PC), real SQLite.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sanic import Sanic

from assistant.domain.staff import Role
from assistant.settings import Settings, load_settings
from assistant.store import tokens
from assistant.store.tokens import issue_token, rotate_token
from assistant.web.app import create_app
from lobby.dialogue import RasaProject
from tests.support import ROOT, free_port

_names = itertools.count()


def configured(tmp_path: Path, **hub: Any) -> Settings:
    overrides = {f"hub.{key}": value for key, value in hub.items()}
    overrides |= {"hub.database": f"sqlite:///{tmp_path / 'lobby.db'}"}
    overrides |= {"dialogue.rasa_url": f"http://127.0.0.1:{free_port()}"}
    return load_settings(ROOT / "branch.yml", environ={}, overrides=overrides)


def client_of(settings: Settings) -> Any:
    Sanic.test_mode = True
    return create_app(settings, name=f"lobby_security_{next(_names)}").asgi_client


def token_made(settings: Settings, role: str, at: datetime) -> str:
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, issue_token(settings.database_url(), Role(role), f"{role}", at)).result(60)


async def test_fresh_customer_tokens_share_their_address_budget(tmp_path: Path) -> None:
    """60/60 accepted with a made-up X-Customer-Token per request, before; now the address's budget holds.
    Loopback is not trusted by itself; a device token (a kiosk, the action server) is not limited."""
    settings = configured(tmp_path, rate_limit_per_minute=6, rate_limit_burst=4)
    assert settings.hub.rate_limit_trusted == ()  # the default: nobody is trusted for their address
    client = client_of(settings)
    statuses = []
    for _ in range(8):
        headers = {"X-Customer-Token": uuid.uuid4().hex}  # a new identity every time
        _, response = await client.post("/api/v1/tickets", json={"service": "cash"}, headers=headers)
        statuses.append(response.status)
    assert statuses == [201] * 4 + [429] * 4
    assert response.json["error"]["code"] == "rate_limited" and int(response.headers["retry-after"]) >= 1

    device = {"Authorization": f"Bearer {token_made(settings, 'device', datetime.now(UTC))}"}
    for _ in range(8):
        _, response = await client.post("/api/v1/tickets", json={"service": "cash"}, headers=device)
        assert response.status == 201


async def test_one_customer_gets_part_of_a_shared_address(tmp_path: Path) -> None:
    client = client_of(configured(tmp_path, rate_limit_per_minute=6, rate_limit_burst=4))
    greedy, polite = {"X-Customer-Token": "greedy-customer-0001"}, {"X-Customer-Token": "polite-customer-0002"}
    statuses = []
    for _ in range(4):
        statuses.append((await client.post("/api/v1/tickets", json={"service": "cash"}, headers=greedy))[1].status)
    assert statuses == [201, 201, 429, 429]  # half the address's burst
    _, other = await client.post("/api/v1/tickets", json={"service": "cash"}, headers=polite)
    assert other.status == 201  # the rest is still there for the others behind that address


def test_the_action_server_listens_on_loopback_and_calls_with_a_token(settings: Settings) -> None:
    env = RasaProject.actions_env(settings.dialogue.actions_host, "http://127.0.0.1:8000", "lby_device")
    assert env["SANIC_HOST"] == "127.0.0.1"  # rasa-sdk's default is 0.0.0.0
    assert env["LOBBY_HUB_TOKEN"] == "lby_device"


async def test_wrong_tokens_are_throttled_without_reading_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = configured(tmp_path, auth_failure_limit=3, auth_failure_window_seconds=300)
    teller = {"Authorization": f"Bearer {token_made(settings, 'teller', datetime.now(UTC))}"}
    client = client_of(settings)
    assert (await client.get("/api/v1/console/config", headers=teller))[1].status == 200

    reads = []
    original = tokens.TokenRepository.find

    async def counted(self: tokens.TokenRepository, token: str) -> Any:
        reads.append(token)
        return await original(self, token)

    monkeypatch.setattr(tokens.TokenRepository, "find", counted)
    statuses = []
    for attempt in range(20):
        wrong = {"Authorization": f"Bearer lby_guess-{attempt}"}
        statuses.append((await client.post("/api/v1/counters/c1/call-next", headers=wrong))[1].status)
    assert statuses == [401] * 3 + [429] * 17
    assert len(reads) == 3  # the refused ones cost no database read, so a flood cannot slow the queue
    _, still = await client.get("/api/v1/console/config", headers=teller)
    assert still.status == 200  # a token valid here before the flood is not locked out by it
    newcomer = {"Authorization": f"Bearer {token_made(settings, 'manager', datetime.now(UTC))}"}
    _, refused = await client.get("/api/v1/console/config", headers=newcomer)
    assert refused.status == 429 and 1 <= int(refused.headers["retry-after"]) <= 300
    assert refused.json["error"]["code"] == "rate_limited"
    _, public = await client.post("/api/v1/tickets", json={"service": "cash"})
    assert public.status == 201  # taking a ticket needs no token: the throttle does not stop it


async def test_tokens_expire_and_rotate(tmp_path: Path) -> None:
    settings = configured(tmp_path)
    old = datetime.now(UTC) - timedelta(days=31)
    lapsed = {"Authorization": f"Bearer {token_made(settings, 'teller', old)}"}
    kiosk = {"Authorization": f"Bearer {token_made(settings, 'device', old)}"}
    fresh = token_made(settings, "teller", datetime.now(UTC))
    client = client_of(settings)

    _, expired = await client.get("/api/v1/console/config", headers=lapsed)
    assert expired.status == 401 and expired.json["error"]["code"] == "token_expired"
    assert "lobby token rotate" in expired.json["error"]["message"]
    _, device = await client.put("/api/v1/devices/atm-1/status", json={"state": "online"}, headers=kiosk)
    assert device.status == 200  # a device token lives a year (hub.device_token_days)

    lines = await tokens.token_admin(settings.database_url(), "list", None, datetime.now(UTC))
    assert sum("expired" in line for line in lines) == 1 and sum("active, expires" in line for line in lines) == 2
    fresh_id = next(line.split()[0] for line in lines if "active" in line and "teller" in line)
    rotated = await rotate_token(settings.database_url(), fresh_id, datetime.now(UTC))
    assert rotated != fresh and rotated.startswith("lby_")
    _, new = await client.get("/api/v1/console/config", headers={"Authorization": f"Bearer {rotated}"})
    _, gone = await client.get("/api/v1/console/config", headers={"Authorization": f"Bearer {fresh}"})
    assert (new.status, gone.status) == (200, 401)
    with pytest.raises(LookupError):
        await rotate_token(settings.database_url(), fresh_id, datetime.now(UTC))  # it was revoked
