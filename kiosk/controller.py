"""Wires the greeter: window intents -> hub and hardware calls -> model.

Every hub and hardware call runs on the `TaskRunner`'s threads; outcomes come
back on the GUI thread and update the `KioskModel`. A reply that arrives after
the conversation was reset (idle timeout) is dropped: it belongs to a customer
who has gone.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urljoin

from PySide6.QtCore import QObject, QTimer

from assistant.protocol import ChatReply, Decision, TicketView, TriageView
from hardware.ports import (
    HardwareError,
    Microphone,
    Scanner,
    Speaker,
    SpeechRecognizer,
    TicketPrinter,
    Transcript,
)
from kiosk.devices import KioskDevices
from kiosk.hub_client import HubClient, HubError
from kiosk.i18n import Catalog, catalog, route_sentence, ticket_sentence
from kiosk.screens import is_ticket_reference
from kiosk.viewmodel import HubState, KioskModel, Screen
from kiosk.views import KioskWindow
from kiosk.workers import TaskRunner

logger = logging.getLogger(__name__)

CUSTOMER_TASKS = ("chat", "tile", "listen", "check-in", "staff")
PUSH_TO_TALK_HOLD_S = 0.4  # a press longer than this is push-to-talk; shorter is a tap (hands-free)
FOLLOW_UP_GAP_MS = 300  # after the spoken question, before the microphone reopens
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
        grammar: Sequence[str] = (),
        scanner: Scanner | None = None,
        hands_free: bool = True,
        recognizers: Mapping[str, SpeechRecognizer] | None = None,
        grammars: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        super().__init__(window)
        self.scanner = scanner
        self.hands_free = hands_free
        self._released = threading.Event()
        self._listen_started = 0.0
        self._spoken_turn = False  # the customer's last turn was spoken: answer questions hands-free
        self.model = model
        self.window = window
        self.hub = hub
        self.lang = lang
        self.runner = TaskRunner(parent=self)
        self.devices = KioskDevices(
            model,
            self.runner,
            printer,
            speaker,
            microphone,
            recognizer,
            lang,
            record_seconds,
            on_printer_problem=self._alert_printer_problem,
            grammar=grammar,
            recognizers=recognizers,
            grammars=grammars,
        )
        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.setInterval(int(idle_timeout_s * 1000))
        self.idle_timer.timeout.connect(self._on_idle)
        self.follow_up_timer = QTimer(self)  # hands-free: reopens the microphone after a spoken question
        self.follow_up_timer.setSingleShot(True)
        self.follow_up_timer.timeout.connect(self._reopen_mic)
        self._follow_up_sender = ""
        self._shut_down = False
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(int(health_interval_s * 1000))
        self.poll_timer.timeout.connect(self.check)

        window.send_requested.connect(self.send_text)
        window.reply_requested.connect(lambda title, payload: self.send_text(payload or title, title))
        window.tile_requested.connect(self.choose_service)
        window.mic_requested.connect(self.listen)
        window.mic_released.connect(self.release_mic)
        window.check_in_requested.connect(self.check_in)
        window.staff_requested.connect(self.ask_for_staff)
        window.language_requested.connect(self.set_language)
        window.rating_given.connect(self.rate)
        window.activity.connect(self._on_activity)

    # -- lifecycle --------------------------------------------------------------

    def start(self) -> None:
        """Check hub and devices now, then every `health_interval_s`; listen to a serial scanner if any."""
        self.check()
        self.devices.prepare_voice(self.lang)  # the speech model loads now, not on the first words
        self.poll_timer.start()
        if self.scanner is not None:
            try:
                # The scanner's thread emits; the window's slot runs on the GUI thread (queued).
                self.scanner.start(self.window.scanner.scanned.emit)
            except HardwareError as error:
                logger.warning("serial scanner not available: %s", error.message)

    def shutdown(self, timeout_ms: int = 3000) -> None:
        if self.scanner is not None:
            self.scanner.stop()
        self._shut_down = True
        self.poll_timer.stop()
        self.idle_timer.stop()
        self.follow_up_timer.stop()
        self.runner.shutdown(timeout_ms)
        self.hub.close()

    def check(self) -> None:
        """Background health check of the hub and status read of every device."""
        if not self.runner.pending("health"):
            self.runner.submit("health", self.hub.readiness, self._on_health)
        self.devices.refresh()

    def reset_conversation(self) -> None:
        """Back to the attract screen with nothing of the last customer left."""
        self.idle_timer.stop()
        self.follow_up_timer.stop()
        self.model.reset()
        self.devices.stop_speaking()
        self._update_busy()

    def set_language(self, lang: str) -> None:
        """UI text, speech voice and the dialogue language sent to the hub all follow."""
        self._touch()
        self.lang = lang
        self.devices.set_language(lang)  # its speech model (loaded once, in the background) and grammar
        self.model.set_language(lang)
        self.model.set_services(())  # reloaded with names in the new language
        self.runner.submit(
            "services",
            lambda: self.hub.services(lang),
            self.model.set_services,
            lambda error: logger.warning("cannot load services: %s", error),
        )

    # -- customer requests ------------------------------------------------------

    def send_text(self, text: str, shown: str | None = None, spoken: bool = False) -> None:
        """Send `text` as chat; `shown` is what the customer bubble says (a button's title)."""
        text = text.strip()
        if not text:
            return
        self._spoken_turn = spoken
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

    def rate(self, ticket_id: str, score: int) -> None:
        """Send the customer's rating; a failure is only logged (the customer has moved on)."""
        self.runner.submit(
            "rating",
            lambda: self.hub.rate(ticket_id, score),
            lambda _none: logger.info("rating %d for ticket %s sent", score, ticket_id),
            lambda error: logger.warning("rating not sent: %s", error),
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

    def listen(self) -> None:
        """Record and transcribe off-thread, then send the transcript as chat.

        Hands-free: the recording ends by itself when the customer stops talking. Held
        down, the microphone button is push-to-talk: letting go (`release_mic`) ends it.
        """
        if not self.model.voice_ready or self.model.listening:
            return
        self._touch()
        sender = self.model.sender_id
        lang = self.lang
        released = self._released = threading.Event()
        self._listen_started = time.monotonic()
        self._spoken_turn = True
        self.model.set_listening(True)
        self._submit_customer(
            "listen",
            lambda: self.devices.record_and_transcribe(released, lang),
            lambda transcript: self._on_transcript(sender, transcript),
            self._on_listen_error,
        )

    def release_mic(self) -> None:
        """The microphone button let go: after a hold (not a tap) that ends the recording now."""
        if self.model.listening and time.monotonic() - self._listen_started >= PUSH_TO_TALK_HOLD_S:
            logger.info("push-to-talk released after %.1fs", time.monotonic() - self._listen_started)
            self._released.set()

    # -- outcomes (GUI thread) --------------------------------------------------

    def _on_chat(self, sender: str, reply: ChatReply) -> None:
        if self._stale(sender, "chat reply"):
            return
        self.model.set_hub_state(HubState.CHAT_DOWN if reply.degraded else HubState.ONLINE)
        if reply.degraded:
            logger.warning("hub answered in degraded mode (dialogue engine down): touch menu shown")
        for message in reply.messages:
            if message.text or message.buttons:
                self.model.add_assistant(message.text, message.buttons)
        # The reply is spoken in the turn's language, which may not be the screen's (Chinese typed on
        # an English screen is answered in Chinese): its voice and the sentences made here follow it.
        speech_lang = reply.lang or self.lang
        said = catalog(speech_lang)
        speech = " ".join(m.text for m in reply.messages if m.text)
        if reply.ticket is not None:
            self._show_ticket(reply.ticket)
            speech = speech.replace(reply.ticket.number, reply.ticket.spoken_number)
            speech = speech or ticket_sentence(said, reply.ticket, spoken=True)
        if reply.route is not None:
            self.model.set_route(reply.route)
            speech = speech or route_sentence(said, reply.route)
        if reply.appointment is not None:
            self.model.set_appointment(dict(reply.appointment))
        last = reply.messages[-1] if reply.messages else None
        asks = last is not None and (last.text.rstrip().endswith(("?", "\uff1f")) or bool(last.buttons))
        if self.hands_free and self._spoken_turn and asks and reply.ticket is None:
            # A spoken conversation stays spoken: once the question has been said, listen again.
            self.devices.speak(speech, lambda seconds: self._listen_after(sender, seconds), lang=speech_lang)
        else:
            self.devices.speak(speech, lang=speech_lang)

    def _listen_after(self, sender: str, seconds: float) -> None:
        """Reopen the microphone once the question has been said (the timer dies with the controller)."""
        if self._shut_down:
            return
        self._follow_up_sender = sender
        self.follow_up_timer.start(int(seconds * 1000) + FOLLOW_UP_GAP_MS)

    def _reopen_mic(self) -> None:
        model = self.model
        if self._follow_up_sender == model.sender_id and not model.busy and model.voice_ready:
            logger.info("hands-free: listening for the answer")
            self.listen()

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

    def _on_staff_alerted(self, sender: str) -> None:
        if self._stale(sender, "staff alert"):
            return
        text = self.catalog.text("staff.coming")
        self.model.show_staff_coming()
        self.model.add_assistant(text)
        self.devices.speak(text)

    def _alert_printer_problem(self, detail: str) -> None:
        """The printer failed on a ticket: staff screens hear of it (event `staff.alert`)."""
        self.runner.submit(
            "printer-alert",
            lambda: self.hub.alert_staff(f"kiosk printer problem: {detail}", "kiosk", self.lang),
            on_error=lambda error: logger.warning("could not alert staff about the printer: %s", error),
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

    def _on_hub_error(self, sender: str, error: Exception) -> None:
        code = error.code if isinstance(error, HubError) else "internal"
        logger.warning("hub call failed (%s): %s", code, error)
        unreachable = code in UNREACHABLE_CODES
        if unreachable:
            self.model.set_hub_state(HubState.TOUCH_ONLY)
        if not self._stale(sender, "hub error"):
            self.model.add_system(self.catalog.text("notice.hub_down" if unreachable else "notice.hub_failed"))

    def _on_transcript(self, sender: str, transcript: Transcript) -> None:
        self.model.set_listening(False)
        self.model.set_partial("")
        if self._stale(sender, "transcript"):
            return
        text = transcript.text.strip()
        logger.info("heard %r (confidence %s)", text, transcript.confidence)
        if not text:
            self._spoken_turn = False
            self.model.add_assistant(self.catalog.text("notice.not_heard"))
            return
        self.send_text(text, spoken=True)

    def _on_listen_error(self, error: Exception) -> None:
        self.model.set_listening(False)
        self.model.set_partial("")
        logger.warning("voice input failed: %s", error)
        self.model.add_system(self.catalog.text("notice.mic_down"))
        self.devices.refresh()

    def _on_health(self, readiness: tuple[bool, bool]) -> None:
        healthy, dialogue = readiness
        state = HubState.ONLINE if dialogue else HubState.CHAT_DOWN if healthy else HubState.TOUCH_ONLY
        self.model.set_hub_state(state)
        if healthy and not self.model.services and not self.runner.pending("services"):
            self.runner.submit(
                "services",
                lambda: self.hub.services(self.lang),
                self.model.set_services,
                lambda error: logger.warning("cannot load services: %s", error),
            )

    def _on_idle(self) -> None:
        if not self.model.is_empty or self.model.screen is not Screen.ATTRACT:
            logger.info("idle for %.0fs: back to the attract screen", self.idle_timer.interval() / 1000)
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

    def _on_activity(self) -> None:
        """Any tap or keystroke: the customer is here (idle timer) and wants to talk (barge-in)."""
        self._touch()
        self.devices.stop_speaking()

    @property
    def catalog(self) -> Catalog:
        return catalog(self.lang)

    def _stale(self, sender: str, what: str) -> bool:
        if sender == self.model.sender_id:
            self._touch()
            return False
        logger.info("dropping %s of a finished conversation", what)
        return True
