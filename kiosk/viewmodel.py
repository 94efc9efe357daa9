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

from PySide6.QtCore import QObject, Signal

from assistant.protocol import Button, RouteView, ServiceView, TicketView
from hardware.ports import HardwareState, HardwareStatus
from kiosk.phrases import ahead_text, eta_text

logger = logging.getLogger(__name__)

DEVICE_ORDER = ("printer", "speaker", "microphone", "recognizer")


class Role(StrEnum):
    CUSTOMER = "customer"
    ASSISTANT = "assistant"
    SYSTEM = "system"


class HubState(StrEnum):
    CONNECTING = "connecting"
    ONLINE = "online"
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

    def __init__(self, branch_name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.branch_name = branch_name
        self.sender_id = uuid.uuid4().hex
        self.lines: list[ChatLine] = []
        self.ticket: TicketView | None = None
        self.route: RouteView | None = None
        self.services: tuple[ServiceView, ...] = ()
        self.hub_state = HubState.CONNECTING
        self.hardware: dict[str, HardwareStatus] = {}
        self.busy = False
        self.listening = False

    @property
    def greeting(self) -> str:
        return f"Welcome to {self.branch_name}. How can I help you today?"

    # -- conversation -----------------------------------------------------------

    def add_customer(self, text: str) -> None:
        logger.debug("customer says: %s", text)
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
                ahead_text(ticket.ahead),
                eta_text(ticket.eta_minutes),
                ticket.track_url,
            )
        self.ticket_changed.emit(ticket)

    def set_route(self, route: RouteView | None) -> None:
        self.route = route
        if route is not None:
            logger.info("kiosk shows route: %s at %s (%s)", route.name, route.location, route.reason)
        self.route_changed.emit(route)

    def reset(self) -> None:
        """Forget the conversation: a new sender id, no lines, no cards."""
        self.sender_id = uuid.uuid4().hex
        self.lines.clear()
        logger.info("kiosk conversation reset")
        self.cleared.emit()
        self.set_ticket(None)
        self.set_route(None)

    @property
    def is_empty(self) -> bool:
        return not self.lines and self.ticket is None and self.route is None

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
        """Why voice input is off ("" when it is on)."""
        if self.voice_ready:
            return ""
        for name in ("recognizer", "microphone"):
            status = self.hardware.get(name)
            if status is None:
                return "checking the microphone"
            if not status.ready:
                return status.detail or f"{name} {status.state}"
        return ""

    @property
    def status_text(self) -> str:
        parts = [f"Hub: {self.hub_state}"]
        for name in DEVICE_ORDER:
            status = self.hardware.get(name)
            state = "checking" if status is None else str(status.state)
            detail = status.detail if status is not None and not status.ready else ""
            if detail and name in ("printer", "speaker"):
                state = f"{state} ({detail})"
            parts.append(f"{name.capitalize()}: {state}")
        if not self.voice_ready:
            parts.append(f"Voice input off: {self.voice_off_reason}")
        return " \u00b7 ".join(parts)

    def set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busy_changed.emit(busy)

    def set_listening(self, listening: bool) -> None:
        if listening != self.listening:
            self.listening = listening
            self.listening_changed.emit(listening)
