"""/dashboard in headless Chromium against a real hub: the scripted day's numbers, live updates,
the CSV download, and nothing fetched from anywhere but the hub."""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from assistant.domain.clock import FakeClock
from assistant.settings import load_settings
from tests.api.live_client import LiveClient
from tests.api.test_dashboard_api import DAY, T0, bearer, named_token, play_scripted_day
from tests.conftest import make_token
from tests.support import ROOT, free_port

_names = itertools.count()


def seed_scripted_day(database: str) -> None:
    """Play the scripted day through the hub's API (in-process, FakeClock) into `database`."""
    from sanic import Sanic

    from assistant.web.app import create_app

    settings = load_settings(
        ROOT / "branch.yml",
        environ={},
        overrides={"hub.database": database, "dialogue.rasa_url": f"http://127.0.0.1:{free_port()}"},
    )
    ana, ben = (bearer(named_token(database, "teller", name)) for name in ("Ana", 'Ben "B"'))
    clock = FakeClock(T0)
    Sanic.test_mode = True
    app = create_app(settings, clock=clock, name=f"lobby_dashboard_seed_{next(_names)}")

    async def play() -> None:
        client = LiveClient(app)  # the app served once for the whole day, not once per request
        try:
            await play_scripted_day(client, clock, ana, ben)
        finally:
            await client.stop()

    with ThreadPoolExecutor(1) as pool:  # its own loop, away from Playwright's
        pool.submit(asyncio.run, play()).result(timeout=120)


@pytest.fixture
def hub(tmp_path: Path, start_hub: Callable[..., str]) -> Iterator[tuple[str, str]]:
    """A real hub whose database holds the scripted day; yields (base URL, database URL)."""
    database = f"sqlite:///{tmp_path / 'dashboard.db'}"
    seed_scripted_day(database)
    yield start_hub(database), database


class EventListener(threading.Thread):
    """Collects the hub's events from its staff WebSocket (`token`: a staff token) for a while."""

    def __init__(self, url: str, seconds: float, token: str) -> None:
        super().__init__(daemon=True)
        self.url, self.seconds, self.events = url, seconds, []  # type: ignore[var-annotated]
        self.token = token
        self.connected = threading.Event()

    def run(self) -> None:
        from websockets.exceptions import ConnectionClosed
        from websockets.sync.client import connect

        headers = {"Authorization": f"Bearer {self.token}"}
        with connect(self.url, open_timeout=10, additional_headers=headers) as socket:
            self.connected.set()
            try:
                while True:  # until `seconds` pass without an event, or the hub goes away
                    self.events.append(json.loads(socket.recv(timeout=self.seconds)))
            except (TimeoutError, ConnectionClosed):
                return


def test_the_page_shows_the_scripted_day_live_and_downloads_the_csv(
    browser: Any, hub: tuple[str, str], tmp_path: Path
) -> None:
    base, database = hub
    # E001 (exchange, target 10 min) has waited since that day: the hub's alert check raises it.
    staff_events = base.replace("http", "ws") + "/api/v1/events/staff"  # service.alert is for staff only
    listener = EventListener(staff_events, seconds=12, token=make_token(database, "manager"))
    listener.start()
    assert listener.connected.wait(10)

    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.goto(f"{base}/dashboard?from={DAY}&to={DAY}")
        page.fill("#token", make_token(database, "teller"))
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("#signin-message")).to_contain_text("needs a manager or admin token", timeout=10_000)
        page.fill("#token", make_token(database, "manager"))
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("#dashboard-view")).to_be_visible(timeout=10_000)

        shown = {
            "#kpi-issued": "7",
            "#kpi-avg-wait": "8.2 min",
            "#kpi-p90-wait": "16 min",
            "#kpi-sla": "80%",
            "#kpi-service": "6.25 min",
            "#kpi-walk": "1.25 min",
            "#kpi-abandonment": "14.3%",
            "#kpi-no-show": "14.3%",
            "#kpi-self-service": "25%",
            "#kpi-satisfaction": "3.5 / 5",
            "#kpi-csat": "50%",
            "#kpi-waiting": "0",  # the scripted day's exchange ticket is another day's: never in today's line
        }
        for selector, text in shown.items():
            expect(page.locator(selector)).to_have_text(text, timeout=10_000)
        expect(page.locator("#from")).to_have_value(DAY)
        expect(page.locator("#counters tr[data-id=c1] td")).to_have_text(
            ["Counter 1", "2", "2", "0", "3.5 min", "5 / 5"]
        )
        expect(page.locator("#counters tr[data-id=c2] td")).to_have_text(
            ["Counter 2", "3", "2", "1", "9 min", "3.5 / 5"]
        )
        expect(page.locator("#staff tr td:first-child")).to_have_text(["Ana", 'Ben "B"'])
        expect(page.locator("#intents tr").first.locator("td")).to_have_text(["withdraw cash", "2", "1", "1"])
        # E001 (exchange) still waits from the scripted day: another day's ticket, never "waiting 9 months" today
        expect(page.locator("#alerts .alert[data-service=exchange]")).to_have_count(0)
        expect(page.locator("#chart-hourly svg rect.bar-issued")).to_have_count(2)
        expect(page.locator("#chart-waits svg rect")).to_have_count(4)  # cash, cards, accounts, help: called
        expect(page.locator("#live")).to_have_text("Live", timeout=10_000)

        # The same numbers as the API says.
        report = httpx.get(f"{base}/api/v1/dashboard?from={DAY}&to={DAY}",
                           headers=bearer(make_token(database, "admin")), timeout=10).json()  # fmt: skip
        assert (report["kpis"]["avg_wait_minutes"], report["kpis"]["sla_share"]) == (8.2, 0.8)

        # Live: a new ticket reaches the page over the events WebSocket, no reload.
        httpx.post(f"{base}/api/v1/tickets", json={"service": "cash"}, timeout=10).raise_for_status()
        expect(page.locator("#kpi-waiting")).to_have_text("1", timeout=10_000)
        expect(page.locator("#kpi-issued")).to_have_text("7")  # another day: the range is unchanged

        page.screenshot(path=str(tmp_path / "dashboard.png"))

        with page.expect_download(timeout=10_000) as info:
            page.click("#csv-link")
        download = info.value
        assert download.suggested_filename == f"visits-{DAY}-{DAY}.csv"
        text = Path(download.path()).read_text(encoding="utf-8")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        assert [r["number"] for r in rows] == ["A001", "C001", "A002", "D001", "A003", "H001", "E001"]
        assert (rows[0]["wait_minutes"], rows[0]["rating"], rows[1]["called_by"]) == ("5.00", "5", 'Ben "B"')
        expect(page.locator("#range-message")).to_have_text(f"Downloaded visits-{DAY}-{DAY}.csv")

        # The audit log of the same days: who called and finished what, as the tellers' tokens say.
        with page.expect_download(timeout=10_000) as info:
            page.click("#audit-link")
        assert info.value.suggested_filename == f"audit-{DAY}-{DAY}.csv"
        audit = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"), newline="")))
        done = {(row["action"], row["actor_name"]) for row in audit}
        assert {("ticket.call_next", "Ana"), ("ticket.no_show", 'Ben "B"'), ("ticket.finish", "Ana")} <= done
    finally:
        context.close()

    outside = [url for url in requests if not url.startswith((base, "blob:", "data:"))]
    assert not outside, outside  # nothing from the internet: every asset is the hub's own
    assert any(url.startswith(f"{base}/dashboard/dashboard.js") for url in requests)

    listener.join(15)
    alerts = [e for e in listener.events if e.get("type") == "service.alert"]
    assert [a["data"]["service"] for a in alerts] == ["exchange"], listener.events


def test_signing_out_forgets_the_token(browser: Any, hub: tuple[str, str]) -> None:
    base, database = hub
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{base}/dashboard")
        page.fill("#token", make_token(database, "manager"))
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("#kpi-waiting")).to_have_text("0", timeout=10_000)  # E001 waits from another day
        expect(page.locator("#kpi-issued")).to_have_text("0")  # nothing issued today yet
        # Leave only once the events snapshot has arrived: a socket closed while the hub reads it
        # can leave SQLite locked for a while (a hub issue outside the dashboard, see the report).
        expect(page.locator("body[data-events]")).to_have_count(1, timeout=10_000)
        page.reload()
        expect(page.locator("#dashboard-view")).to_be_visible(timeout=10_000)  # kept for this tab
        expect(page.locator("body[data-events]")).to_have_count(1, timeout=10_000)
        page.click("#sign-out")
        expect(page.locator("#signin-view")).to_be_visible()
        assert page.evaluate("sessionStorage.getItem('lobby.dashboard.token')") is None
    finally:
        context.close()
