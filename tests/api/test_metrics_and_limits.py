from __future__ import annotations

import itertools

from sanic import Sanic

from assistant.settings import load_settings
from assistant.web.app import create_app
from assistant.web.metrics import RateLimiter
from tests.support import ROOT, free_port

_names = itertools.count()


def test_token_bucket_refills_at_the_configured_rate() -> None:
    limiter = RateLimiter(per_minute=60, burst=3)
    assert [limiter.allow("10.0.0.9", now=0.0) for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("10.0.0.8", now=0.0)  # other clients have their own bucket
    assert not limiter.allow("10.0.0.9", now=0.5)
    assert limiter.allow("10.0.0.9", now=1.6)  # one token per second
    trusting = RateLimiter(per_minute=1, burst=1, trusted=frozenset({"127.0.0.1"}))
    assert all(trusting.allow("127.0.0.1", now=0.0) for _ in range(10))


async def test_flooding_gets_429_and_changes_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings(
        ROOT / "branch.yml",
        environ={},
        overrides={
            "hub.database": f"sqlite:///{tmp_path / 'limits.db'}",
            "hub.rate_limit_per_minute": 6,
            "hub.rate_limit_burst": 3,
            "hub.rate_limit_trusted": [],
            "dialogue.rasa_url": f"http://127.0.0.1:{free_port()}",
        },
    )
    Sanic.test_mode = True
    client = create_app(settings, name=f"lobby_limits_{next(_names)}").asgi_client
    statuses = []
    for _ in range(6):
        _, response = await client.post("/api/v1/tickets", json={"service": "cash"})
        statuses.append(response.status)
    assert statuses == [201, 201, 201, 429, 429, 429]
    assert response.json["error"]["code"] == "rate_limited"
    _, forged = await client.post(
        "/api/v1/tickets", json={"service": "cash"}, headers={"Authorization": "Bearer lby_made-up"}
    )
    assert forged.status == 401  # a made-up token does not get around the limit
    _, queue = await client.get("/api/v1/queue")  # reads are not limited
    assert next(s for s in queue.json["services"] if s["service"] == "cash")["waiting"] == 3
    _, scrape = await client.get("/metrics")
    text = scrape.body.decode()
    assert 'lobby_queue_waiting{service="cash"} 3.0' in text
    assert "lobby_rate_limited_total 3.0" in text
    assert 'lobby_http_requests_total{method="POST",route="api/v1/tickets",status="201"} 3.0' in text
