from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from assistant.domain.errors import InvalidInput
from assistant.domain.routing import Blocked, Decision, DeviceState, Reason, parse_amount, triage
from assistant.settings import load_settings

SETTINGS = load_settings(Path(__file__).resolve().parents[2] / "branch.yml", environ={})
ALL_ONLINE = {d.id: DeviceState.ONLINE for d in SETTINGS.devices}


def route(intent: str, states: dict[str, DeviceState] = ALL_ONLINE, **entities: object):  # type: ignore[no-untyped-def]
    return triage(intent, entities, SETTINGS.services, SETTINGS.devices, states)


def test_small_withdrawal_goes_to_the_atm() -> None:
    result = route("withdraw_cash", amount="200")
    assert result.decision is Decision.DEVICE and result.device_id == "atm-1"
    assert result.reason is Reason.DEVICE_FREE and result.blocked == ()


def test_amount_above_every_device_limit_goes_to_a_counter() -> None:
    """The domain says why as facts (each device kind and its limit), never as words."""
    result = route("withdraw_cash", amount="20,000")
    assert result.decision is Decision.TICKET and result.service_id == "cash"
    assert result.reason is Reason.COUNTER
    assert result.blocked == (Blocked("atm", 1000), Blocked("cash_recycler", 5000), Blocked("stm", 3000))


def test_amount_between_limits_picks_the_device_that_can() -> None:
    assert route("withdraw_cash", amount="2500").device_id == "rec-1"


def test_offline_device_is_skipped() -> None:
    states = {**ALL_ONLINE, "atm-1": DeviceState.OUT_OF_SERVICE}
    assert route("withdraw_cash", states, amount="100").device_id == "rec-1"
    none_up = {k: DeviceState.OFFLINE for k in ALL_ONLINE}
    counter = route("withdraw_cash", none_up, amount="100")
    assert counter.decision is Decision.TICKET
    assert counter.blocked == (Blocked("atm"), Blocked("cash_recycler"), Blocked("stm"))  # none free, no limit hit


def test_lost_card_needs_a_counter() -> None:
    result = route("report_lost_card")
    assert result.decision is Decision.TICKET and result.service_id == "cards"


def test_conversation_intents() -> None:
    assert route("talk_to_human").decision is Decision.STAFF
    assert route("branch_info").decision is Decision.INFO
    assert route("book_appointment").decision is Decision.APPOINTMENT
    assert route("queue_status").reason is Reason.QUEUE_STATUS and route("branch_info").reason is Reason.BRANCH_INFO
    assert route("mortgage").reason is Reason.ADVISOR


def test_unknown_intent_is_rejected() -> None:
    with pytest.raises(InvalidInput) as info:
        route("buy_a_boat")
    assert info.value.code == "unknown_intent"


def test_amounts_parse_exactly() -> None:
    assert parse_amount("1,200.50") == Decimal("1200.50")
    assert parse_amount("£300") == Decimal("300")
    assert parse_amount("three hundred") is None
    assert parse_amount("-5") is None
    assert parse_amount(True) is None
