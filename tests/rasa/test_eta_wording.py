# ruff: noqa: RUF001
"""The assistant says a wait as the hub words it (`eta_wording`), in English and in Chinese.

The hub's wait model decides: "under" ("less than 5 minutes": the range starts at 0), "over" ("more
than 40 minutes": too wide to mean more, or the counters may not reach it today), else the range.
The actions only say it: the cases below include waits whose numbers alone would be said otherwise
(an open-ended [12, 30] is "more than 12"; an older hub's [0, 3] without a wording stays a range), so
a reply that words the numbers itself fails here. Every case goes through a real HTTP stub of the
hub, the actions' hub client and its wire types.
"""

from __future__ import annotations

from typing import Any

import pytest
from actions.actions import ActionAcceptOffer, ActionTriage
from actions.hub_client import HubClient
from lobby_wire import QueueLine, TicketView, eta_wording_of

from builders import make_tracker
from hub_stub import HubStub
from test_action_triage import QUEUE, SERVICES, TICKETS, TRIAGE, run, ticket_json

pytestmark = pytest.mark.asyncio

NAMES = {"en": "Cards and PIN", "zh": "银行卡与密码"}

# (eta_minutes, eta_wording or None when the hub sends none, English tail, Chinese tail)
TICKET_CASES = [
    ([0, 3], "under", ", less than 3 minutes.", "，不到3分钟就能轮到您。"),
    ([0, 1], "under", ", less than a minute.", "，不到一分钟就能轮到您。"),
    ([10, 45], "over", ", more than 10 minutes.", "，需要等10分钟以上。"),
    ([12, 30], "over", ", more than 12 minutes.", "，需要等12分钟以上。"),  # open-ended: the numbers alone say a range
    ([5, 10], "range", ", about 5 to 10 minutes.", "，大约需要等5到10分钟。"),
    ([5, 10], None, ", about 5 to 10 minutes.", "，大约需要等5到10分钟。"),  # an older hub: no wording
    ([0, 3], None, ", about 0 to 3 minutes.", "，大约需要等0到3分钟。"),  # ...and the client does not decide one
]


def worded(eta: list[int], wording: str | None) -> dict[str, Any]:
    """The ETA fields as the hub sends them (without `eta_wording`, as an older hub did)."""
    return {"eta_minutes": eta} | ({} if wording is None else {"eta_wording": wording})


def serve_queue(hub: HubStub, lang: str, lines: list[dict[str, Any]]) -> None:
    hub.reply(QUEUE, 200, {"services": lines, "counters": []})
    services = [{"id": "cards", "name": NAMES[lang], "prefix": "C", "intents": ["replace_card"], "bookable": False}]
    hub.reply(f"{SERVICES}?lang={lang}", 200, {"services": services})


def tracker_slots(lang: str, **slots: Any) -> dict[str, Any]:
    return {**slots, "lang": lang}


async def test_the_wire_types_carry_the_hubs_wording() -> None:
    ticket = TicketView.from_json(ticket_json(eta_minutes=[0, 4], eta_wording="under"))
    line = QueueLine.from_json({"service": "cards", "waiting": 3, "eta_minutes": [25, 70], "eta_wording": "over"})
    assert (ticket.eta_minutes, ticket.eta_wording) == ((0, 4), "under")
    assert (line.eta_minutes, line.eta_wording) == ((25, 70), "over")
    older = TicketView.from_json(ticket_json(eta_minutes=[0, 4]))
    assert older.eta_wording is None and eta_wording_of(older.eta_wording) == "range"
    unsaid = QueueLine.from_json({"service": "cards", "waiting": 3, "eta_minutes": None})
    assert unsaid.eta_wording is None and eta_wording_of(unsaid.eta_wording) == "range"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("eta", "wording", "english", "chinese"), TICKET_CASES)
async def test_a_new_ticket_says_the_wait_as_the_hub_words_it(
    hub: HubStub, hub_client: HubClient, lang: str, eta: list[int], wording: str | None, english: str, chinese: str
) -> None:
    hub.reply(TICKETS, 201, ticket_json(service_name=NAMES[lang], position=2) | worded(eta, wording))
    offer = {"service": "cards", "intent": "replace_card", "turn_id": "1"}
    tracker = make_tracker("affirm", slots=tracker_slots(lang, offer=offer))

    dispatcher, _ = await run(ActionAcceptOffer(hub_client), tracker)

    ahead = {"en": "Your ticket is C 4 for Cards and PIN. There is 1 person ahead of you",
             "zh": "您的号码是 C 4 号，办理银行卡与密码业务，前面还有1位"}  # fmt: skip
    assert dispatcher.messages[0]["text"] == ahead[lang] + (english if lang == "en" else chinese)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("eta", "wording", "english", "chinese"), TICKET_CASES)
async def test_how_long_for_my_ticket_says_the_wait_as_the_hub_words_it(
    hub: HubStub, hub_client: HubClient, lang: str, eta: list[int], wording: str | None, english: str, chinese: str
) -> None:
    hub.reply(TRIAGE, 200, {"decision": "info", "service": None, "reason": ""})
    hub.reply(f"/api/v1/tickets/t-42?lang={lang}", 200, ticket_json(id="t-42", position=3) | worded(eta, wording))
    tracker = make_tracker("queue_status", slots=tracker_slots(lang, last_ticket_id="t-42"))

    dispatcher, _ = await run(ActionTriage(hub_client), tracker)

    start = {"en": "Ticket C 4: there are 2 people ahead of you", "zh": "您的号码 C 4 号，前面还有2位"}
    assert [m["text"] for m in dispatcher.messages] == [start[lang] + (english if lang == "en" else chinese)]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("eta", "wording", "english", "chinese"), TICKET_CASES)
async def test_the_offer_says_the_services_wait_as_the_hub_words_it(
    hub: HubStub, hub_client: HubClient, lang: str, eta: list[int], wording: str | None, english: str, chinese: str
) -> None:
    hub.reply(TRIAGE, 200, {"decision": "ticket", "service": "cards", "reason": ""})
    serve_queue(hub, lang, [{"service": "cards", "waiting": 4} | worded(eta, wording)])

    dispatcher, _ = await run(ActionTriage(hub_client), make_tracker("replace_card", slots=tracker_slots(lang)))

    start = {"en": "4 people are waiting for Cards and PIN", "zh": "银行卡与密码现在有4位在等候"}
    assert dispatcher.messages[0]["text"].startswith(start[lang] + (english if lang == "en" else chinese))


@pytest.mark.parametrize(
    ("eta", "wording", "english", "chinese"),
    [
        ([0, 6], "under", ", less than 6 minutes", "，不到6分钟"),
        ([0, 1], "under", ", less than a minute", "，不到一分钟"),
        ([15, 60], "over", ", more than 15 minutes", "，需要15分钟以上"),
        ([20, 45], "range", ", about 20 to 45 minutes", "，大约需要20到45分钟"),
        ([0, 6], None, ", about 0 to 6 minutes", "，大约需要0到6分钟"),
    ],
)
@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_how_busy_the_branch_is_says_the_waits_as_the_hub_words_them(
    hub: HubStub, hub_client: HubClient, lang: str, eta: list[int], wording: str | None, english: str, chinese: str
) -> None:
    hub.reply(TRIAGE, 200, {"decision": "info", "service": None, "reason": ""})
    serve_queue(hub, lang, [{"service": "cards", "waiting": 5} | worded(eta, wording)])

    dispatcher, _ = await run(ActionTriage(hub_client), make_tracker("queue_status", slots=tracker_slots(lang)))

    expected = {
        "en": f"Right now 5 people are waiting for Cards and PIN{english}. Nobody is waiting for the other services.",
        "zh": f"目前银行卡与密码有5位在等候{chinese}。其他业务目前都不用排队。",
    }
    assert [m["text"] for m in dispatcher.messages] == [expected[lang]]
