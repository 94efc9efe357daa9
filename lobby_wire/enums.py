"""A string enum that behaves the same on Python 3.10 (the action server) and 3.11+ (the hub, the kiosk).

`enum.StrEnum` exists from Python 3.11 only, and the action server runs on 3.10 (Rasa's pins). Rather
than use the stdlib class where there is one and a copy where there is not (two classes that could
drift: `format()` of a `(str, Enum)` member changed between versions), every wire enum derives from
this one class on every Python: a `str` whose `str()` and `format()` are its value, so
`f"decision.{decision}"`, `json.dumps` and `==` with the plain string all see "ticket", not
"Decision.TICKET".
"""

from __future__ import annotations

from enum import Enum


class StrEnum(str, Enum):
    """Members are strings equal to their value; `str(member)` and f-strings give the value."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, format_spec: str) -> str:
        return format(str(self.value), format_spec)

    @classmethod
    def values(cls) -> frozenset[str]:
        """Every value of the enum, e.g. to check a string against it without raising."""
        return frozenset(str(member.value) for member in cls)
