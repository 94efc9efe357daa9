"""Wires the greeter: window intents -> hub and hardware calls -> model.

Every hub and hardware call runs on the `TaskRunner`'s threads; outcomes come
back on the GUI thread and update the `KioskModel`. A reply that arrives after
the conversation was reset (idle timeout) is dropped: it belongs to a customer
who has gone.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urljoin

from PySide6.QtCore import QObject, QTimer

from assistant.protocol import ChatReply, Decision, TicketView, TriageView
from hardware.ports import Microphone, Speaker, SpeechRecognizer, TicketPrinter, Transcript
from kiosk.devices import KioskDevices
from kiosk.hub_client import HubClient, HubError
from kiosk.phrases import (
    ASK_STAFF,
    HUB_DOWN,
    HUB_FAILED,
    MIC_DOWN,
    NOT_HEARD,
    route_sentence,
    ticket_sentence,
)
from kiosk.viewmodel import HubState, KioskModel
from kiosk.views import KioskWindow
from kiosk.workers import TaskRunner

logger = logging.getLogger(__name__)

CUSTOMER_TASKS = ("chat", "tile", "listen")  # while one runs, the screen takes no new request
UNREACHABLE_CODES = ("hub_unreachable", "hub_timeout")


@dataclass(frozen=True, slots=True)
class TileOutcome:
    triage: TriageView | None
    ticket: TicketView | None


class KioskController(QObject):
    def __init__(
        self,
        model: KioskModel,
        window: KioskWindow,
        hub: HubClient,
        printer: TicketPrinter,
        speaker: Speaker,
        microphone: Microphone,
        recognizer: SpeechRecognizer,
        lang: str = "en",
        idle_timeout_s: float = 60,
        health_interval_s: float = 5.0,
        record_seconds: float = 8.0,
    ) -> None:
        super().__init__(window)
        self.model = model
        self.window = window
        self.hub = hub
        self.lang = lang
        self.runner = TaskRunner(parent=self)
        self.devices = KioskDevices(model, self.runner, printer, speaker, microphone, recognizer, lang, record_seconds)
        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.setInterval(int(idle_timeout_s * 1000))
        self.idle_timer.timeout.connect(self._on_idle)
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(int(health_interval_s * 1000))
        self.poll_timer.timeout.connect(self.check)

        window.send_requested.connect(self.send_text)
        window.reply_requested.connect(lambda title, payload: self.send_text(payload or title, title))
        window.tile_requested.connect(self.choose_service)
        window.mic_requested.connect(self.listen)
        window.activity.connect(self._touch)

    # -- lifecycle --------------------------------------------------------------

    def start(self) -> None:
        """Check hub and devices now, then every `health_interval_s`."""
        self.check()
        self.poll_timer.start()

    def shutdown(self, timeout_ms: int = 3000) -> None:
        self.poll_timer.stop()
        self.idle_timer.stop()
        self.runner.shutdown(timeout_ms)
        self.hub.close()

    def check(self) -> None:
        """Background health check of the hub and status read of every device."""
        if not self.runner.pending("health"):
            self.runner.submit("health", self.hub.health, self._on_health)
        self.devices.refresh()

    def reset_conversation(self) -> None:
        self.idle_timer.stop()
        self.model.reset()
        self.devices.stop_speaking()
        self._update_busy()

    # -- customer requests ------------------------------------------------------

    def send_text(self, text: str, shown: str | None = None) -> None:
        """Send `text` as chat; `shown` is what the customer bubble says (a button's title)."""
        text = text.strip()
        if not text:
            return
        self._touch()
        self.model.add_customer(shown or text)
        sender = self.model.sender_id
        self._submit_customer(
            "chat",
            lambda: self.hub.chat(sender, text, self.lang),
            lambda reply: self._on_chat(sender, reply),
            lambda error: self._on_hub_error(sender, error),
        )

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

    def listen(self) -> None:
        """Record and transcribe off-thread, then send the transcript as chat."""
        if not self.model.voice_ready or self.model.listening:
            return
        self._touch()
        sender = self.model.sender_id
        self.model.set_listening(True)
        self._submit_customer(
            "listen",
            self.devices.record_and_transcribe,
            lambda transcript: self._on_transcript(sender, transcript),
            self._on_listen_error,
        )

    # -- outcomes (GUI thread) --------------------------------------------------

    def _on_chat(self, sender: str, reply: ChatReply) -> None:
        if self._stale(sender, "chat reply"):
            return
        self.model.set_hub_state(HubState.ONLINE)
        if reply.degraded:
            logger.warning("hub answered in degraded mode (dialogue engine down): touch menu shown")
        for message in reply.messages:
            if message.text or message.buttons:
                self.model.add_assistant(message.text, message.buttons)
        speech = " ".join(m.text for m in reply.messages if m.text)
        if reply.ticket is not None:
            self._show_ticket(reply.ticket)
            speech = speech.replace(reply.ticket.number, reply.ticket.spoken_number)
            speech = speech or ticket_sentence(reply.ticket, spoken=True)
        if reply.route is not None:
            self.model.set_route(reply.route)
            speech = speech or route_sentence(reply.route)
        self.devices.speak(speech)

    def _on_tile(self, sender: str, outcome: TileOutcome) -> None:
        if self._stale(sender, "tile outcome"):
            return
        self.model.set_hub_state(HubState.ONLINE)
        triage = outcome.triage
        if outcome.ticket is not None:
            self._show_ticket(outcome.ticket)
            self.model.add_assistant(ticket_sentence(outcome.ticket))
            self.devices.speak(ticket_sentence(outcome.ticket, spoken=True))
        elif triage is not None and triage.decision is Decision.DEVICE and triage.device is not None:
            sentence = route_sentence(triage.device)
            self.model.set_route(triage.device)
            self.model.add_assistant(" ".join(filter(None, (sentence, triage.reason))))
            self.devices.speak(sentence)
        elif triage is not None:
            sentence = triage.reason or ASK_STAFF
            self.model.add_assistant(sentence)
            self.devices.speak(sentence)

    def _on_hub_error(self, sender: str, error: Exception) -> None:
        code = error.code if isinstance(error, HubError) else "internal"
        logger.warning("hub call failed (%s): %s", code, error)
        unreachable = code in UNREACHABLE_CODES
        if unreachable:
            self.model.set_hub_state(HubState.TOUCH_ONLY)
        if not self._stale(sender, "hub error"):
            self.model.add_system(HUB_DOWN if unreachable else HUB_FAILED)

    def _on_transcript(self, sender: str, transcript: Transcript) -> None:
        self.model.set_listening(False)
        if self._stale(sender, "transcript"):
            return
        text = transcript.text.strip()
        logger.info("heard %r (confidence %s)", text, transcript.confidence)
        if not text:
            self.model.add_assistant(NOT_HEARD)
            return
        self.send_text(text)

    def _on_listen_error(self, error: Exception) -> None:
        self.model.set_listening(False)
        logger.warning("voice input failed: %s", error)
        self.model.add_system(MIC_DOWN)
        self.devices.refresh()

    def _on_health(self, healthy: bool) -> None:
        self.model.set_hub_state(HubState.ONLINE if healthy else HubState.TOUCH_ONLY)
        if healthy and not self.model.services and not self.runner.pending("services"):
            self.runner.submit(
                "services",
                lambda: self.hub.services(self.lang),
                self.model.set_services,
                lambda error: logger.warning("cannot load services: %s", error),
            )

    def _on_idle(self) -> None:
        if not self.model.is_empty:
            logger.info("idle for %.0fs: clearing the screen", self.idle_timer.interval() / 1000)
            self.reset_conversation()

    # -- helpers ------------------------------------------------------------------

    def _show_ticket(self, ticket: TicketView) -> None:
        # The hub may answer a relative tracking path; the QR code needs a full URL.
        ticket = replace(ticket, track_url=urljoin(self.hub.base_url + "/", ticket.track_url))
        self.model.set_ticket(ticket)
        self.devices.print_ticket(ticket)

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
        self.idle_timer.start()

    def _stale(self, sender: str, what: str) -> bool:
        if sender == self.model.sender_id:
            self._touch()
            return False
        logger.info("dropping %s of a finished conversation", what)
        return True
