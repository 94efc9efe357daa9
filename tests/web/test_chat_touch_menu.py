"""/chat in headless Chromium against a real hub whose dialogue engine is down: the touch menu still
issues a ticket, shown as a card with its QR code, and the customer's rating reaches the dashboard."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import expect

from tests.conftest import make_token


def test_touch_menu_ticket_card_and_rating(hub_server: str, page: Any, tmp_path: Any) -> None:
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(f"{hub_server}/chat?token=web-customer-0123456789")

    page.get_by_label("Your message").fill("hello")
    page.get_by_role("button", name="Send").click()
    page.get_by_role("button", name="Cards and PIN").click(timeout=10_000)  # the hub's own menu (Rasa is down)
    card = page.locator("section.ticket")
    expect(card).to_be_visible(timeout=10_000)
    number = card.locator(".number").inner_text()
    assert number.startswith("C")
    qr = card.locator("img")
    expect(qr).to_have_js_property("complete", True, timeout=10_000)  # loaded (or failed): no race with it
    assert qr.evaluate("(img) => img.naturalWidth") > 0  # a picture, not a broken image

    page.get_by_role("button", name="4 out of 5").click()
    expect(page.get_by_text("Thank you for your rating.")).to_be_visible(timeout=5_000)
    database = f"sqlite:///{tmp_path / 'hub.db'}"  # the hub_server fixture's file
    manager = {"Authorization": f"Bearer {make_token(database, 'manager')}"}
    stats = httpx.get(f"{hub_server}/api/v1/dashboard", headers=manager, timeout=10).json()
    satisfaction = stats["kpis"]["satisfaction"]
    assert (satisfaction["ratings"], satisfaction["avg_score"]) == (1, 4)
    assert satisfaction["by_channel"] == {"mobile": 1}
    assert not [url for url in failed if not url.startswith(hub_server)], failed


def test_touch_menu_in_chinese(hub_server: str, page: Any) -> None:
    """A customer who writes in Chinese gets the hub's own menu in Chinese (Rasa is down), whatever language
    the page started in, and the ticket it issues is a Chinese one."""
    page.goto(f"{hub_server}/chat?token=web-customer-zh-0123456789&lang=en")
    page.get_by_label("Your message").fill("我的卡丢了")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("抱歉，我暂时无法理解您的问题，请直接选择要办理的业务。")).to_be_visible(timeout=10_000)  # noqa: RUF001
    page.get_by_role("button", name="银行卡与密码").click(timeout=10_000)
    card = page.locator("section.ticket")
    expect(card).to_be_visible(timeout=10_000)
    number = card.locator(".number").inner_text()
    assert number.startswith("C")
    expect(page.get_by_text(f"您的号码是{number}，办理银行卡与密码。", exact=False)).to_be_visible(timeout=5_000)  # noqa: RUF001
    # The card links the ticket's tracking page (/t/{id}): the ticket itself was taken in Chinese.
    track_url = page.evaluate("() => document.querySelector('section.ticket a[href*=\"/t/\"]').href")
    ticket_id = track_url.split("/t/")[1].split("?")[0]
    assert httpx.get(f"{hub_server}/api/v1/tickets/{ticket_id}", timeout=10).json()["lang"] == "zh"
