"""Who may do what: roles of staff and devices, ordered by what they may do."""

from __future__ import annotations

from enum import StrEnum


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
