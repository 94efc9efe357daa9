"""Every word the hub says to a customer, per language: data, not f-strings.

Each catalog maps a key to a `str.format` template; every language has every key with the same
placeholders (a test checks it), so a new language is a new dict here plus its names in branch.yml.
`say(key, lang, **values)` renders one; languages the hub does not speak get English.

Used at the edges only (the domain decides with codes, see `assistant.domain.routing.Reason`):
triage reasons, branch information, the touch menu and chat pushes (`assistant.services.wording`,
`assistant.web.chat`). The lobby's spoken calls have their own words in `lobby_wire.calls` (the
announcer says them too). Standard library only, nothing at import.

The Chinese is what a Chinese bank's staff say: short, polite (您), full-width punctuation, ticket
numbers as printed ("A023号") where English reads them aloud as "A 23".
"""

# Chinese text uses full-width punctuation (U+FF0C, U+FF1A, ...) on purpose: RUF001 takes it for look-alikes.
# ruff: noqa: RUF001

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from assistant.domain.hours import day_groups
from lobby_wire.lang import DEFAULT_LANG, normalise_lang

_EN: dict[str, str] = {
    # lists and opening hours
    "list.separator": ", ",
    "list.last": "{rest} and {last}",
    "day.mon": "Monday",
    "day.tue": "Tuesday",
    "day.wed": "Wednesday",
    "day.thu": "Thursday",
    "day.fri": "Friday",
    "day.sat": "Saturday",
    "day.sun": "Sunday",
    "days.two": "{first} and {last}",
    "days.range": "{first} to {last}",
    "hours.group": "{days} {opens} to {closes}",
    "hours.separator": ", ",
    "hours.closed": "closed every day",
    "period.night": "am",
    "period.morning": "am",
    "period.noon": "pm",
    "period.afternoon": "pm",
    "period.evening": "pm",
    "clock.hour": "{hour} {period}",
    "clock.half": "{hour}:30 {period}",
    "clock.minutes": "{hour}:{minute:02d} {period}",
    "clock.noon": "12 noon",
    # a ticket number as said aloud: "A 23"
    "ticket.number": "{prefix} {count}",
    # branch information
    "info.hours": "We're open {hours}.",
    "info.address": "You'll find us at {address}.",
    "info.facilities": "We have {facilities}.",
    "sentence.separator": " ",
    # triage: where to go and why
    "kind.atm": "cash machine",
    "kind.cash_recycler": "cash recycler",
    "kind.stm": "smart teller",
    "kind.vtm": "video teller",
    "reason.device_free": "{device} can do this now.",
    "reason.counter": "A member of staff will help you at the counter.",
    "reason.counter_because": "A member of staff will help you at the counter: {why}.",
    "blocked.over_limit": "the {kind} takes up to {limit}",
    "blocked.none_free": "no {kind} is free right now",
    "reason.advisor": "An advisor will see you at the advisor desk.",
    "reason.appointment": "An advisor can see you by appointment. Please ask at the desk to book or check in.",
    "reason.queue_status": "You can see the waiting times for each service on the lobby screen.",
    "reason.staff": "A member of staff has been told and will be with you shortly.",
    "refusal.branch_only": "{service} takes customers at the branch only",
    "refusal.closed": "the branch is closed now; we're open {hours}",
    # the chat's touch menu (the dialogue engine is down)
    "touch.menu": "I can't understand messages right now. Please choose a service.",
    "touch.device": "You can do that now at the {device}, {location}.",
    "touch.ticket": "Your ticket is {number} for {service}.",
    "touch.remote_closed": "Sorry, you can't join this queue from the app: {reason}.",
    # pushes on the chat socket
    "people.none": "nobody is",
    "people.one": "1 person is",
    "people.many": "{count} people are",
    "push.nearly": "Nearly your turn: {people} ahead of ticket {number}.",
    "push.head_over": "Time to head to the branch: {people} ahead of ticket {number}.",
    "push.called": "Ticket {number}: please go to {counter} now.",
    "push.expired": "Ticket {number} has expired: nobody checked in at the branch in time.",
    "push.take_new": "You can take a new ticket here.",
    "push.branch_closed": "The branch has closed and ticket {number} could not be served today. "
    "We are sorry: please come back on our next opening day, or book an appointment here.",
    # how long a customer will wait (assistant.domain.eta.Wording: range / under / over)
    "eta.range": "about {low} to {high} minutes",
    "eta.under": "less than {high} minutes",
    "eta.under_one": "less than a minute",
    "eta.over": "more than {low} minutes",
    "eta.unknown": "we will call you when a counter opens",
    "arrive_by": "Please check in at the branch kiosk by {time}: scan your ticket's QR code there.",
}

_ZH: dict[str, str] = {
    "list.separator": "、",
    "list.last": "{rest}和{last}",
    "day.mon": "周一",
    "day.tue": "周二",
    "day.wed": "周三",
    "day.thu": "周四",
    "day.fri": "周五",
    "day.sat": "周六",
    "day.sun": "周日",
    "days.two": "{first}和{last}",
    "days.range": "{first}至{last}",
    "hours.group": "{days}{opens}至{closes}",
    "hours.separator": "，",
    "hours.closed": "暂停营业",
    "period.night": "凌晨",
    "period.morning": "上午",
    "period.noon": "中午",
    "period.afternoon": "下午",
    "period.evening": "晚上",
    "clock.hour": "{period}{hour}点",
    "clock.half": "{period}{hour}点半",
    "clock.minutes": "{period}{hour}点{minute}分",
    "clock.noon": "中午12点",
    "ticket.number": "{prefix}{count:03d}",
    "info.hours": "我们的营业时间是{hours}。",
    "info.address": "地址：{address}。",
    "info.facilities": "网点提供{facilities}。",
    "sentence.separator": "",
    "kind.atm": "自动取款机",
    "kind.cash_recycler": "存取款一体机",
    "kind.stm": "智能柜员机",
    "kind.vtm": "远程视频柜员机",
    "reason.device_free": "{device}现在就可以为您办理。",
    "reason.counter": "请到柜台办理，工作人员会为您服务。",
    "reason.counter_because": "{why}，请到柜台办理，工作人员会为您服务。",
    "blocked.over_limit": "{kind}单笔限额{limit}",
    "blocked.none_free": "目前没有可用的{kind}",
    "reason.advisor": "请稍候，顾问会在理财顾问席为您办理。",
    "reason.appointment": "这项业务可以预约顾问办理。预约或签到，请到大堂服务台咨询。",
    "reason.queue_status": "各项业务的等候时间，请看大堂的叫号屏。",
    "reason.staff": "已经通知工作人员，马上过来为您服务，请稍候。",
    "refusal.branch_only": "{service}需要到网点现场办理",
    "refusal.closed": "网点现在不在营业时间，营业时间是{hours}",
    "touch.menu": "抱歉，我暂时无法理解您的问题，请直接选择要办理的业务。",
    "touch.device": "您现在就可以到{device}办理，位置：{location}。",
    "touch.ticket": "您的号码是{number}，办理{service}。",
    "touch.remote_closed": "抱歉，现在无法在手机上排这个队：{reason}。",
    "people.none": "已经没有人了",
    "people.one": "还有1位",
    "people.many": "还有{count}位",
    "push.nearly": "快轮到您了：{number}号前面{people}。",
    "push.head_over": "请您动身前往网点：{number}号前面{people}。",
    "push.called": "请{number}号现在到{counter}办理。",
    "push.expired": "您的{number}号已失效：没有在规定时间内到网点签到。",
    "push.take_new": "您可以在这里重新取号。",
    "push.branch_closed": "网点已结束营业，{number}号今天未能办理，非常抱歉。请在下一个营业日再来，或在这里预约。",
    "eta.range": "大约{low}到{high}分钟",
    "eta.under": "不到{high}分钟",
    "eta.under_one": "不到一分钟",
    "eta.over": "超过{low}分钟",
    "eta.unknown": "柜台开放后将为您叫号",
    "arrive_by": "请在{time}前到网点的取号机签到，扫描您号码上的二维码即可。",
}

CATALOGS: Mapping[str, Mapping[str, str]] = MappingProxyType({"en": MappingProxyType(_EN), "zh": MappingProxyType(_ZH)})


def language(lang: object) -> str:
    """The catalog language for `lang` ("zh-CN" -> "zh"); English for anything the hub does not speak."""
    found = normalise_lang(lang)
    return found if found is not None and found in CATALOGS else DEFAULT_LANG


def say(key: str, lang: object, **values: object) -> str:
    """The text of `key` in `lang`, its placeholders filled from `values` (KeyError: no such key)."""
    return CATALOGS[language(lang)][key].format(**values)


def say_if_known(key: str, lang: object, **values: object) -> str | None:
    """As `say`, or None when the catalogs have no `key` (e.g. a device kind added in branch.yml only)."""
    template = CATALOGS[language(lang)].get(key)
    return None if template is None else template.format(**values)


def join_list(items: Sequence[str], lang: object) -> str:
    """['a'] -> 'a'; ['a', 'b', 'c'] -> 'a, b and c' (English), 'a、b和c' (Chinese)."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    rest = say("list.separator", lang).join(items[:-1])
    return say("list.last", lang, rest=rest, last=items[-1])


def ticket_number(number: str, lang: object) -> str:
    """'A023' as said in `lang`: 'A 23' in English, 'A023' in Chinese."""
    prefix = number.rstrip("0123456789")
    digits = number[len(prefix) :]
    return say("ticket.number", lang, prefix=prefix, count=int(digits)) if digits else number


# Which word of the day a time takes: from this hour on (24-hour clock).
_PERIODS = ((18, "evening"), (13, "afternoon"), (12, "noon"), (6, "morning"), (0, "night"))


def clock_text(hhmm: str, lang: object) -> str:
    """'09:00' -> '9 am' / '上午9点'; '17:30' -> '5:30 pm' / '下午5点半'; '12:00' -> '12 noon' / '中午12点'."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    if (hour, minute) == (12, 0):
        return say("clock.noon", lang)
    period = say("period." + next(name for start, name in _PERIODS if hour >= start), lang)
    shown = hour % 12 or 12
    key = "clock.hour" if minute == 0 else ("clock.half" if minute == 30 else "clock.minutes")
    return say(key, lang, hour=shown, minute=minute, period=period)


def hours_text(opening_hours: Mapping[str, Sequence[str]], lang: object) -> str:
    """Runs of days with their hours: 'Monday to Wednesday 9 am to 5 pm, Thursday 9 am to 7 pm' in English,
    '周一至周三上午9点至下午5点' and so on in Chinese."""
    groups = day_groups(opening_hours)
    if not groups:
        return say("hours.closed", lang)
    parts = []
    for days, (opens, closes) in groups:
        names = [say(f"day.{day}", lang) for day in days]
        if len(names) == 1:
            span = names[0]
        else:
            span = say("days.two" if len(names) == 2 else "days.range", lang, first=names[0], last=names[-1])
        parts.append(
            say("hours.group", lang, days=span, opens=clock_text(opens, lang), closes=clock_text(closes, lang))
        )
    return say("hours.separator", lang).join(parts)


def sentences(parts: Sequence[str], lang: object) -> str:
    """Sentences one after the other: a space between them in English, nothing in Chinese."""
    return say("sentence.separator", lang).join(part for part in parts if part)
