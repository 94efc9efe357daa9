"""What every customer flow of the kiosk shares: the model, the hub, the devices and how calls are made.

`KioskController` is one object made of flows (`kiosk.flow_chat`,
`kiosk.flow_service`, `kiosk.flow_check_in`), each a mixin of this base:
hub and hardware calls run on the `TaskRunner`'s threads, their outcomes come
back on the GUI thread, and an outcome for a conversation that was reset
meanwhile (`_stale`) is dropped: it belongs to a customer who has gone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urljoin

from PySide6.QtCore import QTimer

from kiosk.devices import KioskDevices
from kiosk.hub_client import HubClient, HubError
from kiosk.i18n import Catalog, catalog
from kiosk.viewmodel import HubState, KioskModel
from kiosk.views import KioskWindow
from kiosk.workers import TaskRunner
from lobby_wire import TRANSIENT_FAILURES, TicketView

logger = logging.getLogger(__name__)

# Calls made for the customer in front of the kiosk: while one runs the kiosk shows busy (no second tap).
CUSTOMER_TASKS = ("chat", "tile", "listen", "check-in", "arrival", "staff")
UNREACHABLE_CODES = TRANSIENT_FAILURES  # no answer at all: hub_unreachable, hub_timeout (lobby_wire.ClientFailure)


class FlowBase:
    model: KioskModel
    window: KioskWindow
    hub: HubClient
    devices: KioskDevices
    runner: TaskRunner
    lang: str
    idle_timer: QTimer
    idle_timeout_s: float
    elderly_idle_timeout_s: float

    @property
    def catalog(self) -> Catalog:
        return catalog(self.lang)

    def _show_ticket(self, ticket: TicketView) -> None:
        # The hub may answer a relative tracking path; the QR code needs a full URL.
        ticket = replace(ticket, track_url=urljoin(self.hub.base_url + "/", ticket.track_url))
        self.model.set_ticket(ticket)
        self.devices.print_ticket(ticket)

    def _notice(self, text: str) -> None:
        """A system notice; in elderly-friendly mode it is also said (every reply is spoken there)."""
        self.model.add_system(text)
        if self.model.elderly:
            self.devices.speak(text)

    def _on_hub_error(self, sender: str, error: Exception) -> None:
        code = error.code if isinstance(error, HubError) else "internal"
        logger.warning("hub call failed (%s): %s", code, error)
        unreachable = code in UNREACHABLE_CODES
        if unreachable:
            self.model.set_hub_state(HubState.TOUCH_ONLY)
        if not self._stale(sender, "hub error"):
            self._notice(self.catalog.text("notice.hub_down" if unreachable else "notice.hub_failed"))

    def _submit_customer(
        self,
        name: str,
        call: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        def done(result: Any) -> None:
            self._update_busy()
            on_done(result)

        def failed(error: Exception) -> None:
            self._update_busy()
            on_error(error)

        self.runner.submit(name, call, done, failed)
        self._update_busy()

    def _update_busy(self) -> None:
        self.model.set_busy(any(self.runner.pending(name) for name in CUSTOMER_TASKS))

    def _touch(self) -> None:
        """The customer is here: the idle timer starts again (longer in elderly-friendly mode)."""
        seconds = self.elderly_idle_timeout_s if self.model.elderly else self.idle_timeout_s
        self.idle_timer.start(int(seconds * 1000))

    def _stale(self, sender: str, what: str) -> bool:
        if sender == self.model.sender_id:
            self._touch()
            return False
        logger.info("dropping %s of a finished conversation", what)
        return True
