"""The hub's catalogs (assistant.i18n) and the branch's names per language (branch.yml)."""

# ruff: noqa: RUF001

from __future__ import annotations

import string
from pathlib import Path

import pytest

from assistant.domain.hours import describe_hours
from assistant.i18n import CATALOGS, clock_text, hours_text, join_list, say, ticket_number
from assistant.settings import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]
DEMO = load_settings(ROOT / "branch.yml", environ={})


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


@pytest.mark.parametrize("lang", [lang for lang in CATALOGS if lang != "en"])
def test_every_language_has_every_key_with_the_same_placeholders(lang: str) -> None:
    english, other = CATALOGS["en"], CATALOGS[lang]
    assert set(other) == set(english), "keys missing or extra: " + ", ".join(sorted(set(other) ^ set(english)))
    differ = {key: (placeholders(english[key]), placeholders(other[key])) for key in english}
    assert {key: pair for key, pair in differ.items() if pair[0] != pair[1]} == {}


def test_chinese_sentences_use_chinese_punctuation() -> None:
    for key, template in CATALOGS["zh"].items():
        assert not template.rstrip().endswith((".", "!", "?")), key
        assert ". " not in template and ", " not in template, key


def test_lists_clock_times_and_numbers_per_language() -> None:
    assert join_list(["a"], "en") == "a" and join_list(["a", "b", "c"], "en") == "a, b and c"
    assert join_list(["甲", "乙", "丙"], "zh") == "甲、乙和丙"
    cases = {"09:00": ("9 am", "上午9点"), "17:30": ("5:30 pm", "下午5点半"), "12:00": ("12 noon", "中午12点"),
             "19:15": ("7:15 pm", "晚上7点15分"), "12:30": ("12:30 pm", "中午12点半")}  # fmt: skip
    for hhmm, (english, chinese) in cases.items():
        assert (clock_text(hhmm, "en"), clock_text(hhmm, "zh-CN")) == (english, chinese)
    assert (ticket_number("A023", "en"), ticket_number("A023", "zh"), ticket_number("C1004", "zh")) == (
        "A 23", "A023", "C1004",
    )  # fmt: skip
    assert say("touch.menu", "fr") == say("touch.menu", "en")  # a language the hub does not speak: English


def test_opening_hours_in_both_languages() -> None:
    hours = DEMO.branch.opening_hours
    assert hours_text(hours, "en") == describe_hours(hours)  # one grouping rule for both
    assert hours_text(hours, "zh") == (
        "周一至周三上午9点至下午5点，周四上午9点至晚上7点，周五上午9点至下午5点，周六上午10点至下午1点"
    )
    assert hours_text({"sat": ("10:00", "12:00"), "sun": ("10:00", "12:00")}, "zh") == "周六和周日上午10点至中午12点"
    assert hours_text({}, "zh") == "暂停营业"


def test_the_demo_branch_names_everything_a_customer_sees_in_chinese() -> None:
    branch = DEMO.branch
    assert branch.display_name("zh") == "Lobby 演示支行" and branch.name == "Lobby Demo Branch"
    assert branch.display_address("zh") == "高街12号，邮局旁边"
    assert len(branch.display_facilities("zh")) == len(branch.facilities) == 4
    counters = {c.id: c.display_name("zh") for c in DEMO.counters}
    assert counters == {"c1": "1号窗口", "c2": "2号窗口", "c3": "理财顾问席"}
    devices = {d.id: (d.display_name("zh"), d.display_location("zh-CN")) for d in DEMO.devices}
    assert devices["atm-1"] == ("1号ATM", "大门外左侧")
    assert devices["stm-1"][0] == "1号智能柜员机"
    for text in (*counters.values(), *(name for pair in devices.values() for name in pair)):
        assert any("\u4e00" <= char <= "\u9fff" for char in text), text
    for service in DEMO.services:
        assert service.display_name("zh") != service.display_name("en")
    # Code that knows no language (logs, calendars, staff screens) still reads plain English strings.
    assert (DEMO.counters[0].name, DEMO.devices[0].name, DEMO.devices[0].location) == (
        "Counter 1", "ATM 1", "outside, left of the entrance",
    )  # fmt: skip


def _with(tmp_path: Path, old: str, new: str) -> Path:
    text = (ROOT / "branch.yml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "branch.yml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_names_are_one_string_or_one_per_language(tmp_path: Path) -> None:
    plain = load_settings(_with(tmp_path, 'name: {en: "Counter 1", zh: "1号窗口"}', 'name: "Till 1"'), environ={})
    assert plain.counters[0].name == plain.counters[0].display_name("zh") == "Till 1"
    english_only = load_settings(_with(tmp_path, 'name: {en: "ATM 1", zh: "1号ATM"}', "name: {en: ATM 1}"), environ={})
    assert english_only.devices[0].display_name("zh") == "ATM 1"  # no Chinese given: English
    service = load_settings(_with(tmp_path, 'name: {en: "Foreign exchange", zh: "外币兑换"}', "name: FX"), environ={})
    assert service.service("exchange").display_name("zh") == "FX"  # type: ignore[union-attr]
    with pytest.raises(ConfigError, match="counters"):
        load_settings(_with(tmp_path, 'name: {en: "Counter 1", zh: "1号窗口"}', "name: {}"), environ={})
    with pytest.raises(ConfigError, match="name"):
        load_settings(_with(tmp_path, 'name: {en: "Counter 1", zh: "1号窗口"}', "name: 42"), environ={})
