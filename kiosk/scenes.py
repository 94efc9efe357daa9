"""The kiosk's screens, one scene at a time: what `lobby kiosk --screenshots` shoots and the layout test walks.

A scene drives the window's model (no hub, no hardware) into one screen of a
customer's journey: the attract screen with the branch's waits, home (and
its next page of tiles when there is one), a conversation ending in a
ticket, a device route and a booking (with its time buttons), check-in,
staff coming, and home while the hub cannot be reached. The conversations
are samples in each language, in the words the assistant says.
"""

# Chinese replies use full-width punctuation on purpose: RUF001 takes it for look-alikes.
# ruff: noqa: RUF001

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from hardware.ports import HardwareState, HardwareStatus
from kiosk.i18n import catalog
from kiosk.viewmodel import HubState, KioskModel, Screen
from kiosk.views import KioskWindow
from lobby_wire import Button, QueueLine, RouteView, TicketStatus, TicketView

READY = {
    name: HardwareStatus(name, HardwareState.READY, "") for name in ("printer", "speaker", "microphone", "recognizer")
}
TICKET = TicketView(
    id="t-1",
    number="C007",
    service="cards",
    service_name="Cards and PIN",
    status=TicketStatus.WAITING,
    position=3,
    eta_minutes=(5, 10),
    issued_at="2026-11-30T10:15:00+00:00",
    track_url="http://127.0.0.1:8000/t/t-1",
)
ROUTE = RouteView(
    service="cash",
    device_id="atm-1",
    kind="atm",
    name="ATM 1",
    location="outside, left of the entrance",
    reason="withdrawals up to 1,000 are quickest at the cash machine",
)
APPOINTMENT = {
    "code": "K7P2QX",
    "service": "loans",
    "service_name": "Loans and mortgages",
    "starts_at": "2026-12-01T15:00:00+00:00",
    "status": "booked",
    "check_in_from": "2026-12-01T14:45:00+00:00",
}


TICKET_ZH = TicketView(
    id="t-2",
    number="C008",
    service="cards",
    service_name="银行卡与密码",
    status=TicketStatus.WAITING,
    position=3,
    eta_minutes=(5, 10),
    issued_at="2026-11-30T10:20:00+00:00",
    track_url="http://127.0.0.1:8000/t/t-2",
)
ROUTE_ZH = RouteView(
    service="cash",
    device_id="atm-1",
    kind="atm",
    name="自动取款机 1",
    location="大门外左侧",
    reason="两千元以内的取款，在自动取款机办理最快",
)
APPOINTMENT_ZH = {
    "code": "M4T8RW",
    "service": "loans",
    "service_name": "贷款与房贷",
    "starts_at": "2026-12-01T10:00:00+00:00",
    "status": "booked",
    "check_in_from": "2026-12-01T09:45:00+00:00",
}


@dataclass(frozen=True, slots=True)
class Dialogue:
    """A language's sample conversations."""

    ticket: tuple[tuple[str, str, tuple[Button, ...]], ...]  # (customer, assistant, buttons) turns
    ticket_view: TicketView
    route: tuple[str, str]
    route_view: RouteView
    booking: tuple[tuple[str, str, tuple[Button, ...]], ...]
    appointment: Mapping[str, object]


TIMES = ("9 am", "10:30 am", "12 noon", "1:30 pm", "3 pm")
DIALOGUES: Mapping[str, Dialogue] = {
    "en": Dialogue(
        ticket=(
            (
                "um i lost my card",
                "A member of staff will help you at the counter. 2 people are waiting for Cards and PIN, "
                "about 5 to 10 minutes. Shall I print you a ticket?",
                (Button("Yes, a ticket", "/affirm"), Button("No, thanks", "/deny")),
            ),
            ("Yes, a ticket", "Your ticket is C 7 for Cards and PIN. There are 2 people ahead of you.", ()),
        ),
        ticket_view=TICKET,
        route=("i want to take out 200 pounds", "You can do that now at ATM 1, outside, left of the entrance."),
        route_view=ROUTE,
        booking=(
            (
                "can i see a mortgage advisor tomorrow",
                "Tomorrow I have 9 am, 10:30 am, 12 noon, 1:30 pm or 3 pm free. Which time suits you?",
                tuple(Button(t, f'/inform{{"time":"{t}"}}') for t in TIMES),
            ),
            ("3 pm", "You're booked for Loans and mortgages tomorrow at 3 pm. Your booking code is K 7 P 2 Q X.", ()),
        ),
        appointment=APPOINTMENT,
    ),
    "zh": Dialogue(
        ticket=(
            (
                "我的卡丢了",
                "别着急，卡片挂失需要到柜台办理。银行卡与密码业务前面有 2 位在等，大约 5 到 10 分钟。要为您取号吗？",
                (Button("好的，取号", "/affirm"), Button("不用了", "/deny")),
            ),
            ("好的，取号", "已为您取号：C008，办理银行卡与密码业务。您前面还有 2 位，请留意叫号。", ()),
        ),
        ticket_view=TICKET_ZH,
        route=("我想取两千块", "两千元可以直接在自动取款机办理，不用排队。请到自动取款机 1，就在大门外左侧。"),
        route_view=ROUTE_ZH,
        booking=(
            (
                "我想约明天看贷款",
                "明天上午 9 点、10 点半、中午 12 点、下午 1 点半和 3 点有空，您选哪个时间？",
                tuple(Button(t, f'/inform{{"time":"{t}"}}') for t in ("9:00", "10:30", "12:00", "13:30", "15:00")),
            ),
            ("10:30", "已为您预约明天上午 10:30 的贷款与房贷咨询，预约码 M4T8RW。请提前 15 分钟到网点签到。", ()),
        ),
        appointment=APPOINTMENT_ZH,
    ),
}


def sample_waits(services: Sequence[tuple[str, str]]) -> tuple[QueueLine, ...]:
    """Waits for the attract screen: (id, name) per service, a few people and an ETA at most of them."""
    return tuple(
        QueueLine(service_id, name, index % 4, (3 * index, 3 * index + 5) if index % 4 else None)
        for index, (service_id, name) in enumerate(services)
    )


Scene = tuple[str, Callable[[], None]]


def scenes(model: KioskModel, window: KioskWindow) -> list[Scene]:
    """Every screen of the journey in the model's language, each a function that shows it."""
    dialogue = DIALOGUES.get(model.lang, DIALOGUES["en"])
    t = catalog(model.lang)

    def fresh(screen: Screen = Screen.HOME) -> None:
        model.set_hub_state(HubState.ONLINE)
        model.reset(screen)

    def talk(turns: tuple[tuple[str, str, tuple[Button, ...]], ...]) -> None:
        for customer, assistant, buttons in turns:
            model.add_customer(customer)
            model.add_assistant(assistant, buttons)

    def attract() -> None:
        fresh(Screen.ATTRACT)

    def home() -> None:
        fresh()

    def home_next_page() -> None:
        fresh()
        window.tiles.next_page()

    def ticket() -> None:
        fresh()
        talk(dialogue.ticket)
        model.set_ticket(dialogue.ticket_view)

    def route() -> None:
        fresh()
        customer, assistant = dialogue.route
        talk(((customer, assistant, ()),))
        model.set_route(dialogue.route_view)

    def booking_times() -> None:
        fresh()
        talk(dialogue.booking[:1])

    def booking() -> None:
        fresh()
        talk(dialogue.booking)
        model.set_appointment(dict(dialogue.appointment))

    def check_in() -> None:
        fresh()
        model.show_check_in()

    def staff() -> None:
        fresh()
        model.add_customer(t.text("home.staff"))
        model.add_assistant(t.text("staff.coming"))
        model.show_staff_coming()

    def touch_only() -> None:
        fresh()
        model.set_hub_state(HubState.TOUCH_ONLY)

    found: list[Scene] = [("attract", attract), ("home", home)]
    if window.tiles.pages > 1:
        found.append(("home-more", home_next_page))
    found += [
        ("ticket", ticket),
        ("device-route", route),
        ("booking-times", booking_times),
        ("appointment", booking),
        ("check-in", check_in),
        ("staff", staff),
        ("touch-only", touch_only),
    ]
    return found
