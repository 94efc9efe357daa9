"""Chinese booking corrections through the real model and actions: "不对，改成<a time the assistant offered>"
must be read as that time, for every time it offers (small hours, minutes, evenings)."""

# The customer types full-width punctuation, as Chinese keyboards do.
# ruff: noqa: RUF001, RUF002

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.conftest import Branch


def _chat(branch: Branch, token: str, message: str) -> dict[str, Any]:
    body = {"message": message, "channel": "mobile", "lang": "zh"}
    response = httpx.post(f"{branch.hub_url}/api/v1/chat", json=body, headers={"X-Customer-Token": token}, timeout=60)
    assert response.status_code == 200, response.text
    reply: dict[str, Any] = response.json()
    assert not reply.get("degraded") and reply.get("lang") == "zh", reply
    return reply


def _buttons(reply: dict[str, Any]) -> list[dict[str, str]]:
    return [button for message in reply["messages"] for button in message.get("buttons") or ()]


def test_a_correction_to_any_offered_time_confirms_that_time(branch: Branch) -> None:
    token = "e2e-zh-corrections-0123456789"
    _chat(branch, token, "我想预约")
    days = _chat(branch, token, "/apply_loan")
    tomorrow = next((b for b in _buttons(days) if b["title"].startswith("明天")), None)
    assert tomorrow, days
    times = _buttons(_chat(branch, token, tomorrow["payload"]))
    assert len(times) >= 3, times
    _chat(branch, token, times[0]["payload"])  # tapped: the confirmation question
    wrong = {}
    for offered in times[1:]:
        title = offered["title"]
        asked = _chat(branch, token, f"不对，改成{title}")["messages"][-1]["text"]
        if not (asked.startswith("为您预约明天") and f"{title}办理" in asked):
            wrong[title] = asked
    _chat(branch, token, "算了")  # leaves the form; nothing booked
    assert not wrong, wrong
