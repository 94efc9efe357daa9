"""Events the engine emits; the hub fans them out (DESIGN.md §4)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lobby_wire.events import EventName

EventType = EventName  # the wire's event names (DESIGN.md §4): one definition for every process


@dataclass(frozen=True, slots=True)
class Event:
    type: EventType
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"type": str(self.type), "at": self.at.isoformat(), "data": self.data}
