"""live.js, the pages' one reconnecting WebSocket, in headless Chromium against real hub processes.

The policy (exponential, capped, equal jitter, reset after a stable connection) is read from the page
itself: the pure `LobbyLive.backoff`, then the waits the running loop really schedules. Then the hub is
killed under two open pages (ticket tracking and the manager dashboard); while they are cut off the
branch changes through another hub on the same database, and when a hub is back on their address both
pages say they reconnected and show what changed, which only the snapshot on reconnect can tell them.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import make_token
from tests.hubs import HubLauncher, HubProcess
from tests.support import ALWAYS_OPEN, ROOT, free_port

WAIT_MS = 30_000  # a killed hub, another hub, then one back on the address: a few of the pages' waits


def wait_js(page: Any, expression: str, timeout_ms: int = 10_000) -> Any:
    """Poll a JS expression until truthy; returns its value. Not wait_for_function: its polling evaluates
    strings with eval, which the pages' Content-Security-Policy forbids."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout_ms} ms: {expression}")
        page.wait_for_timeout(20)


@pytest.fixture
def live_page(browser: Any, hub_server: str) -> Iterator[Any]:
    """A page with live.js loaded from the hub (an unknown ticket's tracking page: its socket stops at once)."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{hub_server}/t/no-such-ticket")
        expect(page.locator("body")).to_have_attribute("data-live", "stopped", timeout=10_000)
        yield page
    finally:
        context.close()


def test_backoff_doubles_from_half_a_second_and_is_capped_at_ten(live_page: Any) -> None:
    highest = live_page.evaluate("[...Array(9).keys()].map((n) => LobbyLive.backoff(n, { random: () => 1 }))")
    lowest = live_page.evaluate("[...Array(9).keys()].map((n) => LobbyLive.backoff(n, { random: () => 0 }))")
    assert highest == [500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000, 10_000]
    assert lowest == [250, 500, 1000, 2000, 4000, 5000, 5000, 5000, 5000]  # the upper half only: still grows
    # Real randomness: every wait within its band, and spread (screens do not reconnect in step).
    samples = live_page.evaluate("Array.from({ length: 200 }, () => LobbyLive.backoff(3))")
    assert all(2000 <= wait <= 4000 for wait in samples), samples
    assert len(set(samples)) > 20, samples
    far = live_page.evaluate("[LobbyLive.backoff(60), LobbyLive.backoff(5000)]")
    assert all(5000 <= wait <= 10_000 for wait in far), far  # no overflow to Infinity or NaN


def test_the_loop_backs_off_while_refused_and_starts_over_after_a_stable_connection(
    live_page: Any, hub_server: str
) -> None:
    """The waits the loop schedules: growing and capped while nothing answers; still capped after a
    connection dropped at once (a hub that accepts and closes); back to the first wait after one that
    stayed up. Small numbers (20 ms doubling to 160 ms, stable after 400 ms) keep it quick."""
    refused = "/api/v1/no-such-socket"  # the hub answers the handshake 404 (same origin: the CSP allows it)
    hub = hub_server.replace("http://", "ws://") + "/api/v1/events"
    live_page.evaluate(
        """([refused]) => {
          window.target = refused;
          window.dropAtOnce = false;
          window.probe = LobbyLive.connect({
            url: () => window.target, baseMs: 20, capMs: 160, stableMs: 400, random: () => 1,
            onOpen: (socket) => { if (window.dropAtOnce) socket.close(); },
          });
        }""",
        [refused],
    )
    wait_js(live_page, "window.probe.delays.length >= 6")
    assert live_page.evaluate("window.probe.delays.slice(0, 6)") == [20, 40, 80, 160, 160, 160]
    assert live_page.evaluate("window.probe.state") == "reconnecting"
    assert live_page.evaluate("window.probe.connects") == 0

    live_page.evaluate("([hub]) => { window.dropAtOnce = true; window.target = hub; }", [hub])
    wait_js(live_page, "window.probe.connects >= 2")
    dropped = live_page.evaluate("window.dropAtOnce = false; window.probe.connects")  # each of these was dropped
    wait_js(live_page, f"window.probe.connects > {dropped} && window.probe.state === 'open'", 5000)
    delays = live_page.evaluate("window.probe.delays")
    assert delays[-2:] == [160, 160], delays  # dropped at once: no reset, the waits stay long

    wait_js(live_page, "window.probe.attempt === 0", 5000)  # up for 400 ms: stable
    before = live_page.evaluate("window.probe.delays.length")
    live_page.evaluate("window.probe.socket.close()")  # lost after a stable connection
    wait_js(live_page, f"window.probe.delays.length > {before}")
    assert live_page.evaluate("window.probe.delays.at(-1)") == 20  # the first wait again
    wait_js(live_page, "window.probe.state === 'open'", 5000)
    live_page.evaluate("window.probe.close()")

    # An attempt that never opens nor closes (here: blocked by the page's policy, which fires an error and
    # no close; a hub host gone from the network keeps a socket connecting for minutes) counts as failed
    # after openTimeoutMs.
    blocked = f"ws://127.0.0.1:{free_port()}/api/v1/events"
    live_page.evaluate(
        """([blocked]) => { window.stuck = LobbyLive.connect({ url: blocked, baseMs: 20, capMs: 160,
             openTimeoutMs: 100, random: () => 1 }); }""",
        [blocked],
    )
    wait_js(live_page, "window.stuck.delays.length >= 3", 5000)
    assert live_page.evaluate("window.stuck.delays.slice(0, 3)") == [20, 40, 80]
    assert live_page.evaluate("window.stuck.connects") == 0
    live_page.evaluate("window.stuck.close()")


def _serve(launcher: HubLauncher, database: str, port: int, log: Path, name: str) -> HubProcess:
    args = ["serve", "--config", str(ROOT / "branch.yml"), "--database", database, "--port", str(port)]
    env = {"LOBBY_DIALOGUE__RASA_URL": f"http://127.0.0.1:{free_port()}", **ALWAYS_OPEN}
    hub = launcher.start(args, port, log, env, name=name)
    hub.wait_healthy(60)
    return hub


def _kill(hub: HubProcess) -> None:
    """SIGKILL: no goodbye to the pages (a crash, a pulled plug); their sockets just end."""
    os.killpg(hub.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while hub.alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not hub.alive(), "the hub survived SIGKILL"


def test_pages_reconnect_after_the_hub_is_killed_and_show_what_changed_meanwhile(
    browser: Any, hub_launcher: HubLauncher, tmp_path: Path
) -> None:
    port = free_port()
    database = f"sqlite:///{tmp_path / 'hub.db'}"
    base = f"http://127.0.0.1:{port}"
    first = _serve(hub_launcher, database, port, tmp_path / "hub-1.log", "hub 1")
    manager = make_token(database, "manager")
    ticket = httpx.post(f"{base}/api/v1/tickets", json={"service": "cash"}, timeout=10).raise_for_status().json()

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    hubs = [first]
    try:
        track = context.new_page()
        track.goto(f"{base}/t/{ticket['id']}")
        expect(track.locator("#status")).to_have_text("You are next.", timeout=10_000)
        expect(track.locator("body")).to_have_attribute("data-live", "open", timeout=10_000)

        dashboard = context.new_page()
        dashboard.goto(f"{base}/dashboard")
        dashboard.fill("#token", manager)
        dashboard.get_by_role("button", name="Sign in").click()
        expect(dashboard.locator("#kpi-issued")).to_have_text("1", timeout=10_000)
        expect(dashboard.locator("#live")).to_have_text("Live", timeout=10_000)

        _kill(first)
        expect(track.locator("body")).to_have_attribute("data-live", "reconnecting", timeout=10_000)
        expect(dashboard.locator("#live")).to_have_text("Reconnecting…", timeout=10_000)
        expect(dashboard.locator("#live")).to_have_class("live down")

        # Meanwhile the branch goes on elsewhere: the ticket is called and another is issued.
        elsewhere_port = free_port()
        elsewhere = _serve(hub_launcher, database, elsewhere_port, tmp_path / "hub-2.log", "hub 2")
        hubs.append(elsewhere)
        other = f"http://127.0.0.1:{elsewhere_port}"
        staff = {"Authorization": f"Bearer {manager}"}
        called = httpx.post(f"{other}/api/v1/counters/c1/call-next", headers=staff, timeout=10).raise_for_status()
        assert called.json()["id"] == ticket["id"]
        httpx.post(f"{other}/api/v1/tickets", json={"service": "cards"}, timeout=10).raise_for_status()
        elsewhere.stop()
        expect(track.locator("#status")).to_have_text("You are next.")  # still what it knew: nothing told it
        expect(dashboard.locator("#kpi-issued")).to_have_text("1")

        hubs.append(_serve(hub_launcher, database, port, tmp_path / "hub-3.log", "hub 3"))
        expect(track.locator("body")).to_have_attribute("data-live", "open", timeout=WAIT_MS)
        expect(track.locator("#status")).to_have_text("Please go to Counter 1 now.", timeout=10_000)
        expect(track.locator("#status")).to_have_class("called")
        expect(dashboard.locator("#live")).to_have_text("Live", timeout=WAIT_MS)
        expect(dashboard.locator("#kpi-issued")).to_have_text("2", timeout=10_000)

        for page in (track, dashboard):  # the waits the pages took: the one policy, never over its cap
            [live] = page.evaluate("LobbyLive.connections.map((c) => ({ delays: c.delays, connects: c.connects }))")
            assert live["connects"] == 2, live
            assert live["delays"] and all(250 <= wait <= 10_000 for wait in live["delays"]), live
    finally:
        context.close()
        for hub in reversed(hubs):
            hub.stop()
