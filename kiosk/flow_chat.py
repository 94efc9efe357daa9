"""The conversation flow: typed and spoken turns through the hub's chat, hands-free follow-ups."""

from __future__ import annotations

import logging
import threading
import time

from PySide6.QtCore import QTimer

from hardware.ports import Transcript
from kiosk.flow_base import FlowBase
from kiosk.i18n import catalog, route_sentence, ticket_sentence
from kiosk.viewmodel import HubState
from lobby_wire import ChatReply

logger = logging.getLogger(__name__)

PUSH_TO_TALK_HOLD_S = 0.4  # a press longer than this is push-to-talk; shorter is a tap (hands-free)
FOLLOW_UP_GAP_MS = 300  # after the spoken question, before the microphone reopens


class ChatFlow(FlowBase):
    hands_free: bool
    follow_up_timer: QTimer
    _released: threading.Event
    _listen_started: float
    _spoken_turn: bool
    _follow_up_sender: str
    _shut_down: bool

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
            if self.model.elderly:
                self.devices.speak(self.catalog.text("notice.not_heard"))
            return
        self.send_text(text, spoken=True)

    def _on_listen_error(self, error: Exception) -> None:
        self.model.set_listening(False)
        self.model.set_partial("")
        logger.warning("voice input failed: %s", error)
        self._notice(self.catalog.text("notice.mic_down"))
        self.devices.refresh()
