"""/t/{id}: what the ticket's QR code opens on a phone, live over the events WebSocket, in the ticket's language."""

# Chinese text uses full-width punctuation (U+FF0C, ...) on purpose: RUF001 takes it for look-alikes.
# ruff: noqa: RUF001

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import expect


def test_tracking_page_follows_the_ticket_live(hub_server: str, page: Any, hub_token: str) -> None:
    first = httpx.post(f"{hub_server}/api/v1/tickets", json={"service": "cards"}, timeout=10).json()
    mine = httpx.post(f"{hub_server}/api/v1/tickets", json={"service": "cards"}, timeout=10).json()
    failed: list[str] = []
    sockets: list[str] = []
    refused: list[str] = []  # what the Content-Security-Policy blocked (an inline script, for one)
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("websocket", lambda socket: sockets.append(socket.url))
    page.on("console", lambda message: refused.append(message.text) if "Content Security" in message.text else None)

    page.goto(f"{hub_server}/t/{mine['id']}")
    expect(page.locator("#number")).to_have_text(mine["number"], timeout=10_000)
    expect(page.locator("#service")).to_have_text("Cards and PIN")
    expect(page.locator("#status")).to_have_text("1 ahead of you")
    expect(page.locator("#come")).to_be_visible()  # 2nd in line (queue.notify_position 3): time to come

    staff = {"Authorization": f"Bearer {hub_token}"}
    called = httpx.post(f"{hub_server}/api/v1/counters/c2/call-next", headers=staff, timeout=10).json()
    assert called["id"] == first["id"]
    expect(page.locator("#status")).to_have_text("You are next.", timeout=5_000)  # pushed, no reload

    httpx.post(f"{hub_server}/api/v1/counters/c2/call-next", headers=staff, timeout=10)
    expect(page.locator("#status")).to_have_text("Please go to Counter 2 now.", timeout=5_000)
    expect(page.locator("#come")).to_be_hidden()
    assert not [url for url in failed if not url.startswith(hub_server)], failed  # nothing from the internet
    # Its own ticket's stream only: the public one would show it everyone else's tickets.
    assert set(sockets) == {f"{hub_server.replace('http', 'ws')}/api/v1/tickets/{mine['id']}/events"}
    assert not refused, refused


def test_unknown_ticket_says_so(hub_server: str, page: Any) -> None:
    page.goto(f"{hub_server}/t/no-such-ticket")
    expect(page.locator("#service")).to_have_text("no ticket no-such-ticket", timeout=10_000)


def test_a_remote_ticket_shows_its_deadline_and_qr_and_can_say_i_am_here(hub_server: str, page: Any) -> None:
    remote = {"service": "cards", "channel": "mobile", "remote": True}
    mine = httpx.post(f"{hub_server}/api/v1/tickets", json=remote, timeout=10).json()

    page.goto(f"{hub_server}/t/{mine['id']}")
    arrival = page.get_by_role("region", name="Check in when you arrive")
    expect(arrival).to_be_visible(timeout=10_000)
    expect(page.locator("#deadline")).to_contain_text("Your place is kept until")
    qr = page.get_by_alt_text("QR code of this ticket: scan it at the branch kiosk")
    expect(qr).to_be_visible()
    expect(qr).to_have_js_property("complete", True, timeout=10_000)  # loaded (or failed): no race
    assert qr.evaluate("(img) => img.naturalWidth") > 0  # the QR drew, not a broken image
    expect(page.locator("#come")).to_have_text("Time to head to the branch: you are nearly at the front.")

    page.get_by_role("button", name="I'm at the branch").click()
    expect(arrival).to_be_hidden(timeout=5_000)
    expect(page.locator("#come")).to_have_text("Nearly your turn: please stay close to the counters.")
    assert httpx.get(f"{hub_server}/api/v1/tickets/{mine['id']}", timeout=10).json()["arrive_by"] is None


# -- the ticket's language -------------------------------------------------------------------------

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _words_shown(page: Any, number: str) -> str:
    """Every word the ticket part of the page shows (not the language switch), without the ticket number."""
    return str(page.locator("main > div").inner_text()).replace(number, "")


def test_a_ticket_taken_in_chinese_tracks_in_chinese(hub_server: str, page: Any, hub_token: str) -> None:
    first = httpx.post(f"{hub_server}/api/v1/tickets", json={"service": "cards"}, timeout=10).json()
    mine = httpx.post(f"{hub_server}/api/v1/tickets", json={"service": "cards", "lang": "zh"}, timeout=10).json()
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))

    page.goto(f"{hub_server}/t/{mine['id']}")
    expect(page.locator("#status")).to_have_text("前面还有1位", timeout=10_000)
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("#service")).to_have_text("银行卡与密码")
    # the wait as the model says it: a range, "less than" (it starts at 0: two counters are free) or "more than"
    expect(page.locator("#eta")).to_have_text(re.compile(r"^(大约\d+(–\d+)?|不到(\d+|一)|超过\d+)分钟$"))
    expect(page.locator("#come")).to_have_text("马上就轮到您了，请在柜台附近等候。")
    expect(page).to_have_title("我的排队号")
    assert not LATIN_WORD.search(_words_shown(page, mine["number"])), _words_shown(page, mine["number"])
    font = page.evaluate("getComputedStyle(document.querySelector('#status')).fontFamily")
    assert font.startswith('"Noto Sans CJK SC"'), font
    expect(page.get_by_role("button", name="中文")).to_have_attribute("aria-pressed", "true")

    staff = {"Authorization": f"Bearer {hub_token}"}
    called = httpx.post(f"{hub_server}/api/v1/counters/c2/call-next", headers=staff, timeout=10).json()
    assert called["id"] == first["id"]
    expect(page.locator("#status")).to_have_text("您是下一位", timeout=5_000)  # pushed, no reload
    httpx.post(f"{hub_server}/api/v1/counters/c2/call-next", headers=staff, timeout=10)
    expect(page.locator("#status")).to_have_text("请到2号窗口办理。", timeout=5_000)
    assert not LATIN_WORD.search(_words_shown(page, mine["number"])), _words_shown(page, mine["number"])

    # The switch overrides the ticket's language, and is remembered for this ticket.
    page.get_by_role("button", name="English").click()
    expect(page.locator("#status")).to_have_text("Please go to Counter 2 now.")
    expect(page.locator("#service")).to_have_text("Cards and PIN", timeout=5_000)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(page.locator("#status")).to_have_text("Please go to Counter 2 now.", timeout=10_000)
    page.get_by_role("button", name="中文").click()
    expect(page.locator("#status")).to_have_text("请到2号窗口办理。")

    for step in ("start", "finish"):
        body = {"outcome": "done"} if step == "finish" else None
        assert httpx.post(f"{hub_server}/api/v1/counters/c2/{step}", headers=staff, json=body, timeout=10).is_success
    expect(page.locator("#status")).to_have_text("业务已办结，感谢您的光临", timeout=5_000)
    assert not [url for url in failed if not url.startswith(hub_server)], failed  # no web fonts, no CDN


def test_a_chinese_remote_ticket_asks_to_check_in_in_chinese(hub_server: str, page: Any) -> None:
    remote = {"service": "cards", "channel": "mobile", "remote": True, "lang": "zh"}
    mine = httpx.post(f"{hub_server}/api/v1/tickets", json=remote, timeout=10).json()

    page.goto(f"{hub_server}/t/{mine['id']}")
    arrival = page.get_by_role("region", name="到网点后签到")
    expect(arrival).to_be_visible(timeout=10_000)
    expect(page.locator("#deadline")).to_have_text(re.compile(r"^请在\d\d:\d\d前到网点签到，我们为您保留排队位置。$"))
    expect(page.locator("#come")).to_have_text("马上就轮到您了，请现在出发前往网点。")
    expect(page.get_by_alt_text("本排队号的二维码，请在网点自助机上扫描")).to_be_visible()
    assert not LATIN_WORD.search(_words_shown(page, mine["number"])), _words_shown(page, mine["number"])

    page.get_by_role("button", name="我已到网点").click()
    expect(arrival).to_be_hidden(timeout=5_000)
    expect(page.locator("#come")).to_have_text("马上就轮到您了，请在柜台附近等候。")


def test_an_unknown_ticket_says_so_in_the_language_asked_for(hub_server: str, page: Any) -> None:
    page.goto(f"{hub_server}/t/no-such-ticket?lang=zh")
    expect(page.locator("#service")).to_have_text("没有找到这张排队号，请核对二维码或链接。", timeout=10_000)
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
