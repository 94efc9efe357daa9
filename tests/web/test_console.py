"""/console: the counter console in headless Chromium against real hub processes.

Each test drives the page like a teller (clicks and keyboard shortcuts) and checks the outcome
through the hub's own API or its database, not just the page. Set LOBBY_UPDATE_SCREENSHOTS=1 to
rewrite docs/screenshots/console.png.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import make_token, serve_args
from tests.hubs import HubLauncher, HubProcess
from tests.support import ROOT, free_port

SCREENSHOT = ROOT / "docs" / "screenshots" / "console.png"
LIVE_TIMEOUT = 10_000  # ms: an event has to reach the page and be redrawn


class Console:
    """One browser tab on /console at 1280x800, remembering every URL it asked for."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.urls: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))
        page.on("websocket", lambda ws: self.urls.append(ws.url))

    def open(self) -> None:
        self.page.goto(f"{self.base}/console")

    def sign_in(self, token: str, counter: str = "c1") -> None:
        self.open()
        self.page.fill("#token", token)
        self.page.click("#signin-button")
        self.page.click(f'#counter-choices button[data-counter="{counter}"]')
        expect(self.page.locator("#desk-view")).to_be_visible()
        expect(self.page.locator("#live")).to_have_attribute("data-state", "up", timeout=LIVE_TIMEOUT)

    def key(self, key: str) -> None:
        self.page.keyboard.press(key)

    def expect_message(self, text: str | re.Pattern[str]) -> None:
        expect(self.page.locator("#message")).to_have_text(text, timeout=LIVE_TIMEOUT)

    def expect_current(self, number: str) -> None:
        expect(self.page.locator("#current-number")).to_have_text(number, timeout=LIVE_TIMEOUT)

    def row(self, number: str) -> Any:
        return self.page.locator(f'#queue-list .ticket[data-number="{number}"]')

    def assert_stayed_local(self) -> None:
        host = self.base.split("://", 1)[1]
        assert self.urls, "the page made no requests at all"
        strays = [url for url in self.urls if url.split("://", 1)[-1].split("/", 1)[0] != host]
        assert not strays, strays  # nothing from the internet, nothing from other hosts


@pytest.fixture(scope="module")
def console_browser(browser: Any) -> Any:
    """The module's Chromium (tests/web/conftest.py), under the name the fixtures below use."""
    return browser


@pytest.fixture
def open_console(console_browser: Any) -> Iterator[Callable[[str], Console]]:
    contexts: list[Any] = []

    def make(base: str) -> Console:
        context = console_browser.new_context(viewport={"width": 1280, "height": 800})
        contexts.append(context)
        context.set_default_timeout(15_000)
        return Console(context.new_page(), base)

    try:
        yield make
    finally:
        for context in contexts:
            context.close()


def issue(base: str, service: str = "cash", **extra: Any) -> dict[str, Any]:
    response = httpx.post(f"{base}/api/v1/tickets", json={"service": service, **extra}, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def ticket(base: str, ticket_id: str) -> dict[str, Any]:
    response = httpx.get(f"{base}/api/v1/tickets/{ticket_id}", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def staff_get(base: str, token: str, path: str) -> dict[str, Any]:
    response = httpx.get(f"{base}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def outcome_in_database(database: Path, ticket_id: str) -> tuple[str, str]:
    with sqlite3.connect(database) as connection:
        row = connection.execute("SELECT status, outcome FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    return row[0], row[1]


# -- signing in -----------------------------------------------------------------------------


def test_sign_in_refuses_missing_wrong_and_device_tokens_then_remembers_the_tab(
    hub_server: str, hub_token: str, open_console: Callable[[str], Console], tmp_path: Path
) -> None:
    console = open_console(hub_server)
    page = console.page
    console.open()
    expect(page.locator("#signin-view")).to_be_visible()
    message = page.locator("#signin-message")

    page.click("#signin-button")
    expect(message).to_have_text("Enter your staff token first.")
    page.fill("#token", "lby_not-a-real-token")
    page.click("#signin-button")
    expect(message).to_have_text(re.compile(r"not accepted: unknown or revoked token"))
    device = make_token(f"sqlite:///{tmp_path / 'hub.db'}", "device")
    page.fill("#token", device)
    page.keyboard.press("Enter")
    expect(message).to_have_text(re.compile(r"may not run a counter .*a device token may not do this"))
    expect(page.locator("#picker-view")).to_be_hidden()
    assert page.evaluate("sessionStorage.getItem('lobby.console.token')") is None

    page.fill("#token", hub_token)
    page.click("#signin-button")
    expect(page.locator("#picker-view")).to_be_visible()
    expect(page.locator('#counter-choices button[data-counter="c2"]')).to_contain_text("Counter 2")
    page.keyboard.press("2")  # counters are numbered too
    expect(page.locator("#counter-title")).to_contain_text("Counter 2")
    expect(page.locator("#counter-title")).to_contain_text("Open")

    page.reload()  # the token and the counter live in this tab's sessionStorage
    expect(page.locator("#counter-title")).to_contain_text("Counter 2")
    assert page.evaluate("sessionStorage.getItem('lobby.console.token')") == hub_token

    page.click("#sign-out")
    expect(page.locator("#signin-view")).to_be_visible()
    expect(message).to_have_text("Signed out.")
    assert page.evaluate("sessionStorage.length") == 0
    page.reload()
    expect(page.locator("#signin-view")).to_be_visible()
    console.assert_stayed_local()


# -- calling ----------------------------------------------------------------------------------


def test_nothing_to_call_is_an_error_then_a_new_ticket_appears_live_and_call_next_shows_it(
    hub_server: str, hub_token: str, open_console: Callable[[str], Console]
) -> None:
    console = open_console(hub_server)
    console.sign_in(hub_token)
    expect(console.page.locator("#queue-total")).to_have_text("(0 waiting)")
    console.key("n")
    console.expect_message("Nothing to call: nobody is waiting for Counter 1")
    expect(console.page.locator("#message")).to_have_attribute("role", "alert")

    first = issue(hub_server, "cash", intent="withdraw_cash")
    row = console.row(first["number"])
    expect(row).to_be_visible(timeout=LIVE_TIMEOUT)  # pushed over the events WebSocket, no reload
    expect(row).to_contain_text("asked for: withdraw cash")
    expect(console.page.locator("#act-call-next")).to_contain_text("1 waiting for this counter")

    console.page.click("#act-call-next")
    console.expect_current(first["number"])
    console.expect_message(f"Called {first['number']} (Cash and cheques).")
    expect(console.page.locator("#current-status")).to_contain_text("Called")
    expect(row).to_have_count(0)
    called = ticket(hub_server, first["id"])
    assert (called["status"], called["counter"]) == ("called", "c1")
    console.assert_stayed_local()


def test_call_a_specific_ticket_from_the_waiting_list(
    hub_server: str, hub_token: str, open_console: Callable[[str], Console]
) -> None:
    first = issue(hub_server, "cash")
    vip = issue(hub_server, "cash", priority="priority")
    other = issue(hub_server, "payments")
    console = open_console(hub_server)
    console.sign_in(hub_token)
    expect(console.row(vip["number"]).locator(".badge.priority")).to_have_text("▲ Priority")
    console.page.get_by_role("button", name=f"Call {other['number']}").click()
    console.expect_current(other["number"])
    assert ticket(hub_server, other["id"])["status"] == "called"
    for waiting in (first, vip):
        assert ticket(hub_server, waiting["id"])["status"] == "waiting"
    console.assert_stayed_local()


def test_each_ticket_shows_the_language_to_greet_in(
    hub_server: str, hub_token: str, open_console: Callable[[str], Console]
) -> None:
    """A ticket taken in Chinese (kiosk switch, chat) says 中文 in the list and at the counter; English says EN."""
    english = issue(hub_server, "cash", lang="en")
    chinese = issue(hub_server, "cash", lang="zh")
    rows = staff_get(hub_server, hub_token, "/api/v1/tickets?status=waiting")["tickets"]
    assert {row["number"]: row.get("lang") for row in rows} == {english["number"]: "en", chinese["number"]: "zh"}
    console = open_console(hub_server)
    console.sign_in(hub_token)

    badge = console.row(chinese["number"]).locator(".badge.lang")
    expect(badge).to_have_text("中文", timeout=LIVE_TIMEOUT)
    expect(badge).to_have_attribute("lang", "zh-Hans")
    expect(badge).to_have_attribute("title", "Mandarin: greet in Chinese")
    expect(console.row(english["number"]).locator(".badge.lang")).to_have_text("EN")

    console.page.get_by_role("button", name=f"Call {chinese['number']}").click()
    console.expect_current(chinese["number"])
    expect(console.page.locator("#current-detail .badge.lang")).to_have_text("中文")
    console.page.get_by_role("button", name=f"Call {english['number']}").click()
    console.expect_current(english["number"])
    expect(console.page.locator("#current-detail .badge.lang")).to_have_text("EN")
    console.assert_stayed_local()


def test_shows_online_bookings_with_their_notes_and_remote_customers_on_the_way(
    hub_server: str, hub_token: str, open_console: Callable[[str], Console]
) -> None:
    """ "One authentication, served everywhere": what the customer told the app reaches the teller."""
    slot = None
    for offset in range(1, 15):
        day = (date.today() + timedelta(days=offset)).isoformat()
        slots = httpx.get(f"{hub_server}/api/v1/appointments/slots", params={"service": "loans", "date": day}).json()
        slot = next((s for s in slots["slots"] if s["free"]), None)
        if slot:
            break
    assert slot is not None
    booking = {"service": "loans", "starts_at": slot["starts_at"], "channel": "mobile", "intent": "mortgage"}
    booking["notes"] = "I want to remortgage my flat"
    code = httpx.post(f"{hub_server}/api/v1/appointments", json=booking, timeout=10).json()["code"]
    booked = issue(hub_server, "loans", priority="appointment", appointment_code=code, intent="mortgage")
    remote = issue(hub_server, "cards", channel="mobile", remote=True)
    console = open_console(hub_server)
    console.sign_in(hub_token)

    expect(console.row(booked["number"])).to_contain_text(f"appointment {code} at ")
    expect(console.row(booked["number"])).to_contain_text("booked online (mobile) · “I want to remortgage my flat”")
    expect(console.row(remote["number"]).locator(".badge.away")).to_have_text("On the way")
    expect(console.row(remote["number"])).to_contain_text("joined from the app, on the way")

    console.page.get_by_role("button", name=f"Call {booked['number']}").click()
    console.expect_current(booked["number"])
    expect(console.page.locator("#current-detail")).to_contain_text("asked for: mortgage")
    expect(console.page.locator("#current-detail blockquote")).to_have_text("“I want to remortgage my flat”")

    assert httpx.post(f"{hub_server}/api/v1/tickets/{remote['id']}/arrive", timeout=10).status_code == 200
    expect(console.row(remote["number"])).to_contain_text("joined from the app, here since", timeout=LIVE_TIMEOUT)
    expect(console.row(remote["number"]).locator(".badge.away")).to_have_count(0)
    console.assert_stayed_local()


def test_keyboard_selects_calls_starts_parks_and_pauses(
    hub_server: str, hub_token: str, open_console: Callable[[str], Console]
) -> None:
    tickets = [issue(hub_server, "cash") for _ in range(3)]
    console = open_console(hub_server)
    console.sign_in(hub_token)
    page = console.page
    expect(console.row(tickets[2]["number"])).to_be_visible()
    console.key("ArrowDown")
    console.key("ArrowDown")
    expect(console.row(tickets[1]["number"])).to_have_class(re.compile("selected"))
    expect(page.locator("#act-call-selected")).to_contain_text(tickets[1]["number"])
    console.key("Enter")  # call the selected ticket
    console.expect_current(tickets[1]["number"])
    assert ticket(hub_server, tickets[1]["id"])["status"] == "called"

    console.key("s")
    expect(page.locator("#current-status")).to_contain_text("Serving", timeout=LIVE_TIMEOUT)
    assert ticket(hub_server, tickets[1]["id"])["status"] == "serving"
    console.key("k")
    console.expect_message(f"{tickets[1]['number']} parked: call it again from the list.")
    expect(console.row(tickets[1]["number"])).to_have_attribute("data-status", "parked", timeout=LIVE_TIMEOUT)
    assert ticket(hub_server, tickets[1]["id"])["status"] == "parked"

    console.key("p")
    expect(page.locator("#counter-title")).to_contain_text("Paused", timeout=LIVE_TIMEOUT)
    expect(page.locator("#closed-banner")).to_be_visible()
    desks = staff_get(hub_server, hub_token, "/api/v1/console/counters")["counters"]
    assert next(d for d in desks if d["id"] == "c1")["state"] == "closed"
    console.key("n")
    console.expect_message("Counter paused: Counter 1 is closed; open it first")
    console.key("p")
    expect(page.locator("#counter-title")).to_contain_text("Open", timeout=LIVE_TIMEOUT)
    console.key("f")
    console.expect_message("Nobody at the counter to finish.")
    console.key("n")
    console.expect_current(tickets[0]["number"])
    console.assert_stayed_local()


# -- recall, no-show, transfer, finish --------------------------------------------------------


def test_no_show_too_soon_shows_the_hub_error_and_the_cooldown(
    hub_server: str, hub_token: str, open_console: Callable[[str], Console]
) -> None:
    called = issue(hub_server, "cash")
    console = open_console(hub_server)
    console.sign_in(hub_token)
    console.key("n")
    console.expect_current(called["number"])
    expect(console.page.locator("#no-show-sub")).to_have_text(re.compile(r"possible in (5\d|60) s"))
    console.key("x")
    console.expect_message("Too soon for no-show: give the customer 60 s to come after a call before no-show")
    assert ticket(hub_server, called["id"])["status"] == "called"


def test_recall_until_the_limit_then_no_show(
    start_hub: Callable[..., str], open_console: Callable[[str], Console], tmp_path: Path
) -> None:
    database = f"sqlite:///{tmp_path / 'recall.db'}"
    base = start_hub(database, env={"LOBBY_QUEUE__NO_SHOW_AFTER_SECONDS": "1"})
    token = make_token(database)
    gone, late = issue(base, "cash"), issue(base, "cash")
    console = open_console(base)
    console.sign_in(token)
    page = console.page
    console.key("n")
    console.expect_current(gone["number"])
    expect(page.locator("#act-recall")).to_contain_text("0 of 2 used")
    expect(page.locator("#no-show-sub")).to_have_text("possible now", timeout=LIVE_TIMEOUT)  # after 1 s

    console.key("r")
    console.expect_message(f"Recalled {gone['number']} (1 of 2).")
    expect(page.locator("#act-recall")).to_contain_text("1 of 2 used")
    page.click("#act-recall")
    console.expect_message(f"Recalled {gone['number']} (2 of 2).")
    expect(page.locator("#act-recall")).to_contain_text("2 of 2 used: next = no-show")
    console.key("r")
    console.expect_message(f"{gone['number']} did not come after 2 recalls: marked no-show.")
    console.expect_current("—")
    assert ticket(base, gone["id"])["status"] == "no_show"

    console.key("n")
    console.expect_current(late["number"])
    expect(page.locator("#no-show-sub")).to_have_text("possible now", timeout=LIVE_TIMEOUT)
    console.key("x")
    console.expect_message(f"{late['number']} marked no-show.")
    assert ticket(base, late["id"])["status"] == "no_show"
    console.assert_stayed_local()


def test_transfer_to_a_service_then_to_a_named_counter_keeps_the_number(
    hub_server: str, hub_token: str, open_console: Callable[[str], Console]
) -> None:
    moved = issue(hub_server, "cash")
    console = open_console(hub_server)
    console.sign_in(hub_token)
    page = console.page
    console.key("n")
    console.expect_current(moved["number"])
    console.key("t")
    expect(page.locator("#transfer-panel")).to_be_visible()
    expect(page.locator('#transfer-services button[data-service="cash"]')).to_be_disabled()  # where it is now
    expect(page.locator('#transfer-services button[data-service="cards"]')).to_contain_text("3")
    console.key("3")  # the third service: Cards and PIN
    console.expect_message(f"{moved['number']} transferred to Cards and PIN: same number, back in line.")
    after = ticket(hub_server, moved["id"])
    assert (after["number"], after["service"], after["status"]) == (moved["number"], "cards", "waiting")
    assert after["issued_at"] == moved["issued_at"]  # same arrival: it keeps its place
    in_cards = page.locator(f'#queue-list .group[data-service="cards"] .ticket[data-number="{moved["number"]}"]')
    expect(in_cards).to_be_visible()

    page.get_by_role("button", name=f"Call {moved['number']}").click()  # counter 1 also takes cards
    console.expect_current(moved["number"])
    console.key("t")
    expect(page.locator('#transfer-counters button[data-counter="c3"]')).to_contain_text("B")
    console.key("b")  # Counter 2 is A, the Advisor desk is B (this counter is not offered)
    console.expect_message(f"{moved['number']} transferred to Advisor desk: same number, back in line.")
    expect(console.row(moved["number"])).to_contain_text("sent to Advisor desk")
    listing = staff_get(hub_server, hub_token, "/api/v1/tickets?status=waiting")["tickets"]
    mine = next(t for t in listing if t["id"] == moved["id"])
    assert (mine["number"], mine["target_counter"], mine["transfers"]) == (moved["number"], "c3", 2)
    console.key("t")
    console.expect_message("Nobody at the counter to transfer.")
    console.assert_stayed_local()


def test_finish_with_an_outcome(
    hub_server: str, hub_token: str, open_console: Callable[[str], Console], tmp_path: Path
) -> None:
    served = issue(hub_server, "payments")
    console = open_console(hub_server)
    console.sign_in(hub_token)
    page = console.page
    page.click("#act-call-next")
    console.expect_current(served["number"])
    page.click("#act-start")
    expect(page.locator("#current-status")).to_contain_text("Serving", timeout=LIVE_TIMEOUT)
    console.key("f")
    choices = page.locator("#outcome-choices button")
    expect(choices).to_have_text(["1Done", "2Referred", "3Follow up", "4Could not help"])
    console.key("Escape")
    expect(page.locator("#finish-panel")).to_be_hidden()
    console.key("f")
    console.key("3")
    console.expect_message(f"{served['number']} finished: Follow up.")
    console.expect_current("—")
    assert ticket(hub_server, served["id"])["status"] == "served"
    assert outcome_in_database(tmp_path / "hub.db", served["id"]) == ("served", "follow_up")
    console.assert_stayed_local()


# -- live: a hub restart, and the screen fits ---------------------------------------------------


def test_reconnects_after_a_hub_restart_and_takes_the_fresh_state(
    open_console: Callable[[str], Console], tmp_path: Path, hub_launcher: HubLauncher
) -> None:
    port = free_port()
    database = f"sqlite:///{tmp_path / 'restart.db'}"
    base = f"http://127.0.0.1:{port}"
    env = {"LOBBY_DIALOGUE__RASA_URL": f"http://127.0.0.1:{free_port()}"}

    def hub(run: int) -> HubProcess:  # the real `lobby serve`, forked from the session's zygote
        return hub_launcher.start(serve_args(database, port), port, tmp_path / f"hub-{run}.log", env, name=f"hub {run}")

    first = hub(1)
    second = None
    try:
        first.wait_healthy(60)
        token = make_token(database)
        before = issue(base, "cash")
        console = open_console(base)
        console.sign_in(token)
        expect(console.row(before["number"])).to_be_visible()
        first.stop()
        expect(console.page.locator("#live")).to_have_attribute("data-state", "down", timeout=LIVE_TIMEOUT)
        expect(console.page.locator("#live")).to_have_text("Reconnecting to the hub…")
        second = hub(2)
        second.wait_healthy(60)
        after = issue(base, "cash")
        expect(console.page.locator("#live")).to_have_attribute("data-state", "up", timeout=30_000)
        expect(console.row(after["number"])).to_be_visible(timeout=LIVE_TIMEOUT)
        console.key("n")
        console.expect_current(before["number"])
        console.assert_stayed_local()
    finally:
        first.stop()
        if second is not None:
            second.stop()


def test_fits_a_1280x800_screen_mid_flow(
    hub_server: str, hub_token: str, open_console: Callable[[str], Console], tmp_path: Path
) -> None:
    issue(hub_server, "cash", intent="withdraw_cash")
    issue(hub_server, "cash", priority="priority", intent="deposit_cheque")
    issue(hub_server, "cards", intent="report_lost_card")
    issue(hub_server, "payments", intent="pay_bill")
    issue(hub_server, "loans", priority="appointment", appointment_code="K7P2QX")
    issue(hub_server, "exchange", intent="exchange_currency")
    issue(hub_server, "cash")
    issue(hub_server, "cards", intent="replace_card", channel="mobile", remote=True)  # on the way
    console = open_console(hub_server)
    console.sign_in(hub_token)
    page = console.page
    console.key("n")
    console.expect_current("A002")  # the priority ticket
    console.key("r")
    console.expect_message("Recalled A002 (1 of 2).")
    console.key("ArrowDown")
    expect(page.locator(".ticket.selected")).to_have_count(1)
    # Everything on one screen: the page itself never scrolls, every action button is in view.
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size[0] <= 1280 and size[1] <= 800, size
    for button in page.locator(".actions button").all():
        box = button.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 800 and box["x"] + box["width"] <= 1280
    expect(console.row("L001").locator(".badge.appointment")).to_have_text("★ Appt")
    expect(console.row("L001")).to_contain_text("appointment K7P2QX")
    shot = tmp_path / "console.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("LOBBY_UPDATE_SCREENSHOTS"):
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)
    console.assert_stayed_local()
