"""`lobby announcer` against a real hub: each call rendered to WAV with the display's words."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes.util
import subprocess
import sys
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from announcer import service as announcer_module
from announcer.service import (
    Announcer,
    call_from_event,
    counter_names,
    events_url,
    parse_languages,
    prepare_chime,
)
from assistant.settings import load_settings
from hardware.fakes import FakeSpeaker
from hardware.speaker import WavSpeaker
from lobby.cli import build_parser
from lobby_wire.calls import call_phrase
from tests.support import ROOT, RecordedWaits, free_port

requires_espeak = pytest.mark.skipif(
    ctypes.util.find_library("espeak-ng") is None and ctypes.util.find_library("espeak") is None,
    reason="libespeak-ng not installed: pyttsx3 has no speech engine on this machine",
)


async def no_wait(_seconds: float) -> None:
    """Playback time: a wav: speaker plays nothing, so the test need not wait for the sound."""


@contextlib.asynccontextmanager
async def running(announcer: Announcer) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(announcer.run(), name="test announcer")
    try:
        yield task
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def wait_until(condition, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


@requires_espeak
async def test_calls_are_rendered_and_played_in_order(hub_server: str, hub_token: str, tmp_path: Path) -> None:
    voice = tmp_path / "voice"
    speaker = WavSpeaker(voice)
    announcer = Announcer(hub_server, speaker, prepare_chime(voice), languages=("en", "zh"), sleep=no_wait)
    staff = {"Authorization": f"Bearer {hub_token}"}
    try:
        async with running(announcer), httpx.AsyncClient(base_url=hub_server, timeout=10) as http:
            await asyncio.wait_for(announcer.connected.wait(), 15)
            await http.post("/api/v1/tickets", json={"service": "cards"})
            called = (await http.post("/api/v1/counters/c2/call-next", headers=staff)).json()
            await wait_until(lambda: len(announcer.announced) == 1)
            await http.post("/api/v1/counters/c2/recall", headers=staff)
            await wait_until(lambda: len(announcer.announced) == 2)
    finally:
        await asyncio.to_thread(speaker.close)

    first, recall = announcer.announced
    assert first.call.number == called["number"] and not first.call.recall and recall.call.recall
    english, chinese = first.utterances
    assert english.text == call_phrase(called["number"], "Counter 2", "en") == "Ticket C 1, please go to Counter 2."
    assert chinese.text == call_phrase(called["number"], "Counter 2", "zh")
    for utterance in first.utterances:
        assert utterance.wav_path.parent == voice and utterance.wav_path.exists()
        with wave.open(str(utterance.wav_path), "rb") as wav:
            assert 1.0 <= wav.getnframes() / wav.getframerate() <= 6.0
    assert recall.utterances == first.utterances  # said again from the cache, not rendered again
    assert speaker.synth_count == 2
    assert (voice / "chime.wav").exists()


def branch_counters() -> dict[str, dict[str, str]]:
    """The demo branch's counter names per language, as `lobby announcer` reads them from branch.yml."""
    return counter_names(load_settings(ROOT / "branch.yml").counters)


async def test_a_chinese_call_names_the_counter_in_chinese(hub_server: str, hub_token: str, tmp_path: Path) -> None:
    """The event names the counter in English; a call said in Chinese names it as branch.yml does in Chinese.

    Default languages (the ticket's own): an English ticket in English, a Chinese one in Chinese.
    """
    names = branch_counters()
    assert names["c3"] == {"en": "Advisor desk", "zh": "理财顾问席"}  # not numbered: no rule can guess it
    speaker = FakeSpeaker(tmp_path / "voice")
    announcer = Announcer(hub_server, speaker, None, counters=names, sleep=no_wait)
    staff = {"Authorization": f"Bearer {hub_token}"}
    async with running(announcer), httpx.AsyncClient(base_url=hub_server, timeout=10) as http:
        await asyncio.wait_for(announcer.connected.wait(), 15)
        english = (await http.post("/api/v1/tickets", json={"service": "loans"})).json()
        chinese = (await http.post("/api/v1/tickets", json={"service": "loans", "lang": "zh"})).json()
        for ticket in (english, chinese):
            called = (await http.post("/api/v1/counters/c3/call-next", headers=staff)).json()
            assert called["id"] == ticket["id"]
        await wait_until(lambda: len(announcer.announced) == 2)

    said_en, said_zh = announcer.announced
    assert [u.text for u in said_en.utterances] == ["Ticket L 1, please go to the Advisor desk."]
    assert [u.text for u in said_zh.utterances] == [call_phrase(chinese["number"], "理财顾问席", "zh")]
    assert said_zh.utterances[0].text == "请L002号到理财顾问席办理。"
    assert [lang for _text, lang in speaker.rendered] == ["en", "zh"]


def test_each_language_names_the_counter_in_it(tmp_path: Path) -> None:
    """--lang en,zh: the same call twice, the counter in English then in Chinese (by its id, not the event's name)."""
    speaker = FakeSpeaker(tmp_path / "voice")
    names = branch_counters()
    announcer = Announcer("http://127.0.0.1:1", speaker, None, languages=("en", "zh"), counters=names, sleep=no_wait)
    message = {
        "type": "ticket.called",
        "data": {
            "ticket": {"id": "t1", "number": "L005", "lang": "en"},
            "counter": {"id": "c3", "name": "Advisor desk"},
        },
    }
    call = call_from_event(message, 1.0)
    assert call is not None
    announced = asyncio.run(announcer.announce(call))
    texts = [utterance.text for utterance in announced.utterances]
    assert texts == ["Ticket L 5, please go to the Advisor desk.", "请L005号到理财顾问席办理。"]
    # A counter branch.yml does not know keeps the event's name (numbered ones still read as 号窗口).
    unknown = {**message, "data": {**message["data"], "counter": {"id": "c9", "name": "Counter 9"}}}
    call = call_from_event(unknown, 1.0)
    assert call is not None
    texts = [utterance.text for utterance in asyncio.run(announcer.announce(call)).utterances]
    assert texts == ["Ticket L 5, please go to Counter 9.", "请L005号到9号窗口办理。"]


async def test_keeps_trying_while_the_hub_is_away(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Refused connections (nobody on the port) are retried after 0.5 s, 1 s, ... at most 10 s, for ever."""
    recorded = RecordedWaits(limit=6)
    monkeypatch.setattr(announcer_module, "asyncio", recorded)  # its waits pass at once, written down
    speaker = WavSpeaker(tmp_path / "voice")
    announcer = Announcer(f"http://127.0.0.1:{free_port()}", speaker, None, sleep=no_wait)
    async with running(announcer) as task:
        await asyncio.wait_for(recorded.reached.wait(), 30)  # six real connection attempts refused
        assert not task.done() and not announcer.connected.is_set()
    assert recorded.waits == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0]
    speaker.close()


def test_events_and_options() -> None:
    assert events_url("http://127.0.0.1:8000/") == "ws://127.0.0.1:8000/api/v1/events"
    assert events_url("https://hub.branch") == "wss://hub.branch/api/v1/events"
    message = {
        "type": "ticket.recalled",
        "data": {"ticket": {"id": "t1", "number": "L005"}, "counter": {"id": "c3", "name": "Advisor desk"}},
    }
    call = call_from_event(message, 1.0)
    assert call is not None and (call.number, call.counter_name, call.recall) == ("L005", "Advisor desk", True)
    assert (call.counter_id, call.ticket_lang) == ("c3", "en")  # a ticket that says no language: English
    message["data"]["ticket"]["lang"] = "zh"
    call = call_from_event(message, 1.0)
    assert call is not None and call.ticket_lang == "zh"
    assert call_from_event({"type": "ticket.issued", "data": {"ticket": {"number": "A001"}}}, 1.0) is None
    assert parse_languages("en, zh-CN,en") == ("en", "zh")
    assert parse_languages("Ticket,en") == ("ticket", "en")
    with pytest.raises(ValueError):
        parse_languages("fr")
    args = build_parser().parse_args(["announcer", "--hub-url", "http://10.0.0.2:8000", "--speaker", "wav:"])
    # no --lang: None, which cmd_announcer reads as TICKET_LANG (the announcer is imported when it runs)
    assert (args.hub_url, args.speaker, args.lang) == ("http://10.0.0.2:8000", "wav:", None)


def test_the_announcer_needs_no_web_framework() -> None:
    """It runs on a branch PC next to the hub, as a client: importing it must not pull in Sanic or the store."""
    heavy = "('sanic', 'sqlalchemy', 'assistant.web')"
    code = f"import sys, announcer.service; print(sorted(m for m in {heavy} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"
