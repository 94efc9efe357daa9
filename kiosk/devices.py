"""The kiosk's hardware side: print, speak, record and read device status.

Every port call runs on the `TaskRunner`'s threads (ports may block); outcomes
update the `KioskModel` on the GUI thread. A failing device never takes the
screen down: a broken printer leaves the ticket on screen with a note, a
broken speaker is only logged, and the status line shows what is wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from assistant.protocol import TicketView
from hardware.ports import (
    HardwareError,
    HardwareState,
    HardwareStatus,
    Microphone,
    Speaker,
    SpeechRecognizer,
    TicketPrint,
    TicketPrinter,
    Transcript,
)
from kiosk.i18n import catalog
from kiosk.viewmodel import KioskModel
from kiosk.workers import TaskRunner

logger = logging.getLogger(__name__)


class KioskDevices:
    def __init__(
        self,
        model: KioskModel,
        runner: TaskRunner,
        printer: TicketPrinter,
        speaker: Speaker,
        microphone: Microphone,
        recognizer: SpeechRecognizer,
        lang: str = "en",
        record_seconds: float = 8.0,
        on_printer_problem: Callable[[str], None] | None = None,
    ) -> None:
        self.model = model
        self.on_printer_problem = on_printer_problem
        self.runner = runner
        self.printer = printer
        self.speaker = speaker
        self.microphone = microphone
        self.recognizer = recognizer
        self.lang = lang
        self.record_seconds = record_seconds

    def refresh(self) -> None:
        """Read every device's status off-thread (skipped while a read is running)."""
        if not self.runner.pending("hardware"):
            self.runner.submit("hardware", self._read_status, self.model.set_hardware)

    def print_ticket(self, ticket: TicketView) -> None:
        """Print off-thread; on failure tell the customer to note the number shown.

        `ticket.track_url` must already be absolute: the QR code points to it.
        """
        sender = self.model.sender_id
        if self.model.device_missing("printer"):
            self._on_print_error(HardwareError("printer_missing", "no ticket printer configured"), sender)
            return
        job = TicketPrint(ticket, self.model.branch_name, ticket.track_url, catalog(self.lang).text("ticket.footer"))
        self.runner.submit(
            "print",
            lambda: self.printer.print_ticket(job),
            lambda _none: logger.info("ticket %s printed", ticket.number),
            lambda error: self._on_print_error(error, sender),
        )

    def speak(self, text: str) -> None:
        """Render and play `text` off-thread; a missing speaker is skipped."""
        if not text or self.model.device_missing("speaker"):
            return

        def call() -> None:
            self.speaker.play(self.speaker.render(text, self.lang))

        self.runner.submit("speak", call, on_error=self._on_speaker_error)

    def stop_speaking(self) -> None:
        self.runner.submit("speaker-stop", self.speaker.stop, on_error=self._on_speaker_error)

    def record_and_transcribe(self) -> Transcript:
        """Blocking: stop talking, record up to `record_seconds`, decode. Run it off-thread."""
        try:
            self.speaker.stop()  # do not transcribe our own voice
        except HardwareError as error:
            logger.debug("speaker stop before listening failed: %s", error)
        audio = self.microphone.chunks(self.record_seconds)
        return self.recognizer.transcribe(audio, sample_rate=self.microphone.sample_rate)

    def _on_print_error(self, error: Exception, sender: str) -> None:
        if isinstance(error, HardwareError):
            logger.warning("printer failed (%s): %s", error.code, error.message)
        else:
            logger.error("printer adapter raised %r", error, exc_info=error)
        if sender == self.model.sender_id:
            self.model.add_system(catalog(self.lang).text("notice.printer_down"))
        if self.on_printer_problem is not None and not self.model.device_missing("printer"):
            # A configured printer that fails needs a person (paper, jam, cable); none configured is a choice.
            detail = error.message if isinstance(error, HardwareError) else str(error)
            self.on_printer_problem(detail)
        self.refresh()

    def _on_speaker_error(self, error: Exception) -> None:
        logger.warning("speech output failed: %s", error)

    def _read_status(self) -> dict[str, HardwareStatus]:
        return {
            "printer": _status_of("printer", self.printer.status),
            "speaker": _status_of("speaker", self.speaker.status),
            "microphone": _status_of("microphone", self.microphone.status),
            "recognizer": _status_of("recognizer", self.recognizer.status),
        }


def _status_of(name: str, read: Callable[[], HardwareStatus]) -> HardwareStatus:
    try:
        return read()
    except Exception as error:  # a status probe must not take the kiosk down
        logger.warning("status of %s failed: %s", name, error)
        return HardwareStatus(name, HardwareState.FAULT, str(error))
