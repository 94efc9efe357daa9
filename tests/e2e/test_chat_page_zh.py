"""A Mandarin-speaking customer on the reference chat page (/chat in 中文, headless Chromium), through the real
branch (hub, Rasa, action server): books an appointment in their own words with one correction, then, as a
walk-in, reports a lost card and takes the ticket offered. Every word the assistant says is Chinese."""

# The customer types full-width punctuation (U+FF0C ...), as Chinese keyboards do.
# ruff: noqa: RUF001

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.e2e.chinese import assert_chinese
from tests.e2e.conftest import Branch
from tests.web.conftest import browser, page  # noqa: F401 (fixtures)

WAIT_MS = 60_000
# The assistant's messages from index `n` on: each bubble's own text and its quick-reply titles.
BUBBLES_FROM = """n => [...document.querySelectorAll('.msg.bot')].slice(n).map(b => ({
  text: b.firstChild && b.firstChild.nodeType === Node.TEXT_NODE ? b.firstChild.textContent : '',
  buttons: [...b.querySelectorAll('.replies button')].map(x => x.textContent),
}))"""


@dataclass(frozen=True)
class Bubble:
    text: str
    buttons: list[str]


class Customer:
    """Types or taps on the page and reads the assistant's answer to that turn."""

    def __init__(self, tab: Any) -> None:
        self.page = tab
        self.heard: list[Bubble] = []  # everything the assistant said, in order

    def _answer(self, act: Any) -> list[Bubble]:
        before = self.page.locator(".msg.bot").count()
        act()
        # A locator's wait, not wait_for_function: the page's CSP forbids the eval that one polls with.
        self.page.locator(".msg.bot").nth(before).wait_for(timeout=WAIT_MS)
        new = [Bubble(b["text"], b["buttons"]) for b in self.page.evaluate(BUBBLES_FROM, before)]
        self.heard += new
        return new

    def says(self, text: str) -> list[Bubble]:
        def act() -> None:
            self.page.get_by_label("您的消息").fill(text)
            self.page.get_by_role("button", name="发送").click()

        return self._answer(act)

    def taps(self, title: str) -> list[Bubble]:
        buttons = self.page.locator(".msg.bot").last.locator(".replies button")
        return self._answer(lambda: buttons.filter(has_text=re.compile(f"^{re.escape(title)}$")).click())


def test_a_chinese_booking_with_a_correction_then_a_lost_card_ticket(page: Any, branch: Branch) -> None:  # noqa: F811
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(f"{branch.hub_url}/chat?lang=zh&token=e2e-zh-customer-0123456789")
    expect(page.locator("body")).to_have_attribute("data-socket", "open", timeout=WAIT_MS)
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    customer = Customer(page)

    asked = customer.says("我想约个时间办贷款")
    loans = [title for title in asked[-1].buttons if "贷款" in title]
    if loans:  # asked which service first: the customer taps the loans one
        asked = customer.taps(loans[0])
    assert "哪一天" in asked[-1].text, asked  # the day question

    # Day and time in one answer; if ten o'clock is gone, the assistant offers free times: take the first.
    confirm = customer.says("明天上午十点")
    if "确认" not in confirm[-1].buttons:
        offered = confirm[-1].buttons
        assert offered, confirm
        confirm = customer.taps(offered[0])
    assert confirm[-1].text.startswith("为您预约明天") and confirm[-1].text.endswith("可以吗？"), confirm
    assert "贷款" in confirm[-1].text

    corrected = customer.says("不对，改成下午三点")
    assert corrected[-1].text.startswith("为您预约明天"), corrected  # the same day, a fresh yes asked for
    assert "下午3点" in corrected[-1].text and "可以吗" in corrected[-1].text, corrected
    day = re.search(r"明天（(\d+)月(\d+)日", corrected[-1].text)
    assert day, corrected

    booked = customer.says("好的")
    card = page.locator("section.appointment")
    expect(card).to_be_visible(timeout=WAIT_MS)
    code = card.locator(".code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{6}", code)
    assert any(" ".join(code) in bubble.text for bubble in booked), booked  # read out one character at a time
    expect(card).to_have_attribute("aria-label", f"预约 {code}")
    expect(card.locator("h2")).to_have_text("您的预约")
    expect(card.get_by_role("link", name="添加到日历")).to_be_visible()
    expect(card.get_by_alt_text(re.compile(f"预约码{code}的二维码"))).to_be_visible()
    assert_chinese(card.inner_text(), codes=[code])

    stored = httpx.get(f"{branch.hub_url}/api/v1/appointments/{code}", timeout=10).json()
    assert stored["status"] == "booked" and stored["service"] == "loans", stored
    assert stored["starts_at"][11:16] == "15:00", stored  # the corrected time, not the first one
    month, date = (int(part) for part in stored["starts_at"][5:10].split("-"))
    assert (month, date) == (int(day[1]), int(day[2])), stored  # tomorrow, as the assistant said it

    # The same customer, now a walk-in: a lost card, the ticket offered with the wait, a yes.
    offer = customer.says("我的卡丢了")
    assert "银行卡与密码" in offer[-1].text and len(offer[-1].buttons) == 2, offer
    ticket = page.locator("section.ticket")
    expect(ticket).to_have_count(0)  # nothing issued before the yes
    issued = customer.says("好的")
    expect(ticket).to_be_visible(timeout=WAIT_MS)
    number = ticket.locator(".number").inner_text()
    assert any(f"{number[0]} " in bubble.text for bubble in issued), issued  # "C 4 号", read aloud
    expect(ticket).to_have_attribute("aria-label", f"排队号 {number}")
    expect(ticket.locator("h2")).to_have_text("银行卡与密码")
    assert_chinese(ticket.inner_text(), codes=[number])
    track = ticket.get_by_role("link", name="查看排队进度").get_attribute("href")
    ticket_id = re.search(r"/t/(\w+)\?lang=zh$", track or "")
    assert ticket_id, track
    view = httpx.get(f"{branch.hub_url}/api/v1/tickets/{ticket_id[1]}", timeout=10).json()
    assert view["number"] == number and view["service"] == "cards" and view["lang"] == "zh", view

    # Everything the assistant said (and every button it offered) was Chinese; the page stayed Chinese.
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    greeting = page.locator(".msg.bot").first.inner_text()
    for said in [greeting, *(bubble.text for bubble in customer.heard)]:
        assert_chinese(said, codes=[" ".join(code), f"{number[0]} "])
    for title in (title for bubble in customer.heard for title in bubble.buttons):
        assert_chinese(title)
    assert not [url for url in failed if not url.startswith(branch.hub_url)], failed
