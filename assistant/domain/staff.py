"""Who may do what: roles of staff and devices, ordered by what they may do."""

from __future__ import annotations

import hashlib
from enum import StrEnum

TOKEN_PREFIX = "lby_"  # every bearer token starts so (a scanner of leaked secrets can find them)


def token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256 (the token itself is shown once and never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


class CounterStatus(StrEnum):
    """Where a counter is (stored as its value; the console, display and events carry the same strings)."""

    OPEN = "open"  # serving: it may call tickets
    BREAK = "break"  # away until a time it said (schedule breaks, "on break until 13:30")
    CLOSED = "closed"  # not serving today, or not yet


class Role(StrEnum):
    DEVICE = "device"  # kiosks and device monitors: report device status
    TELLER = "teller"  # run a counter
    MANAGER = "manager"  # everything a teller may, plus branch-wide views and device status
    ADMIN = "admin"  # everything


# A role may do what any role at or below it may do; devices are a side branch.
_GRANTS: dict[Role, frozenset[Role]] = {
    Role.DEVICE: frozenset({Role.DEVICE}),
    Role.TELLER: frozenset({Role.TELLER}),
    Role.MANAGER: frozenset({Role.TELLER, Role.MANAGER, Role.DEVICE}),
    Role.ADMIN: frozenset(Role),
}


def allows(held: Role, required: Role) -> bool:
    return required in _GRANTS[held]
