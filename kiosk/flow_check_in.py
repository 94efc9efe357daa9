"""The check-in flow: a booking code (typed, said or scanned) or an app ticket's QR code or number."""

from __future__ import annotations

import logging

from kiosk.flow_base import UNREACHABLE_CODES, FlowBase
from kiosk.hub_client import HubError
from kiosk.i18n import ticket_sentence
from kiosk.screens import is_ticket_reference
from kiosk.viewmodel import HubState
from lobby_wire import TicketView

logger = logging.getLogger(__name__)


class CheckInFlow(FlowBase):
    def check_in(self, code: str) -> None:
        """Check in for appointment `code` (typed, said or scanned): its ticket, printed. A ticket
        reference instead (a remote ticket's QR code or number): the customer has arrived."""
        self._touch()
        sender = self.model.sender_id
        if is_ticket_reference(code):
            self.model.add_customer(self.catalog.text("checkin.customer", code=code if len(code) < 32 else "QR"))
            self._submit_customer(
                "arrival",
                lambda: self.hub.arrive(code),
                lambda ticket: self._on_arrived(sender, ticket),
                lambda error: self._on_check_in_error(sender, error),
            )
            return
        self.model.add_customer(self.catalog.text("checkin.customer", code=code))
        self._submit_customer(
            "check-in",
            lambda: self.hub.check_in(code, self.lang),
            lambda outcome: self._on_checked_in(sender, outcome),
            lambda error: self._on_check_in_error(sender, error),
        )

    def _on_checked_in(self, sender: str, outcome: tuple[TicketView, str]) -> None:
        if self._stale(sender, "check-in"):
            return
        self.model.set_hub_state(HubState.ONLINE)
        ticket, message = outcome
        self._show_ticket(ticket)
        sentence = " ".join(filter(None, (message, ticket_sentence(self.catalog, ticket))))
        self.model.add_assistant(sentence)
        self.devices.speak(" ".join(filter(None, (message, ticket_sentence(self.catalog, ticket, spoken=True)))))

    def _on_arrived(self, sender: str, ticket: TicketView) -> None:
        if self._stale(sender, "arrival"):
            return
        self.model.set_hub_state(HubState.ONLINE)
        self._show_ticket(ticket)  # printed too: a customer who joined in the app now has paper
        welcome = self.catalog.text("checkin.arrived")
        self.model.add_assistant(f"{welcome} {ticket_sentence(self.catalog, ticket)}")
        self.devices.speak(f"{welcome} {ticket_sentence(self.catalog, ticket, spoken=True)}")

    def _on_check_in_error(self, sender: str, error: Exception) -> None:
        code = error.code if isinstance(error, HubError) else "internal"
        if code in UNREACHABLE_CODES or not isinstance(error, HubError) or self._stale(sender, "check-in"):
            self._on_hub_error(sender, error)
            return
        if code == "appointment_not_found":
            text = self.catalog.text("checkin.not_found")
        elif code == "ticket_not_found":
            text = self.catalog.text("checkin.ticket_not_found")
        elif code in ("unauthorized", "forbidden"):  # a typed number needs the kiosk's device token
            logger.warning("the hub refused a ticket number from this kiosk (%s): set kiosk.token", error.message)
            text = self.catalog.text("checkin.scan_instead")
        else:  # too_early, appointment_expired, cancelled: the hub's own words
            text = error.message[:1].upper() + error.message[1:] + "."
        self.model.add_assistant(text)
        self.model.show_check_in()
        self.window.check_in_card.show_error(text)
        self.devices.speak(text)
