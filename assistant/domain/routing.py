"""The routing brain: device now, counter ticket, appointment, info or staff.

Inputs are read through Protocols so the domain needs no configuration library.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Protocol

from assistant.domain.errors import InvalidInput


class Decision(StrEnum):
    DEVICE = "device"
    TICKET = "ticket"
    APPOINTMENT = "appointment"
    INFO = "info"
    STAFF = "staff"


class DeviceState(StrEnum):
    ONLINE = "online"
    BUSY = "busy"
    OFFLINE = "offline"
    OUT_OF_SERVICE = "out_of_service"


class DeviceRuleLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def intents(self) -> Sequence[str]: ...
    @property
    def max_amount(self) -> int | None: ...


class ServiceLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def intents(self) -> Sequence[str]: ...
    @property
    def devices(self) -> Sequence[DeviceRuleLike]: ...
    @property
    def advisor(self) -> bool: ...


class DeviceLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def location(self) -> str: ...


# How a device kind is said to a customer ("the cash machine takes up to 1,000").
KIND_NAMES = {"atm": "cash machine", "cash_recycler": "cash recycler", "stm": "smart teller", "vtm": "video teller"}


def kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind, kind.replace("_", " "))


def and_list(items: Sequence[str]) -> str:
    """['a'] -> 'a'; ['a', 'b', 'c'] -> 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# Conversation intents the hub answers itself rather than with a service.
CONVERSATION_DECISIONS: dict[str, Decision] = {
    "book_appointment": Decision.APPOINTMENT,
    "check_in": Decision.APPOINTMENT,
    "cancel_appointment": Decision.APPOINTMENT,
    "branch_info": Decision.INFO,
    "queue_status": Decision.INFO,
    "talk_to_human": Decision.STAFF,
}


@dataclass(frozen=True, slots=True)
class Route:
    decision: Decision
    service_id: str | None
    reason: str
    device_id: str | None = None


def parse_amount(value: object) -> Decimal | None:
    """'1,200' / '200.50' / 300 -> Decimal; words and junk -> None (never a float)."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).replace(",", "").strip()
    for symbol in "£$€¥":
        text = text.replace(symbol, "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and amount >= 0 else None


def triage(
    intent: str,
    entities: Mapping[str, object],
    services: Sequence[ServiceLike],
    devices: Sequence[DeviceLike],
    device_states: Mapping[str, DeviceState],
) -> Route:
    """Decide where a customer with `intent` should go, given live device states."""
    if intent in CONVERSATION_DECISIONS:
        return Route(CONVERSATION_DECISIONS[intent], None, intent)
    service = next((s for s in services if intent in s.intents), None)
    if service is None:
        raise InvalidInput(f"unknown intent {intent!r}", code="unknown_intent")
    amount = parse_amount(entities.get("amount"))
    blocked: list[str] = []
    for rule in service.devices:
        if intent not in rule.intents:
            continue
        if amount is not None and rule.max_amount is not None and amount > rule.max_amount:
            blocked.append(f"the {kind_name(rule.kind)} takes up to {rule.max_amount:,}")
            continue
        for device in devices:
            if device.kind == rule.kind and device_states.get(device.id) is DeviceState.ONLINE:
                return Route(Decision.DEVICE, service.id, f"{device.name} can do this now", device.id)
        blocked.append(f"no {kind_name(rule.kind)} is free right now")
    if service.advisor:
        return Route(Decision.TICKET, service.id, "an advisor will see you at the advisor desk")
    reason = "a member of staff will help you at the counter"
    if blocked:
        reason += ": " + and_list(list(dict.fromkeys(blocked)))
    return Route(Decision.TICKET, service.id, reason)
