"""The kiosk's hardware side: print, speak, record and read device status.

Every port call runs off the GUI thread (ports may block); outcomes update the
`KioskModel` on the GUI thread. Printing and speech have lanes of their own
(`TaskRunner`s beside the shared one): a printer is one device, so tickets print
one after another, and a slow or stuck printer or a long sentence being spoken
never holds the threads the hub's requests run on (twenty quick tickets left
four prints running and a tap waited 0.3 s for a thread). A failing device
never takes the screen down: a broken printer leaves the ticket on screen with
a note, a broken speaker is only logged, and the status line shows what is wrong.

Voice is per language: each language has its recognizer (its own Vosk model,
loaded once and kept) and its grammar phrases, and replies are spoken in the
language they are written in. Switching language loads the new language's
model in the background (`set_language`), so the first words said after the
switch do not wait for it.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence

from PySide6.QtCore import QObject, Signal

from hardware.grammar import join_words, nearest_phrase, vocabulary_phrases
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
    Utterance,
)
from hardware.speaker import wav_duration
from hardware.vad import Endpointer, VadConfig, listen, until_released
from kiosk.i18n import catalog
from kiosk.viewmodel import KioskModel
from kiosk.workers import TaskRunner
from lobby_wire import TicketView

logger = logging.getLogger(__name__)

SOX_TIMEOUT_S = 10.0


class _Released(Microphone):
    """The microphone until the push-to-talk button is let go."""

    def __init__(self, microphone: Microphone, released: threading.Event) -> None:
        self.microphone = microphone
        self.released = released
        self.sample_rate = microphone.sample_rate

    def status(self) -> HardwareStatus:
        return self.microphone.status()

    def chunks(self, max_seconds: float = 10.0) -> Iterator[bytes]:
        return until_released(self.microphone.chunks(max_seconds), self.released)


class VoiceSignals(QObject):
    """Carries the recognizer's levels and partial transcripts from its thread to the GUI thread."""

    level = Signal(float)
    partial = Signal(str)


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
        grammar: Sequence[str] = (),
        recognizers: Mapping[str, SpeechRecognizer] | None = None,
        grammars: Mapping[str, Sequence[str]] | None = None,
        elderly_speech_tempo: float = 0.8,
    ) -> None:
        self.model = model
        self.elderly_speech_tempo = elderly_speech_tempo
        self.on_printer_problem = on_printer_problem
        # Per language: its recognizer (`recognizer` serves languages without one) and grammar mode's
        # phrases (`grammar` for languages without their own), a big gain for small models; checked
        # against that language's model vocabulary on first use, off the GUI thread.
        self.default_recognizer = recognizer
        self.recognizers = dict(recognizers or {})
        self.grammar_wanted = tuple(grammar)
        self.grammars_wanted = {lang: tuple(phrases) for lang, phrases in (grammars or {}).items()}
        self._grammars: dict[str, list[str]] = {}
        self._grammar_lock = threading.Lock()
        self.voice = VoiceSignals()
        self.voice.level.connect(model.set_level)
        self.voice.partial.connect(model.set_partial)
        self.runner = runner
        # The printer's and the speaker's own lanes (parented to the shared runner: they live and go with it).
        self.printing = TaskRunner(max_threads=1, parent=runner)
        self.speech = TaskRunner(max_threads=2, parent=runner)  # one sentence plays while a stop can reach it
        self.printer = printer
        self.speaker = speaker
        self.microphone = microphone
        self.lang = lang
        self.record_seconds = record_seconds

    # -- language ---------------------------------------------------------------

    @property
    def recognizer(self) -> SpeechRecognizer:
        """The recognizer of the kiosk's current language."""
        return self.recognizer_for(self.lang)

    def recognizer_for(self, lang: str) -> SpeechRecognizer:
        return self.recognizers.get(lang, self.default_recognizer)

    def set_language(self, lang: str) -> None:
        """The customer switched language: listen with its model, and load that model now (off-thread)."""
        self.lang = lang
        self.prepare_voice(lang)

    def prepare_voice(self, lang: str) -> None:
        """Load `lang`'s model and check its grammar in the background, then show its recognizer's status.

        Loading takes seconds for a real model; it happens once per model (the recognizer keeps it).
        """
        name = f"voice-load:{lang}"
        if self.runner.pending(name):
            return
        recognizer = self.recognizer_for(lang)

        def load() -> HardwareStatus:
            if recognizer.status().ready:
                loader = getattr(recognizer, "load", None)
                if callable(loader):
                    loader()
                self.usable_grammar(lang)
            return _status_of("recognizer", recognizer.status)

        def loaded(status: HardwareStatus) -> None:
            if lang == self.lang:
                self.model.set_hardware({"recognizer": status})

        def failed(error: Exception) -> None:
            logger.warning("speech model for %s not loaded: %s", lang, error)
            if lang == self.lang:
                self.model.set_hardware({"recognizer": _status_of("recognizer", recognizer.status)})

        self.runner.submit(name, load, loaded, failed)

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
        job = TicketPrint(
            ticket,
            self.model.branch_name_in(self.lang),
            ticket.track_url,
            catalog(self.lang).text("ticket.footer"),
            self.lang,
        )
        self.printing.submit(
            "print",
            lambda: self.printer.print_ticket(job),
            lambda _none: logger.info("ticket %s printed", ticket.number),
            lambda error: self._on_print_error(error, sender),
        )

    def speak(self, text: str, on_playing: Callable[[float], None] | None = None, lang: str | None = None) -> None:
        """Render and play `text` off-thread, in the voice of `lang` (default: the kiosk's language);
        a missing speaker is skipped.

        `on_playing(seconds)` runs on the GUI thread once playback started, with its duration.
        """
        if not text or self.model.device_missing("speaker"):
            return
        voice_lang = lang or self.lang
        tempo = self.elderly_speech_tempo if self.model.elderly else 1.0  # elderly-friendly: slower

        def call() -> float:
            utterance = slowed(self.speaker.render(text, voice_lang), tempo)
            self.speaker.play(utterance)
            return utterance.duration_seconds

        self.speech.submit("speak", call, on_playing, on_error=self._on_speaker_error)

    def stop_speaking(self) -> None:
        self.speech.submit("speaker-stop", self.speaker.stop, on_error=self._on_speaker_error)

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Stop the printer's and the speaker's lanes (bounded wait); True if both ended."""
        printed = self.printing.shutdown(timeout_ms)
        return self.speech.shutdown(timeout_ms) and printed

    def record_and_transcribe(self, released: threading.Event | None = None, lang: str | None = None) -> Transcript:
        """Blocking: stop talking, listen until the customer stops (VAD endpoint), decode. Run it off-thread.

        `lang` (default: the kiosk's language, read now) picks the recognizer and its grammar.
        Push-to-talk: setting `released` (the button let go) ends the recording at once.
        Levels and partial transcripts reach the model through `VoiceSignals` while it runs.
        """
        lang = lang or self.lang
        try:
            self.speaker.stop()  # barge-in, and do not transcribe our own voice
        except HardwareError as error:
            logger.debug("speaker stop before listening failed: %s", error)
        grammar = self.usable_grammar(lang)
        config = VadConfig(sample_rate=self.microphone.sample_rate, max_seconds=self.record_seconds)
        transcript = listen(
            self.microphone if released is None else _Released(self.microphone, released),
            self.recognizer_for(lang),
            Endpointer(config),
            grammar=grammar or None,
            on_level=self.voice.level.emit,
            on_partial=self.voice.partial.emit,
        )
        if grammar and transcript.text:
            # Vosk's grammar is a bigram model: it can splice two phrases; snap to the nearest one.
            snapped = nearest_phrase(transcript.text, grammar)
            snapped = join_words(snapped.split()) if snapped else snapped  # "我的 卡 丢了" -> "我的卡丢了"
            if snapped and snapped != transcript.text:
                logger.info("heard %r, nearest grammar phrase %r", transcript.text, snapped)
                transcript = Transcript(snapped, transcript.confidence)
        return transcript

    def usable_grammar(self, lang: str) -> list[str]:
        """Grammar mode's phrases for `lang`, in its model's words (computed once per language; blocking)."""
        with self._grammar_lock:
            if lang in self._grammars:
                return self._grammars[lang]
            wanted = self.grammars_wanted.get(lang, self.grammar_wanted)
            recognizer = self.recognizer_for(lang)
            unknown_words = getattr(recognizer, "unknown_words", None)
            usable = list(wanted)
            if wanted and callable(unknown_words):
                usable = vocabulary_phrases(recognizer, wanted)  # type: ignore[arg-type]
                logger.info(
                    "grammar mode (%s): %d of %d phrases are in the model's vocabulary", lang, len(usable), len(wanted)
                )
            self._grammars[lang] = usable
            return usable

    def _on_print_error(self, error: Exception, sender: str) -> None:
        if isinstance(error, HardwareError):
            logger.warning("printer failed (%s): %s", error.code, error.message)
        else:
            logger.error("printer adapter raised %r", error, exc_info=error)
        if sender == self.model.sender_id:
            notice = catalog(self.lang).text("notice.printer_down")
            self.model.add_system(notice)
            if self.model.elderly:  # every reply is spoken in elderly-friendly mode
                self.speak(notice)
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


def slowed(utterance: Utterance, tempo: float) -> Utterance:
    """`utterance` at `tempo` x its speed, pitch kept (sox `tempo`): any speaker's voice, slower. Blocking.

    The slowed WAV sits beside the original (made once per text and tempo). Without sox, or when it
    fails, the normal speed is played rather than nothing.
    """
    if tempo >= 1.0:
        return utterance
    source = utterance.wav_path
    target = source.with_name(f"{source.stem}.tempo{round(tempo * 100)}{source.suffix}")
    if not target.exists():
        sox = shutil.which("sox")
        if sox is None:
            logger.warning("sox is not installed: speech is not slowed for elderly-friendly mode")
            return utterance
        partial = target.with_suffix(".part.wav")
        try:
            subprocess.run(
                [sox, "-D", str(source), str(partial), "tempo", "-s", f"{tempo:.2f}"],
                check=True, capture_output=True, timeout=SOX_TIMEOUT_S,
            )  # fmt: skip
            os.replace(partial, target)
        except (OSError, subprocess.SubprocessError) as error:
            logger.warning("could not slow %s down: %s", source, error)
            partial.unlink(missing_ok=True)
            return utterance
    return Utterance(utterance.text, target, wav_duration(target))


def _status_of(name: str, read: Callable[[], HardwareStatus]) -> HardwareStatus:
    try:
        return read()
    except Exception as error:  # a status probe must not take the kiosk down
        logger.warning("status of %s failed: %s", name, error)
        return HardwareStatus(name, HardwareState.FAULT, str(error))
