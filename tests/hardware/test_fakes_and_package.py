"""The fakes honour their ports; importing `hardware` stays cheap."""

from __future__ import annotations

import subprocess
import sys
import wave
from array import array
from pathlib import Path

import pytest
from hw_support import make_job

from hardware.fakes import FakeMicrophone, FakePrinter, FakeRecognizer, FakeSpeaker
from hardware.ports import (
    HardwareError,
    HardwareState,
    Microphone,
    Speaker,
    SpeechRecognizer,
    TicketPrinter,
    Transcript,
)


@pytest.mark.parametrize(
    ("fake", "port"),
    [
        (FakePrinter, TicketPrinter),
        (FakeSpeaker, Speaker),
        (FakeMicrophone, Microphone),
        (FakeRecognizer, SpeechRecognizer),
    ],
)
def test_fakes_subclass_their_ports(fake: type, port: type) -> None:
    assert issubclass(fake, port)


def test_fake_printer_records_and_fails_on_demand() -> None:
    printer = FakePrinter()
    printer.print_ticket(make_job("A001"))
    printer.fail()

    with pytest.raises(HardwareError) as caught:
        printer.print_ticket(make_job("A002"))

    assert [job.ticket.number for job in printer.jobs] == ["A001"]
    assert caught.value.code == "printer_offline"
    assert printer.status().state is HardwareState.FAULT
    printer.recover()
    assert printer.status().ready


def test_fake_speaker_writes_a_playable_silent_wav(tmp_path: Path) -> None:
    speaker = FakeSpeaker(tmp_path)
    utterance = speaker.render("A 23", "en")
    speaker.play(utterance)
    speaker.stop()

    with wave.open(str(utterance.wav_path), "rb") as wav:
        assert wav.getnframes() / wav.getframerate() == pytest.approx(utterance.duration_seconds)
    assert speaker.rendered == [("A 23", "en")]
    assert speaker.spoken_texts == ["A 23"]
    assert speaker.stops == 1


def test_fake_microphone_and_recognizer_pass_audio_through() -> None:
    audio = bytes(range(256)) * 50
    microphone = FakeMicrophone(audio)
    recognizer = FakeRecognizer(Transcript("현금 인출", confidence=0.9))

    transcript = recognizer.transcribe(microphone.chunks(), microphone.sample_rate, grammar=["현금 인출"])

    assert transcript.text == "현금 인출"
    assert recognizer.calls == [(len(audio), 16000, ("현금 인출",))]
    assert b"".join(FakeMicrophone(audio).chunks(max_seconds=0.1)) == audio[:3200]


def test_fake_microphone_tells_whether_it_was_stopped() -> None:
    microphone = FakeMicrophone(b"\x00\x00" * 16000)  # ten chunks
    stream = microphone.chunks()
    next(stream), next(stream), next(stream)

    assert microphone.recording
    stream.close()  # type: ignore[attr-defined]
    assert (microphone.delivered, microphone.recording, microphone.stopped_early) == (3, False, True)
    assert len(list(microphone.chunks())) == 10
    assert (microphone.delivered, microphone.recording, microphone.stopped_early) == (10, False, False)


def test_fake_microphone_raises_at_once_when_unplugged() -> None:
    microphone = FakeMicrophone(b"\x00\x00" * 1600)
    microphone.missing = True
    with pytest.raises(HardwareError) as caught:
        microphone.chunks()
    assert caught.value.code == "microphone_missing"


def test_fake_recognizer_reports_levels_and_changed_partials() -> None:
    loud = array("h", [3277, -3277] * 800).tobytes()  # -20 dBFS
    chunks = [b"\x00\x00" * 1600, loud, loud, loud]
    recognizer = FakeRecognizer("현금 인출", partials=["", "현금", "현금", "현금 인출", "never"])
    levels: list[float] = []
    partials: list[str] = []

    transcript = recognizer.transcribe(iter(chunks), on_partial=partials.append, on_level=levels.append)

    assert transcript.text == "현금 인출"
    assert partials == ["현금", "현금 인출"]
    assert levels == [0.0] + [pytest.approx(40 / 60, abs=0.001)] * 3
    assert recognizer.calls == [(3200 * 4, 16000, None)]


def test_importing_hardware_loads_no_vendor_library() -> None:
    code = (
        "import sys, hardware, hardware.printer, hardware.speaker, hardware.recognizer, hardware.microphone,"
        " hardware.vad, hardware.grammar;"
        "print(sorted(m for m in ('escpos', 'vosk', 'pyttsx3', 'PIL', 'qrcode') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True, cwd=Path.cwd()
    )
    assert result.stdout.strip() == "[]"
