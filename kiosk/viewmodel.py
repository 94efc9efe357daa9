"""What the kiosk shows, as a plain model the views observe.

`KioskModel` holds one conversation (its lines, the current ticket and route),
the hub state, the hardware status and the service tiles. It does no I/O and
knows no widgets; views redraw on its signals. Everything it shows to the
customer is also logged at INFO (logger `kiosk.viewmodel`, a child of `kiosk`):
on a machine without a display the kiosk runs offscreen and the log is how an
operator sees it. Customer input is logged at DEBUG only (it may be personal).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from PySide6.QtCore import QObject, Signal

from hardware.ports import HardwareState, HardwareStatus
from kiosk import i18n
from kiosk.i18n import ahead_text, catalog, eta_text, name_in
from lobby_wire import Button, QueueLine, RouteView, ServiceView, TicketView

logger = logging.getLogger(__name__)


class Role(StrEnum):
    CUSTOMER = "customer"
    ASSISTANT = "assistant"
    SYSTEM = "system"


class Screen(StrEnum):
    ATTRACT = "attract"  # nobody at the kiosk
    HOME = "home"  # tiles and the big microphone
    CONVERSATION = "conversation"  # bubbles with an outcome beside them


class Panel(StrEnum):
    """What the outcome side of the conversation screen shows."""

    NONE = "none"
    TICKET = "ticket"
    ROUTE = "route"
    APPOINTMENT = "appointment"
    CHECK_IN = "check_in"
    STAFF = "staff"


class HubState(StrEnum):
    CONNECTING = "connecting"
    ONLINE = "online"
    CHAT_DOWN = "chat down"  # the hub answers, its dialogue engine does not: tiles still issue tickets
    TOUCH_ONLY = "touch only"  # the hub cannot be reached


@dataclass(frozen=True, slots=True)
class ChatLine:
    role: Role
    text: str
    buttons: tuple[Button, ...] = ()


class KioskModel(QObject):
    """One kiosk screen's state. Mutate it only on the GUI thread."""

    message_added = Signal(object)  # ChatLine
    cleared = Signal()
    ticket_changed = Signal(object)  # TicketView | None
    route_changed = Signal(object)  # RouteView | None
    services_changed = Signal(object)  # tuple[ServiceView, ...]
    status_changed = Signal()  # hub state or hardware status
    busy_changed = Signal(bool)
    listening_changed = Signal(bool)
    screen_changed = Signal(object)  # Screen
    panel_changed = Signal(object)  # Panel
    appointment_changed = Signal(object)  # dict | None
    partial_changed = Signal(str)  # live transcript while the customer speaks
    level_changed = Signal(float)  # microphone level 0..1 while listening
    language_changed = Signal(str)
    theme_changed = Signal()
    waits_changed = Signal()  # current waits per service (the attract screen)

    def __init__(self, branch_name: str | Mapping[str, str], parent: QObject | None = None, lang: str = "en") -> None:
        """`branch_name`: one name for every language, or the name per language ({"en": ..., "zh": ...})."""
        super().__init__(parent)
        names = {"en": branch_name} if isinstance(branch_name, str) else dict(branch_name)
        self.branch_names: Mapping[str, str] = MappingProxyType(names)
        self.lang = lang
        self.screen = Screen.ATTRACT
        self.panel = Panel.NONE
        self.appointment: dict[str, object] | None = None
        self.partial = ""
        self.large_text = False
        self.high_contrast = False
        self.sender_id = uuid.uuid4().hex
        self.lines: list[ChatLine] = []
        self.ticket: TicketView | None = None
        self.route: RouteView | None = None
        self.services: tuple[ServiceView, ...] = ()
        self.hub_state = HubState.CONNECTING
        self.hardware: dict[str, HardwareStatus] = {}
        self.busy = False
        self.listening = False
        self.waits: dict[str, tuple[QueueLine, ...]] = {}  # per language: names in it

    @property
    def branch_name(self) -> str:
        """The branch's name in the language shown (branch.yml's name in that language, else English)."""
        return name_in(self.branch_names, self.lang)

    def branch_name_in(self, lang: str) -> str:
        return name_in(self.branch_names, lang)

    @property
    def greeting(self) -> str:
        return catalog(self.lang).text("app.greeting", branch=self.branch_name)

    # -- conversation -----------------------------------------------------------

    def add_customer(self, text: str) -> None:
        logger.debug("customer says: %s", text)
        self.set_screen(Screen.CONVERSATION)
        self._add(ChatLine(Role.CUSTOMER, text))

    def add_assistant(self, text: str, buttons: Sequence[Button] = ()) -> None:
        titles = " | ".join(button.title for button in buttons)
        logger.info("kiosk shows reply: %s%s", text, f" [buttons: {titles}]" if titles else "")
        self._add(ChatLine(Role.ASSISTANT, text, tuple(buttons)))

    def add_system(self, text: str) -> None:
        logger.info("kiosk shows notice: %s", text)
        self._add(ChatLine(Role.SYSTEM, text))

    def set_ticket(self, ticket: TicketView | None) -> None:
        self.ticket = ticket
        if ticket is not None:
            logger.info(
                "kiosk shows ticket %s (%s): %s, %s, track %s",
                ticket.number,
                ticket.service_name,
                ahead_text(catalog("en"), ticket.ahead),
                eta_text(catalog("en"), ticket.eta_minutes, ticket.eta_wording),
                ticket.track_url,
            )
        self.ticket_changed.emit(ticket)
        self._show_panel(Panel.TICKET, ticket is not None)

    def set_route(self, route: RouteView | None) -> None:
        self.route = route
        if route is not None:
            logger.info("kiosk shows route: %s at %s (%s)", route.name, route.location, route.reason)
        self.route_changed.emit(route)
        self._show_panel(Panel.ROUTE, route is not None)

    def set_appointment(self, appointment: dict[str, object] | None) -> None:
        self.appointment = appointment
        if appointment is not None:
            logger.info(
                "kiosk shows appointment %s (%s) at %s: %s",
                appointment.get("code"),
                appointment.get("service_name"),
                appointment.get("starts_at"),
                appointment.get("status"),
            )
        self.appointment_changed.emit(appointment)
        self._show_panel(Panel.APPOINTMENT, appointment is not None)

    def show_check_in(self) -> None:
        logger.info("kiosk shows check-in")
        self.set_screen(Screen.CONVERSATION)
        self._show_panel(Panel.CHECK_IN, True)

    def show_staff_coming(self) -> None:
        logger.info("kiosk shows: staff are coming")
        self.set_screen(Screen.CONVERSATION)
        self._show_panel(Panel.STAFF, True)

    def set_screen(self, screen: Screen) -> None:
        if screen is not self.screen:
            logger.info("kiosk screen: %s -> %s", self.screen, screen)
            self.screen = screen
            self.screen_changed.emit(screen)

    def _show_panel(self, panel: Panel, shown: bool) -> None:
        """Show `panel`, or clear it if it is the one showing and `shown` is False."""
        target = panel if shown else (Panel.NONE if self.panel is panel else self.panel)
        if target is not self.panel:
            self.panel = target
            self.panel_changed.emit(target)
        if shown:
            self.set_screen(Screen.CONVERSATION)

    # -- voice and look ---------------------------------------------------------

    def set_partial(self, text: str) -> None:
        if text != self.partial:
            self.partial = text
            self.partial_changed.emit(text)

    def set_level(self, level: float) -> None:
        self.level_changed.emit(level)

    def set_language(self, lang: str) -> None:
        if lang != self.lang:
            logger.info("kiosk language: %s -> %s", self.lang, lang)
            self.lang = lang
            self.language_changed.emit(lang)

    def set_theme(self, *, large_text: bool | None = None, high_contrast: bool | None = None) -> None:
        if large_text is not None:
            self.large_text = large_text
        if high_contrast is not None:
            self.high_contrast = high_contrast
        logger.info("kiosk look: large text %s, high contrast %s", self.large_text, self.high_contrast)
        self.theme_changed.emit()

    def reset(self, screen: Screen = Screen.ATTRACT) -> None:
        """Forget the conversation: a new sender id, no lines, no cards; back to `screen`."""
        self.sender_id = uuid.uuid4().hex
        self.lines.clear()
        logger.info("kiosk conversation reset")
        self.cleared.emit()
        self.set_ticket(None)
        self.set_route(None)
        self.set_appointment(None)
        self.set_partial("")
        self._show_panel(self.panel, False)
        self.set_screen(screen)

    @property
    def is_empty(self) -> bool:
        return (
            not self.lines
            and self.ticket is None
            and self.route is None
            and self.appointment is None
            and self.panel is Panel.NONE
        )

    def _add(self, line: ChatLine) -> None:
        self.lines.append(line)
        self.message_added.emit(line)

    # -- branch and devices -------------------------------------------------

    def set_services(self, services: Sequence[ServiceView]) -> None:
        self.services = tuple(services)
        logger.info("kiosk shows %d service tiles", len(self.services))
        self.services_changed.emit(self.services)

    def service(self, service_id: str) -> ServiceView | None:
        return next((s for s in self.services if s.id == service_id), None)

    def set_waits(self, lang: str, waits: Sequence[QueueLine]) -> None:
        waits = tuple(waits)
        if self.waits.get(lang) != waits:
            self.waits[lang] = waits
            self.waits_changed.emit()

    @property
    def elderly(self) -> bool:
        """Elderly-friendly mode: the large-text toggle, and everything that goes with it."""
        return self.large_text

    def set_hub_state(self, state: HubState) -> None:
        if state is self.hub_state:
            return
        log = logger.warning if state is HubState.TOUCH_ONLY else logger.info
        log("hub state: %s -> %s", self.hub_state, state)
        self.hub_state = state
        self.status_changed.emit()

    def set_hardware(self, statuses: Mapping[str, HardwareStatus]) -> None:
        changed = {k: v for k, v in statuses.items() if self.hardware.get(k) != v}
        if not changed:
            return
        for name, status in changed.items():
            logger.info("device %s: %s%s", name, status.state, f" ({status.detail})" if status.detail else "")
        self.hardware.update(changed)
        self.status_changed.emit()

    def device_ready(self, name: str) -> bool:
        status = self.hardware.get(name)
        return status is not None and status.ready

    def device_missing(self, name: str) -> bool:
        status = self.hardware.get(name)
        return status is not None and status.state is HardwareState.MISSING

    @property
    def voice_ready(self) -> bool:
        return self.device_ready("microphone") and self.device_ready("recognizer")

    @property
    def voice_off_reason(self) -> str:
        """Why voice input is off, in the language shown ("" when it is on)."""
        return i18n.voice_off_reason(catalog(self.lang), self.hardware)

    @property
    def status_text(self) -> str:
        """The status line in the language shown: hub, each device, why voice is off (device details as given)."""
        return i18n.status_text(catalog(self.lang), self.hub_state.value, self.hardware)

    def set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busy_changed.emit(busy)

    def set_listening(self, listening: bool) -> None:
        if listening != self.listening:
            self.listening = listening
            self.listening_changed.emit(listening)
