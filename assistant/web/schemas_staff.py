"""The API's response shapes for the OpenAPI document (staff's side: counters, the console, the dashboard).

Like `assistant.web.schemas`: msgspec Structs that say, field for field, what the handlers answer;
`assistant.web.apidoc` turns them into the document's JSON Schema.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from assistant.domain.audit import ActorKind, AuditAction
from assistant.domain.staff import CounterStatus, Role
from assistant.web.schemas import CounterState, LangCode, Moment, PublicTicket
from lobby_wire.tickets import TicketStatus

Share = Annotated[float, Meta(ge=0, le=1)]
Count = Annotated[int, Meta(ge=0)]


# -- counters ------------------------------------------------------------------------------------


class Counter(msgspec.Struct):
    id: str
    name: str
    state: CounterStatus
    skills: dict[str, float]  # service -> weight
    current: PublicTicket | None  # the ticket at the counter (called or being served), without its id


class CounterList(msgspec.Struct):
    """GET /api/v1/counters: every counter, its skills and the ticket it has."""

    counters: list[Counter]


# -- the counter console -------------------------------------------------------------------------


class Named(msgspec.Struct):
    id: str
    name: str


class ConsoleCounter(msgspec.Struct):
    id: str
    name: str
    skills: dict[str, float]


class ConsoleService(msgspec.Struct):
    id: str
    name: str
    prefix: str


class Outcome(msgspec.Struct):
    code: str
    label: str


class ConsoleConfig(msgspec.Struct):
    """GET /api/v1/console/config: what the console needs to draw itself."""

    branch: Named
    timezone: str
    role: Role  # the role of the token that asked
    counters: list[ConsoleCounter]
    services: list[ConsoleService]
    outcomes: list[Outcome]  # what POST .../finish accepts
    max_recalls: Count
    no_show_after_seconds: Annotated[float, Meta(ge=0)]
    priority_classes: list[str]


class Booking(msgspec.Struct):
    """The appointment a ticket was checked in for, so the teller does not ask again."""

    code: str
    starts_at: Moment | None
    name: str | None
    channel: str | None
    online: bool
    intent: str | None
    notes: str | None


class DeskTicket(msgspec.Struct):
    """The ticket at a counter, with the recall and no-show rules as they stand now."""

    id: str
    number: str
    service: str
    service_name: str
    status: TicketStatus
    priority: str
    issued_at: Moment
    channel: str
    lang: LangCode
    remote: bool
    on_the_way: bool
    arrived_at: Moment | None
    called_at: Moment | None
    started_at: Moment | None
    waited_minutes: Annotated[float, Meta(ge=0)]
    recalls: Count
    max_recalls: Count
    next_recall_is_no_show: bool
    no_show_in_seconds: Annotated[float, Meta(ge=0)]
    transfers: Count
    intent: str | None
    appointment_code: str | None
    appointment: Booking | None


class Desk(msgspec.Struct):
    id: str
    name: str
    state: CounterStatus
    skills: dict[str, float]
    ticket: DeskTicket | None
    away_until: Moment | None = None  # state "break": when it is due back


class Desks(msgspec.Struct):
    """GET /api/v1/console/counters: every counter's state and its ticket."""

    counters: list[Desk]
    at: Moment


class QueuedTicket(msgspec.Struct):
    """A ticket in line as the console lists it."""

    id: str
    number: str
    service: str
    service_name: str
    status: Literal["waiting", "parked"]
    priority: str
    issued_at: Moment
    channel: str
    lang: LangCode
    remote: bool
    on_the_way: bool
    arrived_at: Moment | None
    boosted: bool  # waited past priority.age_boost_minutes: lifted one class
    position: Annotated[int, Meta(ge=1)] | None  # 1 = next for its service; null when parked
    waited_minutes: Annotated[float, Meta(ge=0)]
    intent: str | None
    appointment: Booking | None
    target_counter: str | None
    target_counter_name: str | None
    parked_by: str | None
    parked_by_name: str | None
    transfers: Count


class QueuedTickets(msgspec.Struct):
    """GET /api/v1/tickets: tickets in line, each service's in the policy's order, then its parked ones."""

    tickets: list[QueuedTicket]
    at: Moment


# -- ratings -------------------------------------------------------------------------------------


class Rating(msgspec.Struct):
    """POST /api/v1/ratings: the rating recorded."""

    id: str
    ticket_id: str | None
    score: Annotated[int, Meta(ge=1, le=5)]
    channel: str


# -- the manager dashboard -----------------------------------------------------------------------


class Range(msgspec.Struct, rename={"first": "from", "last": "to"}):
    first: date
    last: date
    days: Annotated[int, Meta(ge=1)]


class LiveService(msgspec.Struct):
    service: str
    name: str
    waiting: Count
    longest_wait_minutes: Annotated[float, Meta(ge=0)]
    target_wait_minutes: float | None
    over_target: bool


class Uncovered(msgspec.Struct):
    """A service with tickets waiting and no open counter able to serve it."""

    service: str
    name: str
    waiting: Count


class Live(msgspec.Struct):
    waiting: Count
    services: list[LiveService]
    alerts: list[LiveService]  # the services past their target now
    counters: list[CounterState]
    uncovered: list[Uncovered] = []  # warn the manager: open a counter with the skill, or end a break


class WaitAlert(msgspec.Struct):
    service: str
    name: str
    crossed_at: Moment | None
    cleared_at: Moment | None  # null while still past the target
    longest_wait_minutes: float | None
    target_wait_minutes: float | None


class Kpis(msgspec.Struct):
    """Every KPI of `assistant.domain.kpi` over the range (minutes rounded; shares 0..1; null without data).

    The nested lists (`services`, `counters`, `staff`, `hourly`, `top_intents`, `satisfaction`) carry the
    same measures per service, counter, member of staff and hour."""

    issued: Count
    served: Count
    called: Count
    avg_wait_minutes: float | None
    p90_wait_minutes: float | None
    within_target: Count
    sla_share: Share | None
    avg_service_minutes: float | None
    avg_walk_minutes: float | None
    abandoned: Count
    abandonment_rate: Share | None
    no_show: Count
    no_show_rate: Share | None
    device_routes: Count
    triaged_tickets: Count
    self_service_share: Share | None
    top_intents: list[dict[str, Any]]
    satisfaction: dict[str, Any]
    services: list[dict[str, Any]]
    counters: list[dict[str, Any]]
    staff: list[dict[str, Any]]
    hourly: list[dict[str, Any]]


class Dashboard(msgspec.Struct):
    """GET /api/v1/dashboard: the live queue and every KPI of branch-local days `from`..`to`."""

    branch: Named
    timezone: str
    range: Range
    at: Moment
    live: Live
    kpis: Kpis
    alerts: list[WaitAlert]


# -- parameters ----------------------------------------------------------------------------------


class TicketsQuery(msgspec.Struct):
    status: Annotated[str, Meta(description="waiting, parked or both, comma-separated (default both)")] = (
        "waiting,parked"
    )
    service: Annotated[str, Meta(description="only this service's tickets")] | UnsetType = UNSET
    lang: Annotated[str, Meta(description="en or zh: names of services and counters")] = "en"


# A day, or empty for the default (as an HTML form sends an empty field).
_DAY = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"


class RangeQuery(msgspec.Struct, rename={"first": "from", "last": "to"}):
    first: Annotated[str, Meta(pattern=_DAY, description="first branch-local day, YYYY-MM-DD (default: `to`)")] | (
        UnsetType
    ) = UNSET
    last: (
        Annotated[
            str, Meta(pattern=_DAY, description="last branch-local day, inclusive (default: today); 366 days at most")
        ]
        | UnsetType
    ) = UNSET


class StaffLangQuery(msgspec.Struct):
    lang: Annotated[str, Meta(description="en or zh: the staff member's choice")] = "en"


# -- the audit trail (managers) ------------------------------------------------------------------


class AuditActor(msgspec.Struct):
    kind: ActorKind
    id: str | None  # the token's id (kind `token`)
    name: str
    role: str


class AuditTarget(msgspec.Struct):
    kind: str  # ticket, appointment, counter, device, token, ...
    id: str | None


class AuditRecord(msgspec.Struct):
    """Who did what to which ticket, booking, counter, device or token, and the state before and after."""

    id: int | None
    at: Moment  # branch-local
    actor: AuditActor
    action: AuditAction
    target: AuditTarget
    counter: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(msgspec.Struct):
    """GET /api/v1/audit: entries newest first; `next_before` asks for the next page (null: no more)."""

    entries: list[AuditRecord]
    next_before: int | None
    timezone: str


_MOMENT = "a branch-local day YYYY-MM-DD, or an ISO time with an offset"


class AuditQuery(msgspec.Struct):
    since: Annotated[str, Meta(description=f"from: {_MOMENT}")] | UnsetType = UNSET
    until: Annotated[str, Meta(description=f"until (a day: inclusive): {_MOMENT}")] | UnsetType = UNSET
    actor: Annotated[str, Meta(description="a token's name or id, or `hub`, or an operator's user name")] | (
        UnsetType
    ) = UNSET
    action: Annotated[str, Meta(description="actions, comma-separated; `ticket.*` for a family")] | UnsetType = UNSET
    # Empty is the default, as an HTML form sends an empty field.
    limit: Annotated[Annotated[int, Meta(ge=1, le=1000)] | Literal[""], Meta(description="entries per page")] = 100
    before: (
        Annotated[
            Annotated[int, Meta(ge=1, le=2**62)] | Literal[""], Meta(description="the previous page's `next_before`")
        ]
        | UnsetType
    ) = UNSET
