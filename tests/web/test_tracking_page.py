"""/t/{id}: what the ticket's QR code opens on a phone, live over the events WebSocket."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import expect


def test_tracking_page_follows_the_ticket_live(page: Any, hub_server: str, hub_token: str) -> None:
    first = httpx.post(f"{hub_server}/api/v1/tickets", json={"service": "cards"}, timeout=10).json()
    mine = httpx.post(f"{hub_server}/api/v1/tickets", json={"service": "cards"}, timeout=10).json()
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))

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


def test_unknown_ticket_says_so(page: Any, hub_server: str) -> None:
    page.goto(f"{hub_server}/t/no-such-ticket")
    expect(page.locator("#service")).to_have_text("no ticket no-such-ticket", timeout=10_000)


def test_a_remote_ticket_shows_its_deadline_and_qr_and_can_say_i_am_here(page: Any, hub_server: str) -> None:
    remote = {"service": "cards", "channel": "mobile", "remote": True}
    mine = httpx.post(f"{hub_server}/api/v1/tickets", json=remote, timeout=10).json()

    page.goto(f"{hub_server}/t/{mine['id']}")
    arrival = page.get_by_role("region", name="Check in when you arrive")
    expect(arrival).to_be_visible(timeout=10_000)
    expect(page.locator("#deadline")).to_contain_text("Your place is kept until")
    qr = page.get_by_alt_text("QR code of this ticket: scan it at the branch kiosk")
    expect(qr).to_be_visible()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", qr.element_handle())
    expect(page.locator("#come")).to_have_text("Time to head to the branch: you are nearly at the front.")

    page.get_by_role("button", name="I'm at the branch").click()
    expect(arrival).to_be_hidden(timeout=5_000)
    expect(page.locator("#come")).to_have_text("Nearly your turn: please stay close to the counters.")
    assert httpx.get(f"{hub_server}/api/v1/tickets/{mine['id']}", timeout=10).json()["arrive_by"] is None
