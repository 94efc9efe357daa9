"""Offline speech recognition with Vosk (Kaldi).

One `vosk.Model` is loaded per recognizer (slow: seconds, hundreds of MB),
lazily on first use or explicitly with `load()` from a background thread; a
`KaldiRecognizer` is created per utterance. With a grammar the decoder only
considers the given phrases, which makes small models reliable for a kiosk's
short menu of requests. Phrases containing words outside the model's
vocabulary are dropped with a warning (Vosk would otherwise silently drop just
those words and turn "카드를 잃어버렸어요" into "카드를"). vosk is imported
only inside this module's methods.

A kiosk that speaks several languages has one recognizer (one model) per
language (`recognizers_from_config`); each loads its model once, when first
needed, and keeps it. Chinese results come back without spaces between Han
characters ("我的卡丢了", not Vosk's "我的 卡 丢了").
"""

from __future__ import annotations

import importlib.util
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from hardware.grammar import join_words
from hardware.ports import HardwareError, HardwareState, HardwareStatus, SpeechRecognizer, Transcript
from hardware.vad import level

logger = logging.getLogger(__name__)

UNKNOWN_WORD = "[unk]"


def looks_like_model(path: Path) -> bool:
    """Is `path` a Vosk model directory (an acoustic model `am/` or a `conf/model.conf`)?"""
    return (path / "am").is_dir() or (path / "conf" / "model.conf").is_file()


class VoskRecognizer(SpeechRecognizer):
    def __init__(self, model_path: Path | None, lang: str | None = None) -> None:
        self.model_path = model_path
        self.lang = lang  # only for what status() says
        self.load_seconds: float | None = None
        self._model: Any = None
        self._load_error: str | None = None
        self._lock = threading.Lock()

    # -- status and loading ----------------------------------------------------
    def _missing_reason(self) -> str | None:
        if self.model_path is None or str(self.model_path) in ("", "."):
            if self.lang:
                return f"no Vosk model for {self.lang!r} (lobby models install ... --lang {self.lang})"
            return "no Vosk model path configured"
        if not self.model_path.exists():
            return f"Vosk model not found at {self.model_path}"
        if not looks_like_model(self.model_path):
            return f"{self.model_path} is not a Vosk model directory (no am/ or conf/model.conf)"
        if importlib.util.find_spec("vosk") is None:
            return "vosk not installed"
        return None

    def status(self) -> HardwareStatus:
        missing = self._missing_reason()
        if missing is not None:
            return HardwareStatus("recognizer", HardwareState.MISSING, missing)
        if self._load_error is not None:
            return HardwareStatus("recognizer", HardwareState.FAULT, self._load_error)
        loaded = "loaded" if self._model is not None else "not loaded yet"
        return HardwareStatus("recognizer", HardwareState.READY, f"{self.model_path} ({loaded})")

    def load(self) -> Any:
        """Load the model once (blocking); raises HardwareError if it cannot."""
        with self._lock:
            if self._model is not None:
                return self._model
            missing = self._missing_reason()
            if missing is not None:
                raise HardwareError("recognizer_missing", missing)
            import vosk

            vosk.SetLogLevel(-1)
            started = time.perf_counter()
            try:
                self._model = vosk.Model(str(self.model_path))
            except Exception as exc:  # vosk raises a bare Exception
                self._load_error = f"cannot load Vosk model {self.model_path}: {exc}"
                raise HardwareError("recognizer_fault", self._load_error) from exc
            self.load_seconds = time.perf_counter() - started
            self._load_error = None
            logger.info("Vosk model %s loaded in %.2f s", self.model_path, self.load_seconds)
            return self._model

    # -- grammar ---------------------------------------------------------------
    def unknown_words(self, phrases: Sequence[str]) -> tuple[str, ...]:
        """Words of `phrases` the model's vocabulary lacks (grammar mode cannot match them)."""
        model = self.load()
        words = dict.fromkeys(word for phrase in phrases for word in phrase.split())
        return tuple(word for word in words if model.vosk_model_find_word(word) < 0)

    def _grammar_json(self, grammar: Sequence[str]) -> str:
        unknown = set(self.unknown_words(grammar))
        usable = [phrase for phrase in grammar if not unknown.intersection(phrase.split())]
        dropped = [phrase for phrase in grammar if phrase not in usable]
        if dropped:
            logger.warning("grammar phrases dropped (words not in the model: %s): %s", sorted(unknown), dropped)
        if not usable:
            raise HardwareError("recognizer_grammar", f"no grammar phrase is in the model's vocabulary: {dropped}")
        if self.load().vosk_model_find_word(UNKNOWN_WORD) >= 0:
            usable.append(UNKNOWN_WORD)
        # ensure_ascii=False: Vosk does not decode \\uXXXX escapes, so escaped Hangul matches nothing
        return json.dumps(usable, ensure_ascii=False)

    # -- decoding --------------------------------------------------------------
    def transcribe(
        self,
        audio: Iterator[bytes],
        sample_rate: int = 16000,
        grammar: Sequence[str] | None = None,
        *,
        on_partial: Callable[[str], None] | None = None,
        on_level: Callable[[float], None] | None = None,
    ) -> Transcript:
        """Decode until Vosk detects the end of an utterance or the audio ends.

        Stops consuming `audio` (and closes it, if it is a generator) at the end
        of the first non-empty utterance, so a live microphone stops recording.
        `on_partial` gets Vosk's PartialResult text whenever it changes (not
        when it is empty); asking for it costs a traceback per chunk.
        """
        try:
            model = self.load()
            import vosk

            if grammar:
                recognizer = vosk.KaldiRecognizer(model, float(sample_rate), self._grammar_json(grammar))
            else:
                recognizer = vosk.KaldiRecognizer(model, float(sample_rate))
            recognizer.SetWords(True)
            last_partial = ""
            for chunk in audio:
                if on_level is not None:
                    on_level(level(chunk))
                if recognizer.AcceptWaveform(chunk):
                    transcript = _transcript(recognizer.Result())
                    if transcript.text:
                        return transcript
                elif on_partial is not None:
                    partial = _words(json.loads(recognizer.PartialResult()).get("partial", ""))
                    if partial and partial != last_partial:
                        last_partial = partial
                        on_partial(partial)
            return _transcript(recognizer.FinalResult())
        finally:
            close = getattr(audio, "close", None)
            if callable(close):
                close()


def _words(text: object) -> str:
    return join_words(word for word in str(text).split() if word != UNKNOWN_WORD)


def _transcript(result_json: str) -> Transcript:
    result = json.loads(result_json)
    text = _words(result.get("text", ""))
    words = [word for word in result.get("result", []) if word.get("word") != UNKNOWN_WORD]
    confidences = [float(word["conf"]) for word in words if "conf" in word]
    confidence = sum(confidences) / len(confidences) if confidences else None
    return Transcript(text=text, confidence=confidence)


def recognizer_from_config(model_path: str, lang: str | None = None) -> SpeechRecognizer:
    """A Vosk recognizer for the model directory `model_path` ("" -> status MISSING)."""
    model_path = model_path.strip()
    return VoskRecognizer(Path(model_path) if model_path else None, lang)


def recognizers_from_config(model_paths: Mapping[str, str]) -> dict[str, SpeechRecognizer]:
    """One recognizer per language of `model_paths` ({lang: model directory, "" = none}).

    Languages that name the same directory share one recognizer, so its model is loaded once.
    """
    by_path: dict[str, SpeechRecognizer] = {}
    recognizers: dict[str, SpeechRecognizer] = {}
    for lang, model_path in model_paths.items():
        key = str(Path(model_path.strip()).absolute()) if model_path.strip() else ""
        if key and key in by_path:
            recognizers[lang] = by_path[key]
            continue
        recognizers[lang] = recognizer_from_config(model_path, lang)
        if key:
            by_path[key] = recognizers[lang]
    return recognizers
