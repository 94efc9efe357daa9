"""`lobby kiosk --screenshots DIR`: a PNG of every kiosk screen, for the README and reviews.

The real window is built and driven through its model with the branch's own
services and sample outcomes (no hub, no hardware needed), then grabbed
offscreen at a kiosk's typical 1280x800. Three Chinese conversations end in
a ticket, a self-service device and a booking: what a Mandarin-speaking
customer sees, in the words the assistant says to them.
"""

# Chinese replies use full-width punctuation on purpose: RUF001 takes it for look-alikes.
# ruff: noqa: RUF001

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from PySide6.QtWidgets import QApplication

from assistant.protocol import Button, RouteView, ServiceView, TicketStatus, TicketView
from hardware.fakes import FakeMicrophone, FakePrinter, FakeRecognizer, FakeSpeaker
from hardware.ports import HardwareState, HardwareStatus
from kiosk.app import build_window
from kiosk.i18n import catalog
from kiosk.viewmodel import HubState, KioskModel, Screen
from kiosk.views import KioskWindow

logger = logging.getLogger(__name__)

SIZE = (1280, 800)
READY = {
    name: HardwareStatus(name, HardwareState.READY, "")
    for name in ("printer", "speaker", "microphone", "recognizer")
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


def _chinese_scenes(model: KioskModel) -> list[tuple[str, Callable[[], None]]]:
    """A Chinese conversation ending in a ticket, in a device route and in a booking."""

    def start() -> None:
        model.set_language("zh")
        model.reset(Screen.HOME)

    def ticket() -> None:
        start()
        model.add_customer("我的卡丢了")
        model.add_assistant(
            "别着急，卡片挂失需要到柜台办理。银行卡与密码业务前面有 2 位在等，大约 5 到 10 分钟。要为您取号吗？",
            (Button("好的，取号", "/affirm"), Button("不用了", "/deny")),
        )
        model.add_customer("好的，取号")
        model.add_assistant("已为您取号：C008，办理银行卡与密码业务。您前面还有 2 位，请留意叫号。")
        model.set_ticket(TICKET_ZH)

    def route() -> None:
        start()
        model.add_customer("我想取两千块")
        model.add_assistant("两千元可以直接在自动取款机办理，不用排队。请到自动取款机 1，就在大门外左侧。")
        model.set_route(ROUTE_ZH)

    def booking() -> None:
        start()
        model.add_customer("我想约明天上午十点看贷款")
        model.add_assistant(
            "好的，为您预约明天上午十点的贷款咨询，可以吗？",
            (Button("可以", "/affirm"), Button("换个时间", "/deny")),
        )
        model.add_customer("可以")
        model.add_assistant("已为您预约明天上午 10:00 的贷款与房贷咨询，预约码 M4T8RW。请提前 15 分钟到网点签到。")
        model.set_appointment(dict(APPOINTMENT_ZH))

    return [("11-chinese-ticket", ticket), ("12-chinese-device-route", route), ("13-chinese-appointment", booking)]


def _scenes(model: KioskModel, window: KioskWindow) -> list[tuple[str, Callable[[], None]]]:
    def attract() -> None:
        model.reset(Screen.ATTRACT)

    def home() -> None:
        model.reset(Screen.HOME)

    def ticket() -> None:
        model.reset(Screen.HOME)
        model.add_customer("um i lost my card")
        model.add_assistant(
            "A member of staff will help you at the counter. 2 people are waiting for Cards and PIN, "
            "about 5 to 10 minutes. Shall I print you a ticket?",
            (Button("Yes, a ticket", "/affirm"), Button("No, thanks", "/deny")),
        )
        model.add_customer("Yes, a ticket")
        model.add_assistant("Your ticket is C 7 for Cards and PIN. There are 2 people ahead of you.")
        model.set_ticket(TICKET)

    def route() -> None:
        model.reset(Screen.HOME)
        model.add_customer("i want to take out 200 pounds")
        model.add_assistant("You can do that now at ATM 1, outside, left of the entrance.")
        model.set_route(ROUTE)

    def booking() -> None:
        model.reset(Screen.HOME)
        model.add_customer("can i see a mortgage advisor tomorrow")
        model.add_assistant(
            "Tomorrow I have 9 am, 10:30 am, 12 noon, 1:30 pm or 3 pm free. Which time suits you?",
            tuple(Button(t, f'/inform{{"time":"{t}"}}') for t in ("9 am", "10:30 am", "12 noon", "1:30 pm", "3 pm")),
        )
        model.add_customer("3 pm")
        model.add_assistant("You're booked for Loans and mortgages tomorrow at 3 pm. Your booking code is K 7 P 2 Q X.")
        model.set_appointment(dict(APPOINTMENT))

    def check_in() -> None:
        model.reset(Screen.HOME)
        model.show_check_in()

    def staff() -> None:
        model.reset(Screen.HOME)
        model.add_customer(catalog(model.lang).text("home.staff"))
        model.add_assistant(catalog(model.lang).text("staff.coming"))
        model.show_staff_coming()

    def touch_only() -> None:
        model.reset(Screen.HOME)
        model.set_hub_state(HubState.TOUCH_ONLY)

    def large_contrast() -> None:
        model.set_hub_state(HubState.ONLINE)
        model.reset(Screen.HOME)
        model.set_theme(large_text=True, high_contrast=True)

    def chinese() -> None:
        model.set_theme(large_text=False, high_contrast=False)
        model.set_language("zh")
        model.reset(Screen.HOME)

    return [
        ("01-attract", attract),
        ("02-home", home),
        ("03-ticket", ticket),
        ("04-device-route", route),
        ("05-appointment", booking),
        ("06-check-in", check_in),
        ("07-staff", staff),
        ("08-touch-only", touch_only),
        ("09-large-text-high-contrast", large_contrast),
        ("10-chinese", chinese),
        *_chinese_scenes(model),
    ]


def take_screenshots(
    out: Path, branch_name: str | Mapping[str, str], services: Callable[[str], Sequence[ServiceView]]
) -> list[Path]:
    """Write one PNG per screen into `out`; returns their paths. Needs a QApplication.

    `branch_name`: one name, or the branch's name per language (the Chinese screens show the Chinese one).

    `services(lang)`: the branch's services with names in `lang` (the tiles).
    """
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("take_screenshots needs a QApplication")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lobby-shots-") as tmp:
        window, controller = build_window(
            "http://127.0.0.1:9",  # never called: start=False and the scenes drive the model
            branch_name,
            FakePrinter(),
            FakeSpeaker(Path(tmp)),
            FakeMicrophone(),
            FakeRecognizer(""),
            start=False,
        )
        try:
            model = window.model
            model.set_hub_state(HubState.ONLINE)
            model.set_hardware(READY)
            model.set_services(services(model.lang))
            model.language_changed.connect(lambda lang: model.set_services(services(lang)))
            window.resize(*SIZE)
            window.show()
            written = []
            for name, scene in _scenes(model, window):
                scene()
                for _ in range(3):
                    app.processEvents()
                window.resize(*SIZE)  # a larger theme may have grown it: back to the kiosk's size
                for _ in range(3):
                    app.processEvents()
                path = out / f"{name}.png"
                if not window.grab().save(str(path)):
                    raise OSError(f"could not write {path}")
                logger.info("wrote %s", path)
                written.append(path)
            return written
        finally:
            controller.shutdown()
            window.close()
