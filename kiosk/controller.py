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
from hardware.ports import (
    HardwareError,
    HardwareState,
    HardwareStatus,
    Microphone,
    Speaker,
    SpeechRecognizer,
    TicketPrinter,
    TicketPrint,
    Transcript,
)
from kiosk.hub_client import HubClient, HubError
from kiosk.viewmodel import HubState, KioskModel, ahead_text, eta_text
from kiosk.views import KioskWindow
from kiosk.workers import TaskRunner

logger = logging.getLogger(__name__)

PRINTER_DOWN = "Please take note of your number, the printer is not available."
HUB_DOWN = "Sorry, I cannot reach the branch system right now. Please ask a member of staff."
HUB_FAILED = "Sorry, something went wrong. Please try again or ask a member of staff."
NOT_HEARD = "Sorry, I did not catch that. Please try again, type your question or tap a tile."
MIC_DOWN = "Voice input is not available right now. Please type your question or tap a tile."
TICKET_FOOTER = "Please wait until your number is called."
CUSTOMER_TASKS = ("chat", "tile", "listen")  # while one runs, the screen takes no new request


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
        self.printer = printer
        self.speaker = speaker
        self.microphone = microphone
        self.recognizer = recognizer
        self.lang = lang
        self.record_seconds = record_seconds
        self.runner = TaskRunner(parent=self)
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
        """Background health check of the hub and status of every device (off-thread)."""
        if not self.runner.pending("health"):
            self.runner.submit("health", self.hub.health, self._on_health)
        if not self.runner.pending("hardware"):
            self.runner.submit("hardware", self._read_hardware, self.model.set_hardware)

    def reset_conversation(self) -> None:
        self.idle_timer.stop()
        self.model.reset()
        self.runner.submit("speaker-stop", self.speaker.stop, on_error=self._on_speaker_error)
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
        key = uuid.uuid4().hex  # one tap issues at most one ticket, even if retried by the hub client

        def call() -> TileOutcome:
            if intent is None:
                return TileOutcome(None, self.hub.create_ticket(service.id, self.lang, idempotency_key=key))
            triage = self.hub.triage(intent, self.lang)
            if triage.decision is not Decision.TICKET:
                return TileOutcome(triage, None)
            ticket = self.hub.create_ticket(
                triage.service or service.id, self.lang, intent=intent, idempotency_key=key
            )
            return TileOutcome(triage, ticket)

        self._submit_customer(
            "tile",
            call,
            lambda outcome: self._on_tile(sender, outcome),
            lambda error: self._on_hub_error(sender, error),
        )

    def listen(self) -> None:
        """Record up to `record_seconds` and transcribe off-thread, then chat the transcript."""
        if not self.model.voice_ready or self.model.listening:
            return
        self._touch()
        sender = self.model.sender_id
        self.model.set_listening(True)

        def call() -> Transcript:
            try:
                self.speaker.stop()  # do not transcribe our own voice
            except HardwareError as error:
                logger.debug("speaker stop before listening failed: %s", error)
            audio = self.microphone.chunks(self.record_seconds)
            return self.recognizer.transcribe(audio, sample_rate=self.microphone.sample_rate)

        self._submit_customer(
            "listen",
            call,
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
            speech = speech or _ticket_sentence(reply.ticket, spoken=True)
        if reply.route is not None:
            self.model.set_route(reply.route)
        self._speak(speech)

    def _on_tile(self, sender: str, outcome: TileOutcome) -> None:
        if self._stale(sender, "tile outcome"):
            return
        self.model.set_hub_state(HubState.ONLINE)
        triage = outcome.triage
        if outcome.ticket is not None:
            self._show_ticket(outcome.ticket)
            self.model.add_assistant(_ticket_sentence(outcome.ticket))
            self._speak(_ticket_sentence(outcome.ticket, spoken=True))
        elif triage is not None and triage.decision is Decision.DEVICE and triage.device is not None:
            device = triage.device
            sentence = f"You can do this now at the {device.name}, {device.location}."
            self.model.set_route(device)
            self.model.add_assistant(" ".join(filter(None, (sentence, triage.reason))))
            self._speak(sentence)
        elif triage is not None:
            sentence = triage.reason or "Please ask a member of staff, they will help you."
            self.model.add_assistant(sentence)
            self._speak(sentence)

    def _on_hub_error(self, sender: str, error: Exception) -> None:
        code = error.code if isinstance(error, HubError) else "internal"
        logger.warning("hub call failed (%s): %s", code, error)
        unreachable = code in ("hub_unreachable", "hub_timeout")
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
        self.check()

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
            logger.info("idle for %ds: clearing the screen", self.idle_timer.interval() // 1000)
            self.reset_conversation()

    def _on_speaker_error(self, error: Exception) -> None:
        logger.warning("speech output failed: %s", error)

    # -- helpers ------------------------------------------------------------------

    def _show_ticket(self, ticket: TicketView) -> None:
        ticket = replace(ticket, track_url=urljoin(self.hub.base_url + "/", ticket.track_url))
        self.model.set_ticket(ticket)
        if self.model.device_missing("printer"):
            self._on_print_error(HardwareError("printer_missing", "no ticket printer configured"))
            return
        job = TicketPrint(ticket, self.model.branch_name, ticket.track_url, TICKET_FOOTER)
        sender = self.model.sender_id
        self.runner.submit(
            "print",
            lambda: self.printer.print_ticket(job),
            lambda _none: logger.info("ticket %s printed", ticket.number),
            lambda error: self._on_print_error(error, sender),
        )

    def _on_print_error(self, error: Exception, sender: str | None = None) -> None:
        if isinstance(error, HardwareError):
            logger.warning("printer failed (%s): %s", error.code, error.message)
        else:
            logger.error("printer adapter raised %r", error, exc_info=error)
        if sender is None or not self._stale(sender, "printer error"):
            self.model.add_system(PRINTER_DOWN)
        self.check()

    def _speak(self, text: str) -> None:
        if not text or self.model.device_missing("speaker"):
            return

        def call() -> None:
            self.speaker.play(self.speaker.render(text, self.lang))

        self.runner.submit("speak", call, on_error=self._on_speaker_error)

    def _read_hardware(self) -> dict[str, HardwareStatus]:
        ports: dict[str, Any] = {
            "printer": self.printer,
            "speaker": self.speaker,
            "microphone": self.microphone,
            "recognizer": self.recognizer,
        }
        return {name: _status_of(name, port.status) for name, port in ports.items()}

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


def _status_of(name: str, read: Callable[[], HardwareStatus]) -> HardwareStatus:
    try:
        return read()
    except Exception as error:  # a status probe must not take the kiosk down
        logger.warning("status of %s failed: %s", name, error)
        return HardwareStatus(name, HardwareState.FAULT, str(error))


def _ticket_sentence(ticket: TicketView, spoken: bool = False) -> str:
    number = ticket.spoken_number if spoken else ticket.number
    eta = eta_text(ticket.eta_minutes)
    if spoken and ticket.eta_minutes is not None:
        eta = f"about {ticket.eta_minutes[0]} to {ticket.eta_minutes[1]} minutes"
    return f"Your number is {number}, for {ticket.service_name}. {ahead_text(ticket.position)}, {eta.lower()}."
