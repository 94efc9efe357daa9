"""The message catalogs: complete in both languages, English fallback, voices and CJK fonts that really render."""

# Chinese text uses full-width punctuation on purpose: RUF001 takes it for look-alikes.
# ruff: noqa: RUF001

from __future__ import annotations

import dataclasses
import logging
import re
import shutil
import string
import subprocess
from datetime import datetime
from types import MappingProxyType

import pytest
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontInfo, QFontMetrics, QImage, QRawFont, QTextLayout
from PySide6.QtWidgets import QApplication, QLabel

from hardware.ports import HardwareState, HardwareStatus
from hardware.speaker import pick_voice
from kiosk import i18n
from kiosk.i18n import (
    CJK_FAMILY,
    LANGUAGES,
    LATIN_FAMILY,
    Catalog,
    ahead_text,
    appointment_when,
    catalog,
    eta_text,
    name_in,
    other_languages,
    route_sentence,
    status_text,
    ticket_sentence,
    voice_off_reason,
)
from lobby_wire import RouteView, TicketStatus, TicketView

# Every string the kiosk shows or says today, and those of the screens being built.
REQUIRED_ENGLISH = (
    # kiosk/phrases.py
    "Please take note of your number, the printer is not available.",
    "Sorry, I cannot reach the branch system right now. Please ask a member of staff.",
    "Sorry, something went wrong. Please try again or ask a member of staff.",
    "Sorry, I did not catch that. Please try again, type your question or tap a tile.",
    "Voice input is not available right now. Please type your question or tap a tile.",
    "Please ask a member of staff, they will help you.",
    "We cannot reach the branch system right now. Please ask a member of staff.",
    "Please wait until your number is called.",
    "You are next",
    "{ahead} ahead of you",
    "We will call you when a counter opens",
    "about {low}\u2013{high} min",
    # views.py / widgets.py / viewmodel.py
    "Send",
    "Speak",
    "Listening\u2026",
    "Type your question here",
    "Tap and speak",
    "Voice input off: {reason}",
    "checking the microphone",
    "Your number",
    "Scan to follow your place in the queue",
    "You can do this now at",
    "Lobby \u2014 {branch}",
    "Welcome to {branch}. How can I help you today?",
    "Hub: {state}",
    # new screens
    "Touch the screen or say hello",
    "Welcome to {branch}",
    "What can we help you with today?",
    "Just ask",
    "Tap to talk",
    "Type instead",
    "Large text",
    "High contrast",
    "Please wait in {area}",
    "Scan to follow your place on your phone",
    "Go to {device}",
    "{location}",
    "Your appointment",
    "Booking code",
    "Check in from {time}",
    "Type your booking code or ticket number, or scan its QR code",
    "Check in",
    "A member of staff is coming to help you",
    "The printer is not working: please note your number or scan the QR code",
    "Voice and chat are unavailable: tap a service for a ticket",
    "Start again",
)

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")  # ideographs and CJK punctuation
TICKET = TicketView(
    id="t-A023",
    number="A023",
    service="cash",
    service_name="Cash and cheques",
    status=TicketStatus.WAITING,
    position=3,
    eta_minutes=(4, 9),
    issued_at="2025-01-06T09:30:00+00:00",
    track_url="http://127.0.0.1:8000/t/t-A023",
)
ROUTE = RouteView("cash", "atm-1", "atm", "ATM 1", "outside, left of the entrance", "fastest at the ATM")


@pytest.fixture
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget which warnings were already logged, so "once" is measured in this test alone."""
    monkeypatch.setattr(i18n, "_WARNED", set())


def placeholders(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name is not None}


# -- catalogs --------------------------------------------------------------------------


def test_each_language_has_its_catalog_named_in_its_own_language() -> None:
    assert dict(LANGUAGES) == {"en": "English", "zh": "中文"}
    for lang, name in LANGUAGES.items():
        cat = catalog(lang)
        assert cat.lang == lang
        assert cat.name == name


def test_english_has_every_string_the_kiosk_shows() -> None:
    english = set(catalog("en").messages.values())
    missing = [text for text in REQUIRED_ENGLISH if text not in english]
    assert not missing


def test_both_catalogs_have_the_same_keys() -> None:
    english, chinese = catalog("en").keys(), catalog("zh").keys()
    assert len(english) >= 70
    assert english - chinese == set(), "keys missing in zh"
    assert chinese - english == set(), "keys only in zh"


@pytest.mark.parametrize("key", sorted(catalog("en").keys()))
def test_placeholders_match_between_languages(key: str) -> None:
    assert placeholders(catalog("zh").messages[key]) == placeholders(catalog("en").messages[key])


def test_chinese_is_translated_not_copied() -> None:
    for key, text in catalog("zh").messages.items():
        bare = re.sub(r"\{\w+\}", "", text)
        assert CJK.search(bare), f"{key}: {text!r} has no Chinese"
        assert not re.search(r"[A-Za-z]", bare), f"{key}: {text!r} has untranslated Latin letters"


def test_text_fills_placeholders() -> None:
    assert catalog("en").text("attract.welcome", branch="Lobby Demo Branch") == "Welcome to Lobby Demo Branch"
    assert catalog("zh").text("attract.welcome", branch="演示网点") == "欢迎光临演示网点"
    assert catalog("en").text("appointment.check_in_from", time="10:45") == "Check in from 10:45"
    assert catalog("zh").text("ticket.ahead", ahead=12) == "您前面还有 12 位"
    with pytest.raises(KeyError):
        catalog("en").text("ticket.wait_in")  # a placeholder without a value is a bug, not a blank


def test_region_suffixes_and_case_are_ignored() -> None:
    assert catalog("zh-CN").lang == "zh"
    assert catalog("ZH_hans").lang == "zh"
    assert catalog("en-GB").lang == "en"


@pytest.mark.usefixtures("fresh_warnings")
def test_unknown_language_falls_back_to_english_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="kiosk.i18n"):
        first = catalog("xq-unknown")
        second = catalog("xq-unknown")
    assert first is catalog("en") and second is catalog("en")
    assert first.text("chat.send") == "Send"
    assert [r.getMessage() for r in caplog.records].count("no catalog for language 'xq-unknown': using English") == 1


@pytest.mark.usefixtures("fresh_warnings")
def test_a_key_missing_in_a_language_falls_back_to_english_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    partial = dataclasses.replace(catalog("zh"), messages=MappingProxyType({"chat.send": "发送"}))
    with caplog.at_level(logging.WARNING, logger="kiosk.i18n"):
        assert partial.text("chat.send") == "发送"
        assert partial.text("chat.speak") == "Speak"
        assert partial.text("attract.welcome", branch="X") == "Welcome to X"
        partial.text("chat.speak")
    warnings = [r.getMessage() for r in caplog.records]
    assert warnings.count("message 'chat.speak' missing in 'zh': using 'en'") == 1
    assert "message 'attract.welcome' missing in 'zh': using 'en'" in warnings


@pytest.mark.usefixtures("fresh_warnings")
def test_an_unknown_key_shows_the_key_and_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="kiosk.i18n"):
        assert catalog("zh").text("no.such.key") == "no.such.key"
    assert "unknown message key 'no.such.key'" in [r.getMessage() for r in caplog.records]


def test_the_switch_offers_the_other_languages() -> None:
    assert other_languages("en") == ("zh",)
    assert other_languages("zh-CN") == ("en",)
    assert other_languages("en", ["en"]) == ()
    assert other_languages("en", ["zh", "fr", "zh"]) == ("zh",)


# -- sentences ------------------------------------------------------------------------


def test_english_sentences_keep_todays_wording() -> None:
    en = catalog("en")
    assert (
        ticket_sentence(en, TICKET) == "Your number is A023, for Cash and cheques. 2 ahead of you, about 4\u20139 min."
    )
    assert (
        ticket_sentence(en, TICKET, spoken=True)
        == "Your number is A 23, for Cash and cheques. 2 ahead of you, about 4 to 9 minutes."
    )
    first = dataclasses.replace(TICKET, position=1, eta_minutes=None)
    assert (
        ticket_sentence(en, first)
        == "Your number is A023, for Cash and cheques. You are next, we will call you when a counter opens."
    )
    assert route_sentence(en, ROUTE) == "You can do this now at the ATM 1, outside, left of the entrance."
    assert ahead_text(en, 0) == "You are next"
    assert eta_text(en, None) == "We will call you when a counter opens"
    assert eta_text(en, (4, 9)) == "about 4\u20139 min"


def test_chinese_sentences_keep_numbers_as_digits() -> None:
    zh = catalog("zh")
    service = dataclasses.replace(TICKET, service_name="现金与支票")
    assert (
        ticket_sentence(zh, service) == "您的号码是 A023，办理现金与支票。您前面还有 2 位，预计等候约 4\u20139 分钟。"
    )
    assert ticket_sentence(zh, service, spoken=True).endswith("预计等候约 4 到 9 分钟。")
    assert ahead_text(zh, 0) == "下一位就是您"
    assert eta_text(zh, (4, 9)) == "约 4\u20139 分钟"
    assert route_sentence(zh, dataclasses.replace(ROUTE, location="大门外左侧")) == (
        "您现在就可以在ATM 1办理，位置：大门外左侧。"
    )


def test_a_bookings_date_in_each_language() -> None:
    en, zh = catalog("en"), catalog("zh")
    tuesday = datetime.fromisoformat("2026-12-01T10:00:00+00:00")
    assert appointment_when(en, tuesday) == "Tue 01 Dec, 10:00"
    assert appointment_when(zh, tuesday) == "12月1日（周二）10:00"
    week = [datetime(2027, 1, 4 + offset, 9, 5) for offset in range(7)]  # Monday 4 January to Sunday
    assert [appointment_when(zh, day) for day in week] == [
        f"1月{4 + offset}日（周{day}）09:05" for offset, day in enumerate("一二三四五六日")
    ]
    assert appointment_when(en, datetime(2027, 5, 9, 16, 30)) == "Sun 09 May, 16:30"
    assert appointment_when(zh, datetime(2027, 10, 31, 16, 30)) == "10月31日（周日）16:30"
    for cat in (en, zh):
        assert len(cat.template("date.weekdays").split()) == 7 and len(cat.template("date.months").split()) == 12


def test_a_name_per_language() -> None:
    names = {"en": "Lobby Demo Branch", "zh": "Lobby 演示支行"}
    assert name_in(names, "zh-CN") == "Lobby 演示支行"
    assert name_in(names, "en") == "Lobby Demo Branch"
    assert name_in({"en": "Lobby Demo Branch"}, "zh") == "Lobby Demo Branch"  # no Chinese name: the English one
    assert name_in({"zh": "演示支行"}, "en") == "演示支行"


def test_voice_off_reasons_and_status_line() -> None:
    hardware = {
        "printer": HardwareStatus("printer", HardwareState.FAULT, "offline"),
        "speaker": HardwareStatus("speaker", HardwareState.READY),
        "microphone": HardwareStatus("microphone", HardwareState.READY),
        "recognizer": HardwareStatus("recognizer", HardwareState.MISSING, "no Vosk model configured"),
    }
    en, zh = catalog("en"), catalog("zh")
    assert voice_off_reason(en, {}) == "checking the microphone"
    assert voice_off_reason(en, hardware) == "speech recognition is not installed"
    broken_mic = {**hardware, "recognizer": HardwareStatus("recognizer", HardwareState.READY)}
    broken_mic["microphone"] = HardwareStatus("microphone", HardwareState.FAULT, "arecord failed")
    assert voice_off_reason(zh, broken_mic) == "麦克风无法使用"
    ready = {**broken_mic, "microphone": HardwareStatus("microphone", HardwareState.READY)}
    assert voice_off_reason(en, ready) == ""
    assert status_text(en, "touch only", hardware) == (
        "Hub: touch only \u00b7 Printer: fault (offline) \u00b7 Speaker: ready \u00b7 Microphone: ready"
        " \u00b7 Recognizer: missing (no Vosk model configured)"
        " \u00b7 Voice input off: speech recognition is not installed"
    )
    assert (
        status_text(zh, "online", ready)
        == "网点系统：在线 · 打印机：故障（offline） · 扬声器：就绪 · 麦克风：就绪 · 语音识别：就绪"
    )


# -- voices ---------------------------------------------------------------------------


def test_voices_are_espeak_ng_voices_that_pyttsx3_picks() -> None:
    assert catalog("en").voice == "en-gb"
    assert catalog("zh").voice == "cmn"
    # pyttsx3's espeak driver: voice id -> its first language, as hardware.speaker reads them
    pyttsx3_voices = {"gmw/en": "en-gb", "gmw/en-us": "en-us", "sit/cmn": "cmn", "sit/yue": "yue"}
    assert pick_voice(pyttsx3_voices, catalog("en").voice) == "gmw/en"
    assert pick_voice(pyttsx3_voices, catalog("zh").voice) == "sit/cmn"


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_voices_exist_in_espeak_ng() -> None:
    listing = subprocess.run(["espeak-ng", "--voices"], capture_output=True, text=True, timeout=20, check=True)
    languages = {line.split()[1] for line in listing.stdout.splitlines()[1:] if len(line.split()) > 1}
    for lang in LANGUAGES:
        assert catalog(lang).voice in languages


# -- fonts ------------------------------------------------------------------------------


def _font(cat: Catalog, pixel_size: int = 48) -> QFont:
    font = QFont()
    font.setFamilies(list(cat.font_families))
    font.setPixelSize(pixel_size)
    return font


def _render(text: str, font: QFont) -> QImage:
    label = QLabel(text)
    label.setFont(font)
    label.setStyleSheet("QLabel { color: black; background: white; }")
    label.resize(label.sizeHint())
    image = QImage(label.size(), QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    label.render(image)
    return image


def _ink(image: QImage) -> int:
    return sum(
        1 for y in range(image.height()) for x in range(image.width()) if image.pixelColor(x, y).lightness() < 128
    )


def test_the_chinese_font_is_installed_and_chosen(qapp: QApplication) -> None:
    zh = catalog("zh")
    assert zh.font_families[0] == CJK_FAMILY
    assert CJK_FAMILY in QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    assert QFontInfo(_font(zh)).family() == CJK_FAMILY  # not silently substituted


def test_every_chinese_character_is_in_the_cjk_font(qapp: QApplication) -> None:
    # QFontMetrics.inFontUcs4 also answers for fallback fonts; QRawFont is the one font file.
    raw = QRawFont.fromFont(QFont(CJK_FAMILY))
    assert raw.isValid() and raw.familyName() == CJK_FAMILY
    metrics = QFontMetrics(QFont(CJK_FAMILY))
    shown = "".join(catalog("zh").messages.values()) + "".join(LANGUAGES.values()) + "请取号"
    wide = {char for char in shown if ord(char) > 0x7F}
    assert not sorted(char for char in wide if not raw.supportsCharacter(ord(char)))
    assert all(metrics.inFontUcs4(ord(char)) for char in wide)
    # The check can fail: the kiosk's own Latin face (English lists it first) lacks the ideographs.
    latin = QRawFont.fromFont(QFont(LATIN_FAMILY))
    assert latin.isValid() and latin.familyName() == LATIN_FAMILY, (
        f"the kiosk's Latin font {LATIN_FAMILY!r} is not installed (Debian fonts-dejavu-core; `make setup`)"
    )
    ideographs = sorted(char for char in wide if "\u4e00" <= char <= "\u9fff")
    assert len(ideographs) > 20 and latin.supportsCharacter(ord("A"))
    assert [char for char in ideographs if latin.supportsCharacter(ord(char))] == []


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_chinese_renders_with_real_glyphs_not_tofu(qapp: QApplication, lang: str) -> None:
    """Both catalogs' font lists draw Chinese (English shows "中文" on the language switch)."""
    font = _font(catalog(lang))
    layout = QTextLayout("请取号", font)
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    runs = layout.glyphRuns()
    assert {run.rawFont().familyName() for run in runs} == {CJK_FAMILY}
    glyphs = [index for run in runs for index in run.glyphIndexes()]
    assert len(glyphs) == 3 and 0 not in glyphs  # glyph 0 is .notdef, the tofu box

    whole = _render("请取号", font)
    assert _ink(whole) > 300
    singles = [_render(char, font) for char in "请取号"]
    tofu = _render("\u0378", QFont(CJK_FAMILY))  # unassigned code point: drawn as .notdef, if at all
    for index, image in enumerate(singles):
        assert _ink(image) > 100
        assert image != tofu
        assert all(image != other for other in singles[index + 1 :]), "identical glyphs look like tofu boxes"
