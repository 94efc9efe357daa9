"""The routing brain: device now, counter ticket, appointment, info or staff.

Inputs are read through Protocols so the domain needs no configuration library. The decision
says why as a code with its facts (`Reason`, `Blocked`), never as words: the edge says it in
the customer's language (`assistant.services.wording`, catalogs in `assistant.i18n`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Protocol

from assistant.domain.errors import InvalidInput
from lobby_wire.triage import Decision, DeviceState


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


class Reason(StrEnum):
    """Why a customer goes where they go (the key of its wording, `reason.<code>`)."""

    DEVICE_FREE = "device_free"  # `Route.device_id` can do it now
    COUNTER = "counter"  # staff at a counter; `Route.blocked` says why no device could
    ADVISOR = "advisor"  # an advisor's service: the advisor desk
    APPOINTMENT = "appointment"  # book, check in or cancel
    BRANCH_INFO = "branch_info"  # hours, address, facilities
    QUEUE_STATUS = "queue_status"  # waiting times
    STAFF = "staff"  # a person was asked for


@dataclass(frozen=True, slots=True)
class Blocked:
    """A device kind that could have served the customer but cannot: the amount is over its
    `max_amount`, or (`max_amount` None) none of that kind is online."""

    kind: str
    max_amount: int | None = None


# Conversation intents the hub answers itself rather than with a service.
CONVERSATION_DECISIONS: dict[str, tuple[Decision, Reason]] = {
    "book_appointment": (Decision.APPOINTMENT, Reason.APPOINTMENT),
    "check_in": (Decision.APPOINTMENT, Reason.APPOINTMENT),
    "cancel_appointment": (Decision.APPOINTMENT, Reason.APPOINTMENT),
    "branch_info": (Decision.INFO, Reason.BRANCH_INFO),
    "queue_status": (Decision.INFO, Reason.QUEUE_STATUS),
    "talk_to_human": (Decision.STAFF, Reason.STAFF),
}


@dataclass(frozen=True, slots=True)
class Route:
    decision: Decision
    service_id: str | None
    reason: Reason
    device_id: str | None = None
    blocked: tuple[Blocked, ...] = ()  # for Reason.COUNTER: the devices that could not, in rule order


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
        decision, reason = CONVERSATION_DECISIONS[intent]
        return Route(decision, None, reason)
    service = next((s for s in services if intent in s.intents), None)
    if service is None:
        raise InvalidInput(f"unknown intent {intent!r}", code="unknown_intent")
    amount = parse_amount(entities.get("amount"))
    blocked: list[Blocked] = []
    for rule in service.devices:
        if intent not in rule.intents:
            continue
        if amount is not None and rule.max_amount is not None and amount > rule.max_amount:
            blocked.append(Blocked(rule.kind, rule.max_amount))
            continue
        for device in devices:
            if device.kind == rule.kind and device_states.get(device.id) is DeviceState.ONLINE:
                return Route(Decision.DEVICE, service.id, Reason.DEVICE_FREE, device.id)
        blocked.append(Blocked(rule.kind))
    if service.advisor:
        return Route(Decision.TICKET, service.id, Reason.ADVISOR)
    return Route(Decision.TICKET, service.id, Reason.COUNTER, blocked=tuple(dict.fromkeys(blocked)))
