# ruff: noqa: RUF001
"""The kiosk says a wait as the hub words it (`eta_wording`), on screen and aloud, in English and Chinese.

The hub's wait model decides: "under" ("less than 4 minutes": the range starts at 0), "over" ("more
than 12 minutes": too wide to mean more, or open-ended), else the range; the kiosk only renders it.
The cases include waits whose numbers alone would be said otherwise (an open-ended [12, 30] is "more
than 12"; an older hub's [0, 3] without a wording stays a range), so a kiosk that words the numbers
itself, or ignores the wording, fails here. The last tests run the kiosk against the fake hub over
real HTTP: the attract board, the ticket card, the bubble, the spoken sentence and the print job.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from kiosk.attract import wait_text
from kiosk.hub_client import HubClient
from kiosk.i18n import catalog, eta_text, ticket_sentence
from lobby_wire import QueueLine, TicketStatus, TicketView, eta_wording_of
from tests.kiosk.conftest import WAIT_MS, Start, bubble_texts, widget

EN, ZH = catalog("en"), catalog("zh")

# eta, eta_wording (None: an older hub sends none), then English shown / spoken, Chinese shown / spoken
CASES = [
    ((0, 4), "under", "less than 4 min", "less than 4 minutes", "不到 4 分钟", "不到 4 分钟"),
    ((0, 1), "under", "less than 1 min", "less than a minute", "不到 1 分钟", "不到一分钟"),
    ((25, 70), "over", "more than 25 min", "more than 25 minutes", "超过 25 分钟", "超过 25 分钟"),
    ((12, 30), "over", "more than 12 min", "more than 12 minutes", "超过 12 分钟", "超过 12 分钟"),
    ((5, 10), "range", "about 5\u201310 min", "about 5 to 10 minutes", "约 5\u201310 分钟", "约 5 到 10 分钟"),
    ((5, 10), None, "about 5\u201310 min", "about 5 to 10 minutes", "约 5\u201310 分钟", "约 5 到 10 分钟"),
    ((0, 3), None, "about 0\u20133 min", "about 0 to 3 minutes", "约 0\u20133 分钟", "约 0 到 3 分钟"),
]
TICKET = TicketView(
    id="t-A023",
    number="A023",
    service="cash",
    service_name="Cash and cheques",
    status=TicketStatus.WAITING,
    position=3,
    eta_minutes=(4, 9),
    issued_at="2025-01-06T09:30:00+00:00",
    track_url="http://127.0.0.1:8000/t/t-A023",
)


@pytest.mark.parametrize(("eta", "wording", "en_shown", "en_spoken", "zh_shown", "zh_spoken"), CASES)
def test_the_wait_is_said_as_the_hub_words_it(
    eta: tuple[int, int], wording: str | None, en_shown: str, en_spoken: str, zh_shown: str, zh_spoken: str
) -> None:
    assert eta_text(EN, eta, wording) == en_shown
    assert eta_text(EN, eta, wording, spoken=True) == en_spoken
    assert eta_text(ZH, eta, wording) == zh_shown
    assert eta_text(ZH, eta, wording, spoken=True) == zh_spoken


@pytest.mark.parametrize(("eta", "wording", "en_shown", "en_spoken", "zh_shown", "zh_spoken"), CASES)
def test_the_ticket_sentence_shown_and_spoken_says_the_hubs_wording(
    eta: tuple[int, int], wording: str | None, en_shown: str, en_spoken: str, zh_shown: str, zh_spoken: str
) -> None:
    ticket = dataclasses.replace(TICKET, eta_minutes=eta, eta_wording=wording)
    chinese = dataclasses.replace(ticket, service_name="现金与支票")
    assert ticket_sentence(EN, ticket) == f"Your number is A023, for Cash and cheques. 2 ahead of you, {en_shown}."
    assert ticket_sentence(EN, ticket, spoken=True) == (
        f"Your number is A 23, for Cash and cheques. 2 ahead of you, {en_spoken}."
    )
    assert ticket_sentence(ZH, chinese) == f"您的号码是 A023，办理现金与支票。您前面还有 2 位，预计等候{zh_shown}。"
    assert ticket_sentence(ZH, chinese, spoken=True) == (
        f"您的号码是 A 23，办理现金与支票。您前面还有 2 位，预计等候{zh_spoken}。"
    )


def test_without_an_eta_every_wording_says_a_counter_will_call() -> None:
    assert eta_text(EN, None, "under") == "We will call you when a counter opens"
    assert eta_text(ZH, None, "over", spoken=True) == "柜台开放后将为您叫号"
    none = dataclasses.replace(TICKET, eta_minutes=None, eta_wording="under")
    assert ticket_sentence(EN, none).endswith("2 ahead of you, we will call you when a counter opens.")


@pytest.mark.parametrize(("eta", "wording", "en_shown", "en_spoken", "zh_shown", "zh_spoken"), CASES)
def test_the_attract_board_says_each_services_wait_as_the_hub_words_it(
    eta: tuple[int, int], wording: str | None, en_shown: str, en_spoken: str, zh_shown: str, zh_spoken: str
) -> None:
    line = {"service": "cash", "name": "Cash", "waiting": 3, "eta_minutes": list(eta)}
    wait = QueueLine.from_json(line | ({} if wording is None else {"eta_wording": wording}))
    assert wait.eta_wording == wording and eta_wording_of(wait.eta_wording) == (wording or "range")
    assert wait_text(EN, wait) == f"3 waiting \u00b7 {en_shown}"
    assert wait_text(ZH, wait) == f"3 人等候 \u00b7 {zh_shown}"


def test_the_hub_client_carries_the_wording_of_tickets_and_waits(
    hub: Any, ticket_json: Callable[..., dict[str, Any]]
) -> None:
    hub.answer("POST", "/api/v1/tickets", 201, ticket_json(eta_minutes=[0, 4], eta_wording="under"))
    queue = {
        "services": [
            {"service": "cash", "name": "Cash", "waiting": 9, "eta_minutes": [25, 70], "eta_wording": "over"},
            {"service": "cards", "name": "Cards", "waiting": 2, "eta_minutes": [0, 3]},  # an older hub
        ]
    }
    hub.answer("GET", "/api/v1/queue", 200, queue)
    with HubClient(hub.url, timeout=2.0) as client:
        ticket = client.create_ticket("cash", "en")
        waits = client.queue("en")
    assert (ticket.eta_minutes, ticket.eta_wording) == ((0, 4), "under")
    assert [(w.eta_minutes, eta_wording_of(w.eta_wording)) for w in waits] == [((25, 70), "over"), ((0, 3), "range")]


# -- the kiosk against the fake hub over real HTTP -------------------------------------------------

QUEUE = {
    "services": [
        {"service": "cash", "name": "Cash and cheques", "waiting": 9, "eta_minutes": [25, 70], "eta_wording": "over"},
        {"service": "cards", "name": "Cards and PIN", "waiting": 1, "eta_minutes": [0, 4], "eta_wording": "under"},
    ],
    "counters": [],
    "at": "2026-12-05T10:00:00+00:00",
}


def visible_texts(window: QWidget) -> list[str]:
    return [label.text() for label in window.attract.findChildren(QLabel) if label.isVisible()]


def test_the_attract_board_in_both_languages(qtbot: Any, hub: Any, start_kiosk: Start) -> None:
    hub.answer("GET", "/api/v1/queue", 200, QUEUE)
    window, _controller = start_kiosk(hub.url)
    qtbot.waitUntil(lambda: bool(window.model.waits.get("zh")), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "9 waiting \u00b7 more than 25 min" in visible_texts(window), timeout=WAIT_MS)
    assert "1 waiting \u00b7 less than 4 min" in visible_texts(window)
    window.attract.alternate()  # the next language, as the timer does every few seconds
    assert {"9 人等候 \u00b7 超过 25 分钟", "1 人等候 \u00b7 不到 4 分钟"} <= set(visible_texts(window))


def test_a_ticket_is_shown_said_printed_and_logged_as_the_hub_words_it(
    qtbot: Any,
    hub: Any,
    devices: Any,
    kiosk: Any,
    ticket_json: Callable[..., dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    hub.answer("POST", "/api/v1/tickets", 201, ticket_json(eta_minutes=[0, 4], eta_wording="under"))
    with caplog.at_level(logging.INFO, logger="kiosk"):
        qtbot.mouseClick(widget(kiosk, QPushButton, "tile_cash"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: widget(kiosk, QWidget, "ticketCard").isVisible(), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: bool(devices.printer.jobs and devices.speaker.played), timeout=WAIT_MS)

    assert widget(kiosk, QLabel, "ticketEta").text() == "less than 4 min"
    assert "Your number is A023, for Cash and cheques. 2 ahead of you, less than 4 min." in bubble_texts(kiosk)
    assert devices.speaker.spoken_texts == [
        "Your number is A 23, for Cash and cheques. 2 ahead of you, less than 4 minutes."
    ]
    assert devices.printer.jobs[0].ticket.eta_wording == "under"  # the paper says it too (test_ticket_eta_wording)
    assert "2 ahead of you, less than 4 min" in caplog.text
    qtbot.mouseClick(widget(kiosk, QPushButton, "langButton"), Qt.MouseButton.LeftButton)  # 中文
    assert widget(kiosk, QLabel, "ticketEta").text() == "不到 4 分钟"
