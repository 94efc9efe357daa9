"""Spoken calls: GET /api/v1/announcements/{ticket_id}.wav through the app, with real espeak-ng."""

from __future__ import annotations

import ctypes.util
import io
import time
import wave
from array import array
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from assistant.settings import Settings, load_settings
from lobby_wire.calls import call_phrase, chime_wav, spoken_number
from tests.conftest import make_token
from tests.support import ROOT, free_port

requires_espeak = pytest.mark.skipif(
    ctypes.util.find_library("espeak-ng") is None and ctypes.util.find_library("espeak") is None,
    reason="libespeak-ng not installed: pyttsx3 has no speech engine on this machine",
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The demo branch with its own database and its own (empty) announcement cache."""
    return load_settings(
        ROOT / "branch.yml",
        environ={},
        overrides={
            "hub.database": f"sqlite+aiosqlite:///{tmp_path / 'lobby.db'}",
            "dialogue.rasa_url": f"http://127.0.0.1:{free_port()}",
            "hardware.voice_dir": str(tmp_path / "voice"),
        },
    )


def wav_facts(body: bytes) -> tuple[float, int]:
    """(duration in seconds, peak sample) of a 16-bit mono WAV."""
    with wave.open(io.BytesIO(body), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        frames = wav.readframes(wav.getnframes())
        duration = wav.getnframes() / wav.getframerate()
    return duration, max(abs(sample) for sample in array("h", frames))


async def call_ticket(client, staff: dict[str, str], service: str = "cards", counter: str = "c2") -> dict:  # type: ignore[no-untyped-def]
    _, issued = await client.post("/api/v1/tickets", json={"service": service})
    _, called = await client.post(f"/api/v1/counters/{counter}/call-next", headers=staff)
    assert called.status == 200, called.json
    assert called.json["id"] == issued.json["id"]
    return called.json  # type: ignore[no-any-return]


def test_phrases() -> None:
    assert spoken_number("A023") == "A 23"
    assert call_phrase("A023", "Counter 2") == "Ticket A 23, please go to Counter 2."
    assert call_phrase("L005", "Advisor desk", "en-GB") == "Ticket L 5, please go to the Advisor desk."
    # Chinese: the number as printed, the counter by its Chinese name (branch.yml), as a bank's caller says it.
    assert call_phrase("A023", "1号窗口", "zh") == "请A023号到1号窗口办理。"
    assert call_phrase("L005", "理财顾问席", "zh-CN") == "请L005号到理财顾问席办理。"
    assert call_phrase("C004", "Counter 3", "zh") == "请C004号到3号窗口办理。"  # no Chinese name: numbered anyway
    assert call_phrase("C1004", "Counter 3", "zh") == "请C1004号到3号窗口办理。"
    with pytest.raises(ValueError, match="fr"):
        call_phrase("A001", "Counter 1", "fr")


@requires_espeak
def test_a_call_is_rendered_once_and_served_as_wav(tmp_path: Path, start_hub: Callable[..., str]) -> None:
    """Against a real hub process: the ASGI test client restarts the app for every request."""
    database = f"sqlite:///{tmp_path / 'hub.db'}"
    hub = start_hub(database, {"LOBBY_HARDWARE__VOICE_DIR": str(tmp_path / "voice")})
    staff = {"Authorization": f"Bearer {make_token(database)}"}
    with httpx.Client(base_url=hub, timeout=30) as http:
        http.post("/api/v1/tickets", json={"service": "cards"}).raise_for_status()
        ticket = http.post("/api/v1/counters/c2/call-next", headers=staff).raise_for_status().json()
        url = f"/api/v1/announcements/{ticket['id']}.wav"

        started = time.perf_counter()
        first = http.get(url, params={"lang": "en"})
        rendered_in = time.perf_counter() - started
        assert first.status_code == 200, first.text[:200]
        assert first.headers["content-type"] == "audio/wav"
        assert first.headers["x-announcement-cache"] == "miss"
        duration, peak = wav_facts(first.content)
        assert 1.0 <= duration <= 6.0
        assert peak > 1000  # speech, not silence

        started = time.perf_counter()
        again = http.get(url, params={"lang": "en"})
        cached_in = time.perf_counter() - started
        print(
            f"\n[announcement] {ticket['number']}: rendered and served in {rendered_in * 1000:.0f} ms "
            f"({duration:.2f} s of speech); again from the cache in {cached_in * 1000:.1f} ms"
        )
        assert again.status_code == 200
        assert again.headers["x-announcement-cache"] == "hit"
        assert again.content == first.content
        assert cached_in < 0.1
        assert len(list((tmp_path / "voice" / "announcements").glob("*.wav"))) == 1  # one file per phrase

        revalidated = http.get(url, headers={"If-None-Match": first.headers["etag"]})
        assert revalidated.status_code == 304


@requires_espeak
async def test_chinese_wording_and_a_recall(client, staff: dict[str, str], settings: Settings) -> None:  # type: ignore[no-untyped-def]
    ticket = await call_ticket(client, staff, service="cash", counter="c1")
    url = f"/api/v1/announcements/{ticket['id']}.wav"
    _, english = await client.get(url)
    _, chinese = await client.get(url, params={"lang": "zh"})
    assert chinese.status == 200 and chinese.headers["content-type"] == "audio/wav"
    assert 1.0 <= wav_facts(chinese.body)[0] <= 6.0
    assert chinese.headers["etag"] != english.headers["etag"]  # its own phrase, its own file

    _, recalled = await client.post("/api/v1/counters/c1/recall", headers=staff)
    assert recalled.status == 200
    _, again = await client.get(url)  # the display asks again after a recall: same words, same file
    assert again.status == 200 and again.headers["x-announcement-cache"] == "hit"
    assert again.headers["etag"] == english.headers["etag"]
    assert len(list((settings.resolve(settings.hardware.voice_dir) / "announcements").glob("*.wav"))) == 2


async def test_errors_have_the_api_shape(client, staff: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    _, unknown = await client.get("/api/v1/announcements/no-such-ticket.wav")
    assert unknown.status == 404
    assert unknown.json["error"]["code"] == "ticket_not_found"
    assert set(unknown.json["error"]) == {"code", "message"}

    _, waiting = await client.post("/api/v1/tickets", json={"service": "loans"})
    _, not_called = await client.get(f"/api/v1/announcements/{waiting.json['id']}.wav")
    assert not_called.status == 409 and not_called.json["error"]["code"] == "not_called"

    ticket = await call_ticket(client, staff)
    _, french = await client.get(f"/api/v1/announcements/{ticket['id']}.wav", params={"lang": "fr"})
    assert french.status == 422 and french.json["error"]["code"] == "unsupported_language"
    _, mp3 = await client.get(f"/api/v1/announcements/{ticket['id']}.mp3")
    assert mp3.status == 404 and mp3.json["error"]["code"] == "not_found"


async def test_recent_calls_newest_first(client, staff: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    first = await call_ticket(client, staff, service="cash", counter="c1")
    second = await call_ticket(client, staff, service="cards", counter="c2")
    third = await call_ticket(client, staff, service="loans", counter="c3")
    await client.post("/api/v1/counters/c1/recall", headers=staff)  # a recall is the newest call

    _, body = await client.get("/api/v1/calls", params={"last": 3})
    calls = body.json["calls"]
    assert [call["ticket"]["number"] for call in calls] == [first["number"], third["number"], second["number"]]
    assert calls[0]["counter"] == {"id": "c1", "name": "Counter 1"} and calls[0]["recalls"] == 1
    assert calls[1]["counter"]["name"] == "Advisor desk"

    await client.post("/api/v1/counters/c2/transfer", headers=staff, json={"service": "cash"})
    _, after = await client.get("/api/v1/calls")
    assert second["number"] not in [call["ticket"]["number"] for call in after.json["calls"]]  # back in a queue
    assert all("id" not in call["ticket"] for call in after.json["calls"])  # public: no ticket's secret
    _, bad = await client.get("/api/v1/calls", params={"last": 0})
    assert bad.status == 422


async def test_display_page_and_chime(client) -> None:  # type: ignore[no-untyped-def]
    _, page = await client.get("/display")
    assert page.status == 200 and "text/html" in page.headers["content-type"]
    assert "https://" not in page.text and "http://" not in page.text  # everything local
    for asset, kind in (("display.js", "javascript"), ("display.css", "text/css")):
        _, response = await client.get(f"/display/{asset}")
        assert response.status == 200 and kind in response.headers["content-type"]
        assert "https://" not in response.text
    _, missing = await client.get("/display/secret.py")
    assert missing.status == 404

    _, chime = await client.get("/display/chime.wav")
    assert chime.status == 200 and chime.headers["content-type"] == "audio/wav"
    assert chime.body == chime_wav()
    duration, peak = wav_facts(chime.body)
    assert 0.5 <= duration <= 1.5 and peak > 10000


async def test_a_chinese_ticket_is_called_in_chinese(client, staff: dict[str, str], app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Without `lang` (or with `lang=ticket`) the call is said in the ticket's language, with the counter's
    name in that language (branch.yml); `lang=en` still asks for English."""
    from assistant.services.announcements import Announcements
    from hardware.fakes import FakeSpeaker

    _, chinese = await client.post("/api/v1/tickets", json={"service": "cash", "lang": "zh"})
    _, called = await client.post("/api/v1/counters/c1/call-next", headers=staff)
    assert called.json["id"] == chinese.json["id"]
    speaker = FakeSpeaker(tmp_path / "fake-voice")
    real = app.ctx.announcements
    app.ctx.announcements = Announcements(speaker)  # the app has started: swap in a speaker that records
    try:
        url = f"/api/v1/announcements/{chinese.json['id']}.wav"
        for params in ({}, {"lang": "ticket"}, {"lang": "en"}, {"lang": "zh-CN"}):
            _, response = await client.get(url, params=params)
            assert response.status == 200 and response.headers["content-type"] == "audio/wav"
        assert speaker.rendered == [
            ("请A001号到1号窗口办理。", "zh"),  # rendered once, then the same phrase is served from memory
            ("Ticket A 1, please go to Counter 1.", "en"),
        ]
        _, english = await client.post("/api/v1/tickets", json={"service": "loans"})
        await client.post("/api/v1/counters/c3/call-next", headers=staff)
        await client.get(f"/api/v1/announcements/{english.json['id']}.wav")
        assert speaker.rendered[-1] == ("Ticket L 1, please go to the Advisor desk.", "en")
        await client.get(f"/api/v1/announcements/{english.json['id']}.wav", params={"lang": "zh"})
        assert speaker.rendered[-1] == ("请L001号到理财顾问席办理。", "zh")
    finally:
        app.ctx.announcements = real  # closed with the app
