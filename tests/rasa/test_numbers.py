# ruff: noqa: RUF001
"""Amounts and booking codes as customers say them (actions/numbers.py) and as the hub receives them."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from actions.numbers import amount_value, booking_code, canonical_amount
from actions.turn import entities_to_dict

from builders import entity

# What the hub's parse_amount (assistant/domain/routing.py) reads once "£$€¥" and commas are gone:
# a Decimal literal. Words, "15k" and "两千" are None there.
HUB_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2000", 2000),
        ("200", 200),
        ("1,500", 1500),
        ("1,200", 1200),
        ("200.50", Decimal("200.50")),
        ("1,500.75", Decimal("1500.75")),
        ("£300", 300),
        ("¥2,000.50", Decimal("2000.50")),
        ("300 pounds", 300),
        ("50 quid", 50),
        ("两千", 2000),
        ("兩千", 2000),  # traditional
        ("一万五", 15000),  # colloquial: 一万五千
        ("一万五千", 15000),
        ("3千", 3000),
        ("五万块", 50000),
        ("2千5", 2500),
        ("一千二百", 1200),
        ("一千二", 1200),
        ("一百五", 150),
        ("两千零五十", 2050),
        ("1.5万", 15000),
        ("2.5千", 2500),
        ("十万", 100000),
        ("一万二千五百块钱", 12500),
        ("三千五百元", 3500),
        ("1500元", 1500),
        ("５０００", 5000),  # full-width
        ("大概两千", 2000),
        ("两千左右", 2000),
        ("五百美元", 500),
        ("壹仟", 1000),  # financial numerals
        ("零点五", Decimal("0.5")),
        ("two hundred", 200),
        ("fifty", 50),
        ("twenty", 20),
        ("five hundred", 500),
        ("twenty-five", 25),
        ("two hundred and fifty", 250),
        ("fifteen hundred", 1500),
        ("a thousand and fifty", 1050),
        ("a hundred", 100),
        ("3 thousand", 3000),
        ("1.5k", 1500),
        ("two grand", 2000),
        ("about 200", 200),
        ("one million", 1_000_000),
    ],
)
def test_amount_value(text: str, expected: int | Decimal) -> None:
    value = amount_value(text)
    assert value == expected
    assert type(value) is type(expected)  # int for whole amounts, Decimal with a fraction: never a float


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "blue",
        "两千多",  # more than two thousand
        "几千",
        "一两千",  # one or two thousand
        "five five",
        "hundred",
        "thousand",
        "-5",
        "pounds",
        "块",
        "200 to 300",
    ],
)
def test_amount_value_rejects_what_is_not_one_number(text: str) -> None:
    assert amount_value(text) is None


def test_amount_value_takes_what_the_nlu_passes() -> None:
    assert amount_value(200) == 200
    assert amount_value(200.0) == 200
    assert amount_value(None) is None
    assert amount_value(True) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2000, "2000"), (Decimal("200.50"), "200.50"), (Decimal("0.5"), "0.5"), (Decimal("1E+3"), "1000")],
)
def test_canonical_amount_is_what_the_hub_reads(value: int | Decimal, expected: str) -> None:
    assert canonical_amount(value) == expected
    assert HUB_NUMBER.fullmatch(canonical_amount(value))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("K7P2QX", "K7P2QX"),
        ("k7p2qx", "K7P2QX"),
        ("K 7 P 2 Q X", "K7P2QX"),
        ("k7p-2qx", "K7P2QX"),
        ("k7p 2qx", "K7P2QX"),
        ("K七P二QX", "K7P2QX"),
        ("k 幺 p 二 q x", "K1P2QX"),  # 幺 is 1 read aloud
        ("k 两 p 二 q x", "K2P2QX"),
        ("Ｋ７Ｐ２ＱＸ", "K7P2QX"),  # full-width
        ("k seven p two q x", "K7P2QX"),
        ("k double seven p q x", "K77PQX"),
        ("my code is k 7 p 2 q x", "K7P2QX"),
        ("my code is k7p2qx", "K7P2QX"),
        ("it is k7p 2qx", "K7P2QX"),
        ("我的预约码是K七P二QX", "K7P2QX"),
        ("预约码：K7P2QX", "K7P2QX"),
        ("我有一个预约，K7P2QX", "K7P2QX"),
        ("R5T8YU", "R5T8YU"),
        ("2ABCDE", "2ABCDE"),
    ],
)
def test_booking_code(text: str, expected: str) -> None:
    assert booking_code(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "hello", "ABCDEF", "123456", "一二三四五六", "K7P2Q", "K7P2QX9", "k 7 p 2 q", "我没有预约码", "两千块"],
)
def test_booking_code_rejects_what_is_not_six_mixed_characters(text: str) -> None:
    assert booking_code(text) is None


def test_booking_code_takes_only_text() -> None:
    assert booking_code(None) is None
    assert booking_code(123456) is None


def test_entities_reach_the_hub_in_its_spelling() -> None:
    entities = [
        entity("amount", "两千"),
        entity("appointment_code", "K七P二QX"),
        entity("currency", "人民币"),
    ]
    assert entities_to_dict(entities) == {"amount": "2000", "appointment_code": "K7P2QX", "currency": "人民币"}


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("amount", "two hundred", "200"),  # the hub reads no words: this now reaches it as a number
        ("amount", "1,500", "1500"),
        ("amount", "200.50", "200.50"),
        ("amount", 300, "300"),
        ("amount", "一万五", "15000"),
        ("amount", "两千多", "两千多"),  # not one number: passed on as said (the hub ignores it, as before)
        ("amount", "lots", "lots"),
        ("appointment_code", "k 7 p 2 q x", "K7P2QX"),
        ("appointment_code", "abc def", "ABCDEF"),  # not a code: today's spelling (upper case, no spaces)
        ("person_name", "Sarah Jones", "Sarah Jones"),
    ],
)
def test_entity_values_are_normalised_by_name(name: str, value: str | int, expected: str) -> None:
    assert entities_to_dict([entity(name, value)]) == {name: expected}
