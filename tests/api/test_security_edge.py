"""Issue 13, defects 5 and 7 at the edge: a depth limit on JSON, security headers on every response,
JSON-only bodies, 405 with `Allow`, and SQLite settings that keep an acknowledged write.

Through `create_app` and the test client; the database is a real SQLite file.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import text

from assistant.settings import Settings
from assistant.store.db import create_engine
from assistant.web.bodies import MAX_JSON_DEPTH
from assistant.web.screens import STATIC


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


async def test_deeply_nested_json_is_refused_before_it_is_decoded(client: Any) -> None:
    """A RecursionError and a 500 with a traceback before; 422 `too_deep` in the error shape now."""
    body = '{"intent": "withdraw_cash", "entities": {"amount": ' + nested(10_000) + "}}"
    assert len(body) < 64 * 1024  # under the size limit: only the depth is wrong
    for path in ("/api/v1/triage", "/api/v1/tickets", "/api/v1/chat", "/api/v1/appointments"):
        _, response = await client.post(path, content=body, headers={"Content-Type": "application/json"})
        assert response.status == 422, path
        assert response.json["error"]["code"] == "too_deep", path
    shallow = '{"intent": "withdraw_cash", "entities": {"amount": ' + nested(MAX_JSON_DEPTH - 2) + "}}"
    _, fine = await client.post("/api/v1/triage", content=shallow, headers={"Content-Type": "application/json"})
    assert fine.status == 200  # within the limit: decoded and triaged as before
    brackets_in_a_string = {"intent": "withdraw_cash", "entities": {"note": "[" * 500}}
    _, words = await client.post("/api/v1/triage", json=brackets_in_a_string)
    assert words.status == 200  # brackets inside a string are words, not depth


async def test_every_response_carries_the_security_headers(client: Any) -> None:
    for path in ("/display", "/console", "/dashboard", "/chat", f"/t/{'a' * 32}", "/api/v1/queue", "/nowhere"):
        _, response = await client.get(path)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
        assert "unsafe-inline" not in policy, path
        assert response.headers.get("x-content-type-options") == "nosniff", path
        assert response.headers.get("x-frame-options") == "DENY", path
        assert response.headers.get("referrer-policy") == "no-referrer", path  # a tracking URL is a secret


def test_the_pages_run_no_inline_script_or_style() -> None:
    """What lets the policy forbid inline script: every page loads its code and styles from files."""
    for page in sorted(STATIC.glob("*.html")):
        html = page.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), page.name
        assert "<style" not in html and " style=" not in html and not re.search(r" on[a-z]+=", html), page.name


async def test_only_json_bodies_are_taken(client: Any) -> None:
    """text/plain and form posts (what another site's page can send without asking) created tickets before."""
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for headers, content in (
        ({"Content-Type": "text/plain"}, '{"service": "cash"}'),
        (form, "service=cash"),
        ({"Content-Type": "multipart/form-data; boundary=x"}, "--x--"),
    ):
        _, response = await client.post("/api/v1/tickets", content=content, headers=headers)
        assert response.status == 415 and response.json["error"]["code"] == "unsupported_media_type"
    _, queue = await client.get("/api/v1/queue")
    assert sum(service["waiting"] for service in queue.json["services"]) == 0
    typed = {"Content-Type": "application/json; charset=utf-8"}
    _, json_ok = await client.post("/api/v1/tickets", content='{"service": "cash"}', headers=typed)
    assert json_ok.status == 201


async def test_a_wrong_method_says_which_are_allowed(client: Any) -> None:
    _, response = await client.delete("/api/v1/queue")
    assert response.status == 405 and response.json["error"]["code"] == "method_not_allowed"
    assert "GET" in {method.strip() for method in response.headers["allow"].split(",")}


async def test_sqlite_syncs_every_acknowledged_write(settings: Settings) -> None:
    """synchronous=NORMAL in WAL mode can lose the last commits at a power cut: tickets already handed out."""
    engine = create_engine(settings.database_url())
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA synchronous"))).scalar() == 2  # FULL
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
    finally:
        await engine.dispose()
