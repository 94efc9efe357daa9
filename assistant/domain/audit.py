"""The audit trail's values: who did what to which thing, and its state before and after.

Pure values (no storage): `assistant.store.audit` keeps them in an append-only table written in the
same transaction as the change it describes, so an action and its entry commit or fail together.

Entries never carry a customer's personal data (names, phone numbers, notes, comments): the log
cannot be changed, so it must hold nothing the retention purge would have to blank.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from assistant.domain.appointments import Appointment
from assistant.domain.tickets import Ticket


class ActorKind(StrEnum):
    TOKEN = "token"  # a staff or device bearer token (its id and name, never the token)
    CLI = "cli"  # an operator at the branch PC (`lobby token`, `lobby purge`, `lobby restore`)
    SYSTEM = "system"  # the hub itself (the periodic retention purge)


class AuditAction(StrEnum):
    TICKET_CALL = "ticket.call"  # a particular ticket called to a counter
    TICKET_CALL_NEXT = "ticket.call_next"
    TICKET_RECALL = "ticket.recall"
    TICKET_NO_SHOW = "ticket.no_show"
    TICKET_START = "ticket.start"
    TICKET_FINISH = "ticket.finish"  # also the customer at the counter when the next one is called
    TICKET_PARK = "ticket.park"
    TICKET_TRANSFER = "ticket.transfer"
    TICKET_ABANDON = "ticket.abandon"  # cancelled by staff (a customer's own cancel is not audited)
    TICKET_ARRIVE = "ticket.arrive"  # checked in by staff or a kiosk by its number
    COUNTER_OPEN = "counter.open"
    COUNTER_CLOSE = "counter.close"
    DEVICE_STATUS = "device.status"  # only when the state or its detail changes
    TOKEN_CREATE = "token.create"
    TOKEN_REVOKE = "token.revoke"
    TOKEN_ROTATE = "token.rotate"
    APPOINTMENT_CANCEL = "appointment.cancel"  # by staff
    APPOINTMENT_RESCHEDULE = "appointment.reschedule"  # by staff
    APPOINTMENT_CHECK_IN = "appointment.check_in"  # by staff
    RETENTION_PURGE = "retention.purge"
    DAY_CLOSE = "day.close"  # the end of the day: tickets still in line closed, missed appointments no-show
    DATA_BACKUP = "data.backup"
    DATA_RESTORE = "data.restore"


# Who called and who finished a visit (the dashboard's `called_by` / `finished_by`).
CALL_ACTIONS = frozenset({AuditAction.TICKET_CALL, AuditAction.TICKET_CALL_NEXT})
FINISH_ACTIONS = frozenset({AuditAction.TICKET_FINISH})


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted. A token actor may be known only by its token's SHA-256 (`token_hash`) until the
    writing transaction resolves it to the token's id and name."""

    kind: ActorKind
    name: str
    role: str = ""
    id: str | None = None
    token_hash: str | None = field(default=None, repr=False)

    @classmethod
    def system(cls, name: str = "hub") -> Actor:
        return cls(ActorKind.SYSTEM, name, "system")

    @classmethod
    def cli(cls, user: str) -> Actor:
        return cls(ActorKind.CLI, user, "operator")

    @property
    def resolved(self) -> bool:
        return self.kind is not ActorKind.TOKEN or self.id is not None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit trail. `before` / `after` are small JSON-able states (None: nothing)."""

    at: datetime
    actor: Actor
    action: AuditAction
    target_kind: str
    target_id: str | None
    counter_id: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "actor": {"kind": str(self.actor.kind), "id": self.actor.id, "name": self.actor.name,
                      "role": self.actor.role},
            "action": str(self.action),
            "target": {"kind": self.target_kind, "id": self.target_id},
            "counter": self.counter_id,
            "before": self.before,
            "after": self.after,
        }  # fmt: skip


def ticket_state(ticket: Ticket | None) -> dict[str, Any] | None:
    """What an audit entry keeps of a ticket: its queue facts, no personal data."""
    if ticket is None:
        return None
    return {
        "number": ticket.number,
        "status": str(ticket.status),
        "service": ticket.service_id,
        "counter": ticket.counter_id,
        "target_counter": ticket.target_counter_id,
        "recalls": ticket.recalls,
        "transfers": ticket.transfers,
        "outcome": ticket.outcome,
        "arrived": ticket.arrived_at is not None,  # a remote ticket is "on the way" until it arrives
    }


def appointment_state(appointment: Appointment | None) -> dict[str, Any] | None:
    """What an audit entry keeps of a booking: never the customer's name, phone or notes."""
    if appointment is None:
        return None
    return {
        "status": str(appointment.status),
        "service": appointment.service_id,
        "starts_at": appointment.starts_at.astimezone(UTC).isoformat(),
        "ticket": appointment.ticket_id,
    }


__all__ = [
    "CALL_ACTIONS", "FINISH_ACTIONS", "Actor", "ActorKind", "AuditAction", "AuditEntry", "appointment_state",
    "ticket_state",
]  # fmt: skip
