"""The touch flows: a service tile (triage, then a ticket or a device) and "talk to someone"."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from kiosk.flow_base import FlowBase
from kiosk.i18n import route_sentence, ticket_sentence
from kiosk.viewmodel import HubState
from lobby_wire import Decision, TicketView, TriageView

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TileOutcome:
    triage: TriageView | None
    ticket: TicketView | None


class ServiceFlow(FlowBase):
    def choose_service(self, service_id: str) -> None:
        """A tile tap: triage its first intent, then issue a ticket or show the route."""
        service = self.model.service(service_id)
        if service is None:
            logger.warning("tile for unknown service %s", service_id)
            return
        self._touch()
        self.model.add_customer(service.name)
        sender = self.model.sender_id
        intent = service.intents[0] if service.intents else None
        key = uuid.uuid4().hex  # one tap issues at most one ticket

        def call() -> TileOutcome:
            if intent is None:
                return TileOutcome(None, self.hub.create_ticket(service.id, self.lang, idempotency_key=key))
            triage = self.hub.triage(intent, self.lang)
            if triage.decision is not Decision.TICKET:
                return TileOutcome(triage, None)
            service_id = triage.service or service.id
            ticket = self.hub.create_ticket(service_id, self.lang, intent=intent, idempotency_key=key)
            return TileOutcome(triage, ticket)

        self._submit_customer(
            "tile",
            call,
            lambda outcome: self._on_tile(sender, outcome),
            lambda error: self._on_hub_error(sender, error),
        )

    def ask_for_staff(self) -> None:
        """The "talk to someone" button: alert the staff screens, then say help is coming."""
        self._touch()
        self.model.add_customer(self.catalog.text("home.staff"))
        sender = self.model.sender_id
        self._submit_customer(
            "staff",
            lambda: self.hub.alert_staff("a customer at the kiosk asked for a member of staff", sender, self.lang),
            lambda _none: self._on_staff_alerted(sender),
            lambda error: self._on_hub_error(sender, error),
        )

    def _on_tile(self, sender: str, outcome: TileOutcome) -> None:
        if self._stale(sender, "tile outcome"):
            return
        self.model.set_hub_state(HubState.ONLINE)
        triage = outcome.triage
        if outcome.ticket is not None:
            self._show_ticket(outcome.ticket)
            self.model.add_assistant(ticket_sentence(self.catalog, outcome.ticket))
            self.devices.speak(ticket_sentence(self.catalog, outcome.ticket, spoken=True))
        elif triage is not None and triage.decision is Decision.DEVICE and triage.device is not None:
            sentence = route_sentence(self.catalog, triage.device)
            self.model.set_route(triage.device)
            self.model.add_assistant(" ".join(filter(None, (sentence, triage.reason))))
            self.devices.speak(sentence)
        elif triage is not None:
            sentence = triage.reason or self.catalog.text("notice.ask_staff")
            self.model.add_assistant(sentence)
            self.devices.speak(sentence)

    def _on_staff_alerted(self, sender: str) -> None:
        if self._stale(sender, "staff alert"):
            return
        text = self.catalog.text("staff.coming")
        self.model.show_staff_coming()
        self.model.add_assistant(text)
        self.devices.speak(text)
