"""Every word the kiosk shows or says, per language.

A `Catalog` is one language: its messages (str.format templates), the
espeak-ng voice that reads them aloud and the font families that draw them.
`catalog(lang)` returns it; unknown languages and keys a language lacks fall
back to English (logged once). The language switch swaps the catalog: the UI
text, `Catalog.voice` for the speaker and `Catalog.lang` for the dialogue
language sent to the hub all change together.

The sentence builders (`ticket_sentence`, `route_sentence`, ...) take the
catalog, so the wording of tickets and routes is translated too. Numbers
stay as digits in every language.
"""

# Chinese text uses full-width punctuation (U+FF0C, U+FF1A, ...) on purpose: RUF001 takes it for look-alikes.
# ruff: noqa: RUF001

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from hardware.ports import HardwareState, HardwareStatus
from lobby_wire import RouteView, TicketView

logger = logging.getLogger(__name__)

DEFAULT_LANG = "en"
LANGUAGES: Mapping[str, str] = MappingProxyType({"en": "English", "zh": "中文"})  # each in its own language
CJK_FAMILY = "Noto Sans CJK SC"  # fonts-noto-cjk; the SC face draws Simplified Chinese glyph shapes
LATIN_FAMILY = "DejaVu Sans"
DEVICE_ORDER = ("printer", "speaker", "microphone", "recognizer")

_EN: dict[str, str] = {
    # window and greeting
    "app.title": "Lobby \u2014 {branch}",
    "app.greeting": "Welcome to {branch}. How can I help you today?",
    "common.start_again": "Start again",
    # attract and home screens
    "attract.welcome": "Welcome to {branch}",
    "attract.prompt": "Touch the screen or say hello",
    "attract.start": "Start",
    "home.question": "What can we help you with today?",
    "home.just_ask": "Just ask",
    "home.tap_to_talk": "Tap to talk",
    "home.type_instead": "Type instead",
    "home.book": "Book an appointment",
    "home.check_in": "Booking or app ticket",
    "home.staff": "Talk to someone",
    "home.more": "More ({page}/{pages})",
    "attract.waits": "Waiting now",
    "attract.waiting": "{waiting} waiting",
    "attract.no_wait": "No queue",
    "a11y.elderly": "Large & simple",
    "lang.tooltip": "Change language",
    "a11y.large_text": "Large text",
    "a11y.high_contrast": "High contrast",
    "a11y.level_meter": "Microphone level",
    # chat
    "chat.send": "Send",
    "chat.speak": "Speak",
    "chat.listening": "Listening\u2026",
    "chat.placeholder": "Type your question here",
    "chat.mic_tooltip": "Tap and speak",
    "voice.off": "Voice input off: {reason}",
    "voice_off.checking": "checking the microphone",
    "voice_off.no_microphone": "no microphone is connected",
    "voice_off.microphone_fault": "the microphone is not working",
    "voice_off.no_recognizer": "speech recognition is not installed",
    "voice_off.recognizer_fault": "speech recognition is not working",
    # banners and notices
    "banner.offline": "We cannot reach the branch system right now. Please ask a member of staff.",
    "banner.touch_only": "Voice and chat are unavailable: tap a service for a ticket",
    "notice.printer_down": "Please take note of your number, the printer is not available.",
    "notice.printer_problem": "The printer is not working: please note your number or scan the QR code",
    "notice.hub_down": "Sorry, I cannot reach the branch system right now. Please ask a member of staff.",
    "notice.hub_failed": "Sorry, something went wrong. Please try again or ask a member of staff.",
    "notice.not_heard": "Sorry, I did not catch that. Please try again, type your question or tap a tile.",
    "notice.mic_down": "Voice input is not available right now. Please type your question or tap a tile.",
    "notice.ask_staff": "Please ask a member of staff, they will help you.",
    # ticket card, ticket screen and printed ticket
    "ticket.your_number": "Your number",
    "ticket.footer": "Please wait until your number is called.",
    "ticket.wait_in": "Please wait in {area}",
    "ticket.scan": "Scan to follow your place on your phone",
    "ticket.qr_tooltip": "Scan to follow your place in the queue",
    "ticket.next": "You are next",
    "ticket.ahead": "{ahead} ahead of you",
    "ticket.eta": "about {low}\u2013{high} min",
    "ticket.eta_under": "less than {high} min",
    "ticket.eta_over": "more than {low} min",
    "ticket.eta_spoken": "about {low} to {high} minutes",
    "ticket.eta_under_spoken": "less than {high} minutes",
    "ticket.eta_under_one_spoken": "less than a minute",
    "ticket.eta_over_spoken": "more than {low} minutes",
    "ticket.eta_unknown": "We will call you when a counter opens",
    "ticket.sentence": "Your number is {number}, for {service}. {ahead}, {eta}.",
    "ticket.sentence_eta": "{eta}",
    "ticket.sentence_eta_unknown": "we will call you when a counter opens",
    # self-service device route
    "route.caption": "You can do this now at",
    "route.go_to": "Go to {device}",
    "route.location": "{location}",
    "route.sentence": "You can do this now at the {device}, {location}.",
    # appointments and check-in
    "appointment.title": "Your appointment",
    "appointment.booking_code": "Booking code",
    "appointment.check_in_from": "Check in from {time}",
    "appointment.cancelled": "Appointment cancelled",
    "appointment.when": "{weekday} {day:02d} {month}, {time}",
    "date.weekdays": "Mon Tue Wed Thu Fri Sat Sun",  # Monday first, as datetime.weekday()
    "date.months": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    "checkin.title": "Check in",
    "checkin.prompt": "Type your booking code or ticket number, or scan its QR code",
    "checkin.button": "Check in",
    "checkin.bad_code": "A booking code has six letters and numbers, like K7P2QX; a ticket number looks like C004",
    "checkin.arrived": "Welcome! You're checked in and keep your place in line.",
    "checkin.scan_instead": "Please scan your ticket's QR code, or ask a member of staff.",
    "checkin.ticket_not_found": "I can't find a ticket with that number today. Please check it, or ask staff.",
    "checkin.not_found": "I can't find a booking with that code. Please check it, or ask a member of staff.",
    "checkin.customer": "Check in: {code}",
    "rating.question": "How was our help today?",
    "rating.thanks": "Thank you for your rating.",
    "rating.star": "{score} out of 5",
    "staff.coming": "A member of staff is coming to help you",
    # status line (operators read it; device details stay untranslated)
    "status.hub": "Hub: {state}",
    "status.device": "{device}: {state}",
    "status.device_detail": "{state} ({detail})",
    "hub_state.connecting": "connecting",
    "hub_state.online": "online",
    "hub_state.touch_only": "touch only",
    "hub_state.chat_down": "chat down",
    "device.printer": "Printer",
    "device.speaker": "Speaker",
    "device.microphone": "Microphone",
    "device.recognizer": "Recognizer",
    "device_state.checking": "checking",
    "device_state.ready": "ready",
    "device_state.missing": "missing",
    "device_state.fault": "fault",
}

_ZH: dict[str, str] = {
    "app.title": "大堂助手 \u2014 {branch}",
    "app.greeting": "欢迎光临{branch}。请问今天有什么可以帮您？",
    "common.start_again": "重新开始",
    "attract.welcome": "欢迎光临{branch}",
    "attract.prompt": "请触摸屏幕，或对我说“你好”",
    "attract.start": "开始",
    "home.question": "今天有什么可以帮您？",
    "home.just_ask": "直接问吧",
    "home.tap_to_talk": "点击说话",
    "home.type_instead": "改为打字输入",
    "home.book": "预约办理",
    "home.check_in": "预约或线上取号",
    "home.staff": "找工作人员",
    "home.more": "更多（{page}/{pages}）",
    "attract.waits": "当前排队",
    "attract.waiting": "{waiting} 人等候",
    "attract.no_wait": "无需排队",
    "a11y.elderly": "长辈模式",
    "lang.tooltip": "切换语言",
    "a11y.large_text": "大字体",
    "a11y.high_contrast": "高对比度",
    "a11y.level_meter": "麦克风音量",
    "chat.send": "发送",
    "chat.speak": "说话",
    "chat.listening": "正在聆听\u2026",
    "chat.placeholder": "请在这里输入您的问题",
    "chat.mic_tooltip": "点击后请说话",
    "voice.off": "语音输入已关闭：{reason}",
    "voice_off.checking": "正在检查麦克风",
    "voice_off.no_microphone": "未连接麦克风",
    "voice_off.microphone_fault": "麦克风无法使用",
    "voice_off.no_recognizer": "未安装语音识别",
    "voice_off.recognizer_fault": "语音识别无法使用",
    "banner.offline": "暂时无法连接网点系统，请咨询工作人员。",
    "banner.touch_only": "语音和对话功能暂不可用：请点击业务类型取号",
    "notice.printer_down": "打印机暂不可用，请记下您的号码。",
    "notice.printer_problem": "打印机出现故障：请记下您的号码或扫描二维码",
    "notice.hub_down": "抱歉，暂时无法连接网点系统，请咨询工作人员。",
    "notice.hub_failed": "抱歉，出了点问题。请重试或咨询工作人员。",
    "notice.not_heard": "抱歉，我没有听清。请再说一遍、输入您的问题，或点击业务按钮。",
    "notice.mic_down": "语音输入暂不可用，请输入您的问题或点击业务按钮。",
    "notice.ask_staff": "请咨询工作人员，他们会为您提供帮助。",
    "ticket.your_number": "您的号码",
    "ticket.footer": "请留意叫号，耐心等候。",
    "ticket.wait_in": "请在{area}等候",
    "ticket.scan": "扫码即可在手机上查看排队进度",
    "ticket.qr_tooltip": "扫码查看您的排队进度",
    "ticket.next": "下一位就是您",
    "ticket.ahead": "您前面还有 {ahead} 位",
    "ticket.eta": "约 {low}\u2013{high} 分钟",
    "ticket.eta_under": "不到 {high} 分钟",
    "ticket.eta_over": "超过 {low} 分钟",
    "ticket.eta_spoken": "约 {low} 到 {high} 分钟",
    "ticket.eta_under_spoken": "不到 {high} 分钟",
    "ticket.eta_under_one_spoken": "不到一分钟",
    "ticket.eta_over_spoken": "超过 {low} 分钟",
    "ticket.eta_unknown": "柜台开放后将为您叫号",
    "ticket.sentence": "您的号码是 {number}，办理{service}。{ahead}，{eta}。",
    "ticket.sentence_eta": "预计等候{eta}",
    "ticket.sentence_eta_unknown": "柜台开放后将为您叫号",
    "route.caption": "您现在就可以在这里办理",
    "route.go_to": "请前往{device}",
    "route.location": "位置：{location}",
    "route.sentence": "您现在就可以在{device}办理，位置：{location}。",
    "appointment.title": "您的预约",
    "appointment.booking_code": "预约码",
    "appointment.check_in_from": "{time} 起可签到",
    "appointment.cancelled": "预约已取消",
    "appointment.when": "{month}{day}日（{weekday}）{time}",
    "date.weekdays": "周一 周二 周三 周四 周五 周六 周日",
    "date.months": "1月 2月 3月 4月 5月 6月 7月 8月 9月 10月 11月 12月",
    "checkin.title": "签到",
    "checkin.prompt": "请输入预约码或排队号，或扫描二维码",
    "checkin.button": "签到",
    "checkin.bad_code": "预约码由六位字母和数字组成，排队号是字母加三位数字，请核对后重新输入",
    "checkin.arrived": "欢迎！您已签到，排队位置为您保留。",
    "checkin.scan_instead": "请扫描排队二维码，或咨询工作人员。",
    "checkin.ticket_not_found": "今天找不到这个排队号，请核对后重试，或咨询工作人员。",
    "checkin.not_found": "找不到这个预约码，请核对后重试，或咨询工作人员。",
    "checkin.customer": "签到：{code}",
    "rating.question": "您对今天的服务满意吗？",
    "rating.thanks": "感谢您的评价。",
    "rating.star": "{score} 分（满分 5 分）",
    "staff.coming": "工作人员马上过来为您服务",
    "status.hub": "网点系统：{state}",
    "status.device": "{device}：{state}",
    "status.device_detail": "{state}（{detail}）",
    "hub_state.connecting": "连接中",
    "hub_state.online": "在线",
    "hub_state.touch_only": "仅限触屏",
    "hub_state.chat_down": "对话不可用",
    "device.printer": "打印机",
    "device.speaker": "扬声器",
    "device.microphone": "麦克风",
    "device.recognizer": "语音识别",
    "device_state.checking": "检查中",
    "device_state.ready": "就绪",
    "device_state.missing": "未配置",
    "device_state.fault": "故障",
}


@dataclass(frozen=True, slots=True)
class Catalog:
    """One language's messages, voice and fonts; `lang` is also the dialogue language for the hub."""

    lang: str
    voice: str  # espeak-ng voice name; pyttsx3's pick_voice() matches it exactly
    font_families: tuple[str, ...]  # preferred first; the CJK family also covers "中文" on the switch
    messages: Mapping[str, str] = field(repr=False, compare=False)
    fallback: Catalog | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        """The language's own name, for the language switch."""
        return LANGUAGES.get(self.lang, self.lang)

    def keys(self) -> frozenset[str]:
        return frozenset(self.messages)

    def template(self, key: str) -> str:
        """The raw template of `key`: this language's, else English's, else the key itself."""
        found = self.messages.get(key)
        if found is not None:
            return found
        if self.fallback is not None:
            if key in self.fallback.messages:
                _warn_once(f"message {key!r} missing in {self.lang!r}: using {self.fallback.lang!r}")
            return self.fallback.template(key)
        _warn_once(f"unknown message key {key!r}")
        return key

    def text(self, key: str, **values: object) -> str:
        """The message `key` with `values` filled in (str.format placeholders)."""
        return self.template(key).format(**values)


_WARNED: set[str] = set()


def _warn_once(message: str) -> None:
    if message not in _WARNED:
        _WARNED.add(message)
        logger.warning("%s", message)


_ENGLISH = Catalog("en", "en-gb", (LATIN_FAMILY, CJK_FAMILY), MappingProxyType(_EN))
_CHINESE = Catalog("zh", "cmn", (CJK_FAMILY, LATIN_FAMILY), MappingProxyType(_ZH), fallback=_ENGLISH)
_CATALOGS: Mapping[str, Catalog] = MappingProxyType({"en": _ENGLISH, "zh": _CHINESE})


def normalize_lang(lang: str) -> str:
    """'zh-CN', 'zh_Hans', 'ZH' -> 'zh'; 'en-GB' -> 'en'."""
    return lang.strip().lower().replace("_", "-").split("-", 1)[0]


def catalog(lang: str) -> Catalog:
    """The catalog of `lang` (any region suffix is ignored); English for a language we lack."""
    found = _CATALOGS.get(normalize_lang(lang))
    if found is None:
        _warn_once(f"no catalog for language {lang!r}: using English")
        return _ENGLISH
    return found


def name_in(names: Mapping[str, str], lang: str) -> str:
    """A name given per language ({"en": ..., "zh": ...}) in `lang`, else in English, else the first given."""
    return names.get(normalize_lang(lang)) or names.get(DEFAULT_LANG) or next(iter(names.values()), "")


def other_languages(lang: str, enabled: Iterable[str] | None = None) -> tuple[str, ...]:
    """The languages the switch offers while `lang` is shown: those of `enabled` (default all) we have."""
    current = normalize_lang(lang)
    codes = LANGUAGES if enabled is None else (normalize_lang(code) for code in enabled)
    return tuple(dict.fromkeys(code for code in codes if code in _CATALOGS and code != current))


# -- sentences built from several messages ----------------------------------------------


def ahead_text(cat: Catalog, ahead: int) -> str:
    """`ahead`: how many tickets are called before this one (TicketView.ahead)."""
    if ahead <= 0:
        return cat.text("ticket.next")
    return cat.text("ticket.ahead", ahead=ahead)


def eta_text(cat: Catalog, eta: tuple[int, int] | None, wording: str | None = None, spoken: bool = False) -> str:
    """The wait as the hub words it, never re-decided here: `wording` is its `eta_wording` ("under": less
    than `high`, "over": more than `low`, else the range: an older hub sends none); `spoken` in full words."""
    if eta is None:
        return cat.text("ticket.eta_unknown")
    low, high = eta
    said = wording if wording in ("under", "over") else "range"
    key = "ticket.eta" if said == "range" else f"ticket.eta_{said}"
    if spoken:
        key += "_one_spoken" if said == "under" and high <= 1 else "_spoken"
    return cat.text(key, low=low, high=high)


def ticket_sentence(cat: Catalog, ticket: TicketView, spoken: bool = False) -> str:
    """The ticket in one sentence; `spoken` reads well aloud ("A 23", "minutes")."""
    number = ticket.spoken_number if spoken else ticket.number
    eta = eta_text(cat, ticket.eta_minutes, ticket.eta_wording, spoken)
    eta = cat.text("ticket.sentence_eta" if ticket.eta_minutes is not None else "ticket.sentence_eta_unknown", eta=eta)
    return cat.text(
        "ticket.sentence", number=number, service=ticket.service_name, ahead=ahead_text(cat, ticket.ahead), eta=eta
    )


def appointment_when(cat: Catalog, starts: datetime) -> str:
    """A booking's day and time in `cat`'s words: "Tue 01 Dec, 10:00", in Chinese 12月1日, weekday in brackets."""
    weekday = cat.template("date.weekdays").split()[starts.weekday()]
    month = cat.template("date.months").split()[starts.month - 1]
    return cat.text("appointment.when", weekday=weekday, day=starts.day, month=month, time=starts.strftime("%H:%M"))


def route_sentence(cat: Catalog, route: RouteView) -> str:
    return cat.text("route.sentence", device=route.name, location=route.location)


def voice_off_reason(cat: Catalog, hardware: Mapping[str, HardwareStatus]) -> str:
    """Why voice input is off, for the customer ("" when microphone and recognizer are ready)."""
    for name in ("recognizer", "microphone"):
        status = hardware.get(name)
        if status is None:
            return cat.text("voice_off.checking")
        if not status.ready:
            missing = status.state is HardwareState.MISSING
            if name == "recognizer":
                return cat.text("voice_off.no_recognizer" if missing else "voice_off.recognizer_fault")
            return cat.text("voice_off.no_microphone" if missing else "voice_off.microphone_fault")
    return ""


def status_text(cat: Catalog, hub_state: str, hardware: Mapping[str, HardwareStatus]) -> str:
    """The operator's status line: hub state, each device, and why voice is off.

    A device that is not ready keeps its adapter's detail ("no Vosk model configured") as the
    adapter wrote it: it is what the operator looks up; the customer reads only the voice-off reason.
    """
    parts = [cat.text("status.hub", state=cat.text(f"hub_state.{hub_state.replace(' ', '_')}"))]
    for name in DEVICE_ORDER:
        status = hardware.get(name)
        state = cat.text("device_state.checking" if status is None else f"device_state.{status.state}")
        if status is not None and status.detail and not status.ready:
            state = cat.text("status.device_detail", state=state, detail=status.detail)
        parts.append(cat.text("status.device", device=cat.text(f"device.{name}"), state=state))
    reason = voice_off_reason(cat, hardware)
    if reason:
        parts.append(cat.text("voice.off", reason=reason))
    return " \u00b7 ".join(parts)
