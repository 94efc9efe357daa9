"""/chat in headless Chromium talks over the chat WebSocket: replies and the pushes about the customer's
ticket (time to come, called) arrive on the page without a reload, and without any POST /api/v1/chat."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import expect


def test_replies_and_pushes_travel_over_the_socket(hub_server: str, page: Any, hub_token: str) -> None:
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.goto(f"{hub_server}/chat?token=web-socket-customer-0123456789")
    expect(page.locator("body")).to_have_attribute("data-socket", "open", timeout=10_000)

    page.get_by_label("Your message").fill("hello")
    page.get_by_role("button", name="Send").click()
    page.get_by_role("button", name="Cards and PIN").click(timeout=10_000)  # the hub's own menu (Rasa is down)
    card = page.locator("section.ticket")
    expect(card).to_be_visible(timeout=10_000)
    expect(card.locator(".arrive")).to_contain_text("We keep your place until")  # joined from the app
    number = card.locator(".number").inner_text()
    tickets = httpx.get(f"{hub_server}/api/v1/tickets", headers={"Authorization": f"Bearer {hub_token}"}).json()
    [mine] = [t for t in tickets["tickets"] if t["number"] == number]
    assert mine["remote"] is True and mine["on_the_way"] is True

    with httpx.Client(base_url=hub_server, timeout=10) as http:
        assert http.post(f"/api/v1/tickets/{mine['id']}/arrive").status_code == 200  # scanned at the kiosk
        staff = {"Authorization": f"Bearer {hub_token}"}
        assert http.post("/api/v1/counters/c2/call-next", headers=staff).json()["id"] == mine["id"]

    alerts = page.get_by_role("alert")
    expect(alerts.last).to_contain_text("please go to Counter 2 now", timeout=10_000)
    # first in line on joining: the "time to head to the branch" push came before
    expect(alerts.first).to_contain_text("Time to head to the branch: nobody is ahead of ticket")
    expect(card.locator(".status")).to_have_text("Called: please go to Counter 2 now.")
    expect(card.locator(".arrive")).to_have_count(0)
    assert not [url for url in posts if url.endswith("/api/v1/chat")], posts  # all of it over the socket

    page.reload()  # the app's web view was closed and opened again: the ticket is still there
    expect(page.locator("section.ticket .number")).to_have_text(number, timeout=10_000)
    expect(page.locator("section.ticket .status")).to_have_text("Called: please go to Counter 2 now.")
