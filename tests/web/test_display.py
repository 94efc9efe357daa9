"""/display in headless Chromium against real hub processes: calls within a second, spoken; recovery.

Sound: Chromium is started with --autoplay-policy=no-user-gesture-required (what a display PC's
kiosk browser runs with); one test uses the default policy and the page's "Enable sound" button.
Set LOBBY_SCREENSHOT_DIR to also write the 1280x720 screenshot there (docs/screenshots).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import make_token, serve_args
from tests.hubs import HubLauncher, HubProcess
from tests.support import free_port
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS

AUTOPLAY = "--autoplay-policy=no-user-gesture-required"


@pytest.fixture(scope="module")
def loud_browser(browser: Any) -> Iterator[Any]:
    """A second Chromium from the same Playwright (the sync API allows one per thread), sound allowed."""
    chromium = browser.browser_type.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, AUTOPLAY], headless=True)
    try:
        yield chromium
    finally:
        chromium.close()


def wait_true(page: Any, expression: str, arg: Any = None, timeout_ms: int = 5000) -> None:
    """Poll `expression` (a JS expression, or a function of `arg`) until it is truthy. Not wait_for_function:
    its polling evaluates strings with eval, which the page's Content-Security-Policy forbids."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        if page.evaluate(expression, arg) if arg is not None else page.evaluate(expression):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout_ms} ms: {expression}")
        page.wait_for_timeout(20)


class Hub:
    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.staff = {"Authorization": f"Bearer {token}"}

    def issue(self, *services: str, lang: str = "en") -> list[dict[str, Any]]:
        return [
            httpx.post(f"{self.url}/api/v1/tickets", json={"service": s, "lang": lang}, timeout=10)
            .raise_for_status()
            .json()
            for s in services
        ]

    def announcement_etag(self, ticket_id: str, lang: str) -> str:
        """The ETag (a hash of the phrase, its language and voice) of a call said in `lang`."""
        response = httpx.get(f"{self.url}/api/v1/announcements/{ticket_id}.wav?lang={lang}", timeout=30)
        return response.raise_for_status().headers["etag"]  # type: ignore[no-any-return]

    def counter(self, counter: str, action: str = "call-next") -> dict[str, Any]:
        response = httpx.post(f"{self.url}/api/v1/counters/{counter}/{action}", headers=self.staff, timeout=10)
        return response.raise_for_status().json()  # type: ignore[no-any-return]


@pytest.fixture
def hub(tmp_path: Path, start_hub: Callable[..., str]) -> Hub:
    """A real hub with its own SQLite file and an empty announcement cache."""
    database = f"sqlite:///{tmp_path / 'hub.db'}"
    url = start_hub(database, {"LOBBY_HARDWARE__VOICE_DIR": str(tmp_path / "voice")})
    return Hub(url, make_token(database))


class Display:
    """A /display page, with every request it makes recorded."""

    def __init__(self, browser: Any, hub_url: str, query: str = "", width: int = 1920, height: int = 1080) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.audio: list[tuple[str, int, str]] = []  # (url, status, content type) of announcements
        self.etags: dict[str, str] = {}  # announcement url -> its ETag: which phrase the hub said
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("websocket", lambda socket: self.requests.append(socket.url))
        self.page.on("response", self._response)
        self.page.goto(f"{hub_url}/display{query}")
        self.wait_connected()

    def _response(self, response: Any) -> None:
        if "/api/v1/announcements/" in response.url:
            self.audio.append((response.url, response.status, response.headers.get("content-type", "")))
            if etag := response.headers.get("etag"):
                self.etags[response.url] = etag

    def wait_connected(self, timeout_ms: int = 10_000) -> None:
        script = "window.lobbyDisplay && window.lobbyDisplay.connected && window.lobbyDisplay.synced"
        wait_true(self.page, script, timeout_ms=timeout_ms)

    def debug(self, expression: str) -> Any:
        return self.page.evaluate(f"window.lobbyDisplay.{expression}")

    def wait_spoken(self, number: str, times: int = 1, timeout_ms: int = 5000) -> None:
        """Until the call of ticket `number` has started to be said `times` times (after its chime). The
        display knows tickets by number: the public stream it reads carries no ticket ids."""
        script = "([id, n]) => window.lobbyDisplay.announced.filter((a) => a.ticket === id && a.speechAt).length >= n"
        wait_true(self.page, script, [number, times], timeout_ms)

    def numbers(self) -> list[str]:
        return self.page.locator("#calls li .num").all_inner_texts()  # type: ignore[no-any-return]

    def assert_local_only(self, *origins: str) -> None:
        allowed = ("data:", *origins)
        strays = [url for url in self.requests if not url.startswith(allowed)]
        assert not strays, f"requests left the hub: {strays}"

    def assert_fits(self) -> None:
        """Nothing scrolls or spills: a lobby screen has nobody to scroll it."""
        overflow = self.page.evaluate(
            """() => {
              const root = document.scrollingElement;
              const spilled = [...document.querySelectorAll('#services td, #calls li span, .counters span')]
                .filter((cell) => cell.scrollWidth > cell.clientWidth + 1).map((cell) => cell.textContent);
              return {scroll: [root.scrollWidth - innerWidth, root.scrollHeight - innerHeight], spilled};
            }"""
        )
        assert overflow == {"scroll": [0, 0], "spilled": []}, overflow

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def displays() -> Iterator[list[Display]]:
    opened: list[Display] = []
    yield opened
    for display in opened:
        display.close()


def test_a_call_is_shown_and_announced_within_a_second(loud_browser: Any, hub: Hub, displays: list[Display]) -> None:
    hub.issue("cards", "cards", "cash")
    display = Display(loud_browser, hub.url)
    displays.append(display)
    expect(display.page.locator("#services tr[data-service=cards] .count")).to_have_text("2")

    posted_at = time.time() * 1000
    called = hub.counter("c2")
    expect(display.page.locator("#now-number")).to_have_text(called["number"], timeout=1000)
    expect(display.page.locator("#now-counter")).to_have_text("Counter 2")
    wait_true(display.page, f"window.lobbyDisplay.shown[{called['number']!r}]", timeout_ms=1000)
    shown_ms = display.debug(f"shown[{called['number']!r}]") - posted_at

    display.wait_spoken(called["number"])
    entry = display.debug("announced[0]")
    chime_ms, speech_ms = entry["chimeAt"] - posted_at, entry["speechAt"] - posted_at
    print(
        f"\n[display] {called['number']} to Counter 2: on screen {shown_ms:.0f} ms after the POST, "
        f"chime starts {chime_ms:.0f} ms, spoken call starts {speech_ms:.0f} ms (after the 0.7 s chime)"
    )
    assert shown_ms < 1000
    assert chime_ms < 1000  # the announcement starts within a second; the words follow the chime
    assert speech_ms < 1500

    url = f"{hub.url}/api/v1/announcements/{called['number']}.wav?lang=ticket"  # said in the ticket's language
    assert display.page.evaluate("document.getElementById('speech').currentSrc") == url
    assert (url, 200, "audio/wav") in display.audio
    audio = display.page.evaluate(
        "(() => { const a = document.getElementById('speech'); "
        "return {ready: a.readyState, duration: a.duration, error: a.error}; })()"
    )
    assert audio["ready"] >= 2 and 1.0 <= audio["duration"] <= 6.0 and audio["error"] is None
    wait_true(display.page, "window.lobbyDisplay.announced[0].endedAt", timeout_ms=10_000)  # played through

    recalled = hub.counter("c2", "recall")  # announced again, from the hub's cache
    assert recalled["id"] == called["id"]
    display.wait_spoken(called["number"], times=2)
    assert display.debug("announced[1].recall") is True
    expect(display.page.locator("#calls li")).to_have_count(1)  # a recall is not a second row
    display.assert_fits()
    display.assert_local_only(hub.url, hub.url.replace("http://", "ws://"))


def test_a_chinese_ticket_is_called_in_chinese(loud_browser: Any, hub: Hub, displays: list[Display]) -> None:
    """By default each call is said in its ticket's language: a ticket taken in Chinese, in Chinese."""
    [english] = hub.issue("cards")
    [chinese] = hub.issue("cards", lang="zh")
    display = Display(loud_browser, hub.url)
    displays.append(display)

    for ticket, lang in ((english, "en"), (chinese, "zh")):
        called = hub.counter("c2")  # the two tickets in the order they were taken
        assert called["id"] == ticket["id"]
        display.wait_spoken(ticket["number"], timeout_ms=20_000)
        url = f"{hub.url}/api/v1/announcements/{ticket['number']}.wav?lang=ticket"
        assert display.debug(f"announced.find((a) => a.ticket === {ticket['number']!r}).urls") == [url[len(hub.url) :]]
        assert display.etags[url] == hub.announcement_etag(ticket["id"], lang)
    # The ETag tells the phrases apart: the Chinese ticket's call was not the English one.
    zh_url = f"{hub.url}/api/v1/announcements/{chinese['number']}.wav?lang=ticket"
    assert display.etags[zh_url] != hub.announcement_etag(chinese["id"], "en")


def test_lang_on_the_display_overrides_the_tickets(loud_browser: Any, hub: Hub, displays: list[Display]) -> None:
    """`/display?lang=en` says every call in English, a Chinese ticket's too."""
    [chinese] = hub.issue("cards", lang="zh")
    display = Display(loud_browser, hub.url, "?lang=en")
    displays.append(display)
    called = hub.counter("c2")
    assert called["id"] == chinese["id"]
    display.wait_spoken(chinese["number"], timeout_ms=20_000)
    url = f"{hub.url}/api/v1/announcements/{chinese['number']}.wav?lang=en"
    assert display.debug("announced[0].urls") == [url[len(hub.url) :]]
    assert display.etags[url] == hub.announcement_etag(chinese["id"], "en")
    assert display.etags[url] != hub.announcement_etag(chinese["id"], "zh")


def test_last_calls_counters_and_waiting(loud_browser: Any, hub: Hub, displays: list[Display], tmp_path: Path) -> None:
    hub.issue(*["cash"] * 5, *["cards"] * 4, *["payments", "accounts"] * 2, "exchange", "help", "loans")
    display = Display(loud_browser, hub.url, "?last=5&sound=off", 1280, 720)
    displays.append(display)

    calls = []
    for counter in ("c1", "c2", "c3", "c1", "c2", "c1"):
        calls.append(hub.counter(counter))
        expect(display.page.locator("#now-number")).to_have_text(calls[-1]["number"], timeout=1000)

    newest_first = [call["number"] for call in reversed(calls)][:5]
    expect(display.page.locator("#calls li")).to_have_count(5)
    assert display.numbers() == newest_first
    # Calling the next customer finished the one before at that counter.
    expect(display.page.locator("#calls li").nth(4)).to_have_class("served")
    for counter, call in (("c1", calls[5]), ("c2", calls[4]), ("c3", calls[2])):
        expect(display.page.locator(f"#counters li[data-counter={counter}] .at")).to_have_text(call["number"])

    queue = httpx.get(f"{hub.url}/api/v1/queue", timeout=10).json()
    for service in queue["services"]:
        row = display.page.locator(f"#services tr[data-service={service['service']}]")
        expect(row.locator(".count")).to_have_text(str(service["waiting"]))
        if service["waiting"] and service["eta_minutes"]:
            low, high = service["eta_minutes"]
            words = {"under": f"< {high} min", "over": f"> {low} min"}
            said = words.get(service["eta_wording"], f"{low}\u2013{high} min")
            expect(row.locator(".eta")).to_have_text(said)  # the range with an en dash, or "less/more than"
    display.assert_fits()
    display.page.screenshot(path=str(tmp_path / "display.png"), animations="disabled")  # flash at its end state
    if target := os.environ.get("LOBBY_SCREENSHOT_DIR"):
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / "display.png", Path(target) / "display.png")

    hub.counter("c2", "finish")
    expect(display.page.locator("#counters li[data-counter=c2] .at")).to_have_text("—")
    hub.counter("c3", "finish")
    hub.counter("c3", "close")
    expect(display.page.locator("#counters li[data-counter=c3]")).to_have_class("closed")
    expect(display.page.locator("#counters li[data-counter=c3] .at")).to_have_text("closed")

    display.page.reload()  # the last calls come back from the hub, not from the page's memory
    display.wait_connected()
    expect(display.page.locator("#calls li")).to_have_count(5)
    assert display.numbers() == newest_first
    display.assert_fits()
    display.assert_local_only(hub.url, hub.url.replace("http://", "ws://"))


def test_a_call_during_a_resync_is_kept(loud_browser: Any, hub: Hub, displays: list[Display]) -> None:
    """The answer to GET /api/v1/calls asked before a call must not wipe that call off the screen."""
    hub.issue("cash", "cards")
    context = loud_browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    held: list[tuple[Any, Any]] = []

    def hold_the_first(route: Any) -> None:
        if held:
            route.continue_()
        else:
            held.append((route, route.fetch()))

    page.route("**/api/v1/calls?*", hold_the_first)
    try:
        page.goto(f"{hub.url}/display?sound=off")
        wait_true(page, "window.lobbyDisplay && window.lobbyDisplay.connected", timeout_ms=10_000)
        for _ in range(50):
            if held:
                break
            page.wait_for_timeout(100)
        assert held, "the page did not ask for the last calls"
        called = hub.counter("c1")  # while the page's first answer is held back
        expect(page.locator("#now-number")).to_have_text(called["number"], timeout=1000)
        stale_route, stale_answer = held[0]
        stale_route.fulfill(response=stale_answer)  # an empty list, older than the call

        wait_true(page, "window.lobbyDisplay.synced", timeout_ms=5000)
        expect(page.locator("#now-number")).to_have_text(called["number"])
        assert page.locator("#calls li .num").all_inner_texts() == [called["number"]]
    finally:
        context.close()


def _hub_process(launcher: HubLauncher, port: int, database: str, log_path: Path, voice: Path) -> HubProcess:
    """The real `lobby serve` on `port`, forked from the session's zygote (started at once)."""
    env = {"LOBBY_DIALOGUE__RASA_URL": f"http://127.0.0.1:{free_port()}", "LOBBY_HARDWARE__VOICE_DIR": str(voice)}
    return launcher.start(serve_args(database, port), port, log_path, env)


def test_reconnects_after_the_hub_restarts(
    loud_browser: Any, tmp_path: Path, displays: list[Display], hub_launcher: HubLauncher
) -> None:
    port = free_port()
    database = f"sqlite:///{tmp_path / 'hub.db'}"
    first = _hub_process(hub_launcher, port, database, tmp_path / "hub-1.log", tmp_path / "voice")
    second = None
    try:
        first.wait_healthy(60)
        hub = Hub(f"http://127.0.0.1:{port}", make_token(database))
        hub.issue("cash", "cash", "cards")
        display = Display(loud_browser, hub.url)
        displays.append(display)
        before = hub.counter("c1")
        expect(display.page.locator("#now-number")).to_have_text(before["number"], timeout=1000)

        # The display may still have a request open (the call's WAV): the hub cuts it after its 3 s grace
        # and exits by itself (Sanic's default 15 s outlasted this 10 s grace when the fetch was in flight).
        assert first.stop(grace=10), f"the hub did not stop on SIGTERM:\n{first.log_tail()}"
        expect(display.page.locator("#banner")).to_be_visible(timeout=10_000)
        expect(display.page.locator("#connection")).to_have_text("Reconnecting…")
        expect(display.page.locator("#now-number")).to_have_text(before["number"])  # still shows what it knew

        second = _hub_process(hub_launcher, port, database, tmp_path / "hub-2.log", tmp_path / "voice")
        second.wait_healthy(60)
        healthy_at = time.monotonic()
        display.wait_connected(timeout_ms=15_000)
        reconnect_s = time.monotonic() - healthy_at
        expect(display.page.locator("#banner")).to_be_hidden()

        posted_at = time.time() * 1000
        after = hub.counter("c2")
        expect(display.page.locator("#now-number")).to_have_text(after["number"], timeout=1000)
        wait_true(display.page, f"window.lobbyDisplay.shown[{after['number']!r}]", timeout_ms=1000)
        shown_ms = display.debug(f"shown[{after['number']!r}]") - posted_at
        print(
            f"\n[display] reconnected {reconnect_s:.1f} s after the new hub was healthy; "
            f"next call on screen in {shown_ms:.0f} ms"
        )
        assert shown_ms < 1000
        assert display.numbers() == [after["number"], before["number"]]
        assert display.debug("connects") == 2
        display.assert_local_only(hub.url, hub.url.replace("http://", "ws://"))
    finally:
        if second is not None:
            second.stop()
        first.stop()


def test_sound_needs_one_click_in_a_normal_browser(browser: Any, hub: Hub, displays: list[Display]) -> None:
    """Without the kiosk flag a browser refuses sound until someone touches the page: say so, once."""
    hub.issue("cash")
    display = Display(browser, hub.url, "", 1280, 720)
    displays.append(display)
    button = display.page.locator("#sound")
    expect(button).to_be_visible(timeout=5000)
    button.click()
    expect(button).to_be_hidden()

    called = hub.counter("c1")
    display.wait_spoken(called["number"])
    assert display.debug("soundBlocked") is False


def test_a_teller_calls_next_in_the_console_and_the_display_announces_it(
    loud_browser: Any, hub: Hub, displays: list[Display]
) -> None:
    """The whole staff path: a key press in /console, the call on /display and its announcement."""
    [issued] = hub.issue("cards")
    display = Display(loud_browser, hub.url)
    displays.append(display)
    context = loud_browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        console = context.new_page()
        console.goto(f"{hub.url}/console")
        console.fill("#token", hub.staff["Authorization"].removeprefix("Bearer "))
        console.click("#signin-button")
        console.click('#counter-choices button[data-counter="c2"]')
        expect(console.locator("#live")).to_have_attribute("data-state", "up", timeout=10_000)

        pressed_at = time.time() * 1000
        console.keyboard.press("n")  # call next
        expect(display.page.locator("#now-number")).to_have_text(issued["number"], timeout=1000)
        wait_true(display.page, f"window.lobbyDisplay.shown[{issued['number']!r}]", timeout_ms=1000)
        shown_ms = display.debug(f"shown[{issued['number']!r}]") - pressed_at
        display.wait_spoken(issued["number"])
        speech_ms = display.debug("announced[0]")["speechAt"] - pressed_at
        print(f"\n[console -> display] key press to screen {shown_ms:.0f} ms, to the spoken call {speech_ms:.0f} ms")
        assert shown_ms < 1000
        expect(console.locator("#current-number")).to_have_text(issued["number"])
    finally:
        context.close()
