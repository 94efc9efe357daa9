"""Wires the greeter: window intents -> hub and hardware calls -> model.

The customer flows live in their own modules and make up the controller:
the conversation (`kiosk.flow_chat`), tiles and "talk to someone"
(`kiosk.flow_service`) and check-in (`kiosk.flow_check_in`); this module
starts and stops the kiosk, checks the hub and devices, keeps the attract
screen's waits fresh and resets the kiosk when the customer has gone.

Every hub and hardware call runs on the `TaskRunner`'s threads; outcomes come
back on the GUI thread and update the `KioskModel`. A reply that arrives after
the conversation was reset (idle timeout) is dropped: it belongs to a customer
who has gone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence

from PySide6.QtCore import QObject, QTimer

from hardware.ports import HardwareError, Microphone, Scanner, Speaker, SpeechRecognizer, TicketPrinter
from kiosk.devices import KioskDevices
from kiosk.flow_base import CUSTOMER_TASKS, UNREACHABLE_CODES
from kiosk.flow_chat import FOLLOW_UP_GAP_MS, PUSH_TO_TALK_HOLD_S, ChatFlow
from kiosk.flow_check_in import CheckInFlow
from kiosk.flow_service import ServiceFlow, TileOutcome
from kiosk.hub_client import HubClient
from kiosk.viewmodel import HubState, KioskModel, Screen
from kiosk.views import KioskWindow
from kiosk.workers import TaskRunner
from lobby_wire import QueueLine

logger = logging.getLogger(__name__)

__all__ = [
    "CUSTOMER_TASKS",
    "FOLLOW_UP_GAP_MS",
    "PUSH_TO_TALK_HOLD_S",
    "UNREACHABLE_CODES",
    "KioskController",
    "TileOutcome",
]


class KioskController(ChatFlow, ServiceFlow, CheckInFlow, QObject):
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
        *,
        elderly_default: bool = False,
        elderly_idle_timeout_s: float = 180,
        elderly_speech_tempo: float = 0.8,
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
        self.elderly_default = elderly_default
        self.idle_timeout_s = idle_timeout_s
        self.elderly_idle_timeout_s = max(elderly_idle_timeout_s, idle_timeout_s)
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
            elderly_speech_tempo=elderly_speech_tempo,
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
        if elderly_default:
            model.set_theme(large_text=True)

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
        self.devices.shutdown(timeout_ms)
        self.runner.shutdown(timeout_ms)
        self.hub.close()

    def check(self) -> None:
        """Background health check of the hub and status read of every device."""
        if not self.runner.pending("health"):
            self.runner.submit("health", self.hub.readiness, self._on_health)
        self.devices.refresh()

    def reset_conversation(self) -> None:
        """Back to the attract screen with nothing of the last customer left (their look too)."""
        self.idle_timer.stop()
        self.follow_up_timer.stop()
        self.model.reset()
        if (self.model.large_text, self.model.high_contrast) != (self.elderly_default, False):
            self.model.set_theme(large_text=self.elderly_default, high_contrast=False)
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

    def rate(self, ticket_id: str, score: int) -> None:
        """Send the customer's rating; a failure is only logged (the customer has moved on)."""
        self.runner.submit(
            "rating",
            lambda: self.hub.rate(ticket_id, score),
            lambda _none: logger.info("rating %d for ticket %s sent", score, ticket_id),
            lambda error: logger.warning("rating not sent: %s", error),
        )

    # -- background ---------------------------------------------------------------

    def _alert_printer_problem(self, detail: str) -> None:
        """The printer failed on a ticket: staff screens hear of it (event `staff.alert`)."""
        self.runner.submit(
            "printer-alert",
            lambda: self.hub.alert_staff(f"kiosk printer problem: {detail}", "kiosk", self.lang),
            on_error=lambda error: logger.warning("could not alert staff about the printer: %s", error),
        )

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
        if healthy and self.model.screen is Screen.ATTRACT:
            self.refresh_waits()

    def refresh_waits(self) -> None:
        """The attract screen's waits, in every kiosk language (the public `GET /api/v1/queue`)."""
        if self.runner.pending("waits"):
            return
        languages = self.window.languages

        def call() -> dict[str, tuple[QueueLine, ...]]:
            return {lang: self.hub.queue(lang) for lang in languages}

        def done(waits: dict[str, tuple[QueueLine, ...]]) -> None:
            for lang, rows in waits.items():
                self.model.set_waits(lang, rows)

        self.runner.submit("waits", call, done, lambda error: logger.info("no queue waits: %s", error))

    def _on_idle(self) -> None:
        if not self.model.is_empty or self.model.screen is not Screen.ATTRACT:
            logger.info("idle for %.0fs: back to the attract screen", self.idle_timer.interval() / 1000)
            self.reset_conversation()

    def _on_activity(self) -> None:
        """Any tap or keystroke: the customer is here (idle timer) and wants to talk (barge-in)."""
        self._touch()
        self.devices.stop_speaking()
