"""Errors on the wire: the hub's one error shape, its codes, and the codes a client gives a failed call.

The hub answers every failure with `{"error": {"code", "message"}}` and a 4xx/5xx status
(DESIGN.md §4); `ErrorCode` is every code it sends, so a client can branch on a name rather than
on a string literal that drifts. When there is no answer to read (the hub is down, slow or sends
something else), both hub clients (the kiosk's and the action server's) report one of the
`ClientFailure` codes, or `http_<status>` for an error status without the hub's error shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lobby_wire.enums import StrEnum


class ErrorCode(StrEnum):
    """`error.code` of a hub answer."""

    # The base classes of the hub's errors (assistant/domain/errors.py)
    LOBBY_ERROR = "lobby_error"
    INVALID_INPUT = "invalid_input"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    NOTHING_TO_CALL = "nothing_to_call"
    UNAVAILABLE = "unavailable"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    RATE_LIMITED = "rate_limited"
    # The HTTP layer (assistant/web/errors.py, bodies, auth)
    INVALID_JSON = "invalid_json"
    TOO_DEEP = "too_deep"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    BAD_REQUEST = "bad_request"
    SERVER_ERROR = "server_error"
    INTERNAL_ERROR = "internal_error"
    DATABASE_BUSY = "database_busy"
    TOKEN_EXPIRED = "token_expired"
    CUSTOMER_TOKEN_REQUIRED = "customer_token_required"
    UNSUPPORTED_LANGUAGE = "unsupported_language"
    # Tickets and the queue
    UNKNOWN_SERVICE = "unknown_service"
    UNKNOWN_PRIORITY = "unknown_priority"
    UNKNOWN_INTENT = "unknown_intent"
    TICKET_NOT_FOUND = "ticket_not_found"
    TICKET_EXPIRED = "ticket_expired"
    WRONG_STATE = "wrong_state"
    REMOTE_JOIN_CLOSED = "remote_join_closed"
    ALREADY_RATED = "already_rated"
    # Counters and devices
    COUNTER_NOT_FOUND = "counter_not_found"
    COUNTER_CLOSED = "counter_closed"
    COUNTER_BUSY = "counter_busy"
    NO_CURRENT_TICKET = "no_current_ticket"
    TOO_SOON = "too_soon"
    DEVICE_NOT_FOUND = "device_not_found"
    UNKNOWN_STATE = "unknown_state"
    # Appointments
    APPOINTMENT_NOT_FOUND = "appointment_not_found"
    APPOINTMENT_EXPIRED = "appointment_expired"
    NO_APPOINTMENTS = "no_appointments"
    SLOT_FULL = "slot_full"
    NOT_A_SLOT = "not_a_slot"
    IN_THE_PAST = "in_the_past"
    TOO_EARLY = "too_early"
    OUTSIDE_HORIZON = "outside_horizon"  # the day's ClosedReason, as the code of a refused booking
    BLACKOUT = "blackout"
    DAY_CLOSED = "closed"
    APPOINTMENT_CANCELLED = "appointment_cancelled"  # "appointment_<status>": it is no longer booked
    APPOINTMENT_CHECKED_IN = "appointment_checked_in"
    APPOINTMENT_NO_SHOW = "appointment_no_show"
    # Dashboard and audit queries
    INVALID_DATE = "invalid_date"
    INVALID_TIME = "invalid_time"
    INVALID_RANGE = "invalid_range"
    UNKNOWN_ACTION = "unknown_action"
    # Dialogue and speech
    DIALOGUE_UNAVAILABLE = "dialogue_unavailable"
    NOT_CALLED = "not_called"
    TTS_UNAVAILABLE = "tts_unavailable"
    TTS_TIMEOUT = "tts_timeout"


class ClientFailure(StrEnum):
    """The code of a hub call that got no usable answer, the same in every client."""

    HUB_UNREACHABLE = "hub_unreachable"  # refused, reset, DNS: no connection
    HUB_TIMEOUT = "hub_timeout"  # connected, but no answer in time
    BAD_RESPONSE = "bad_response"  # an answer that is not the documented shape


# Worth trying an idempotent write again: the hub may be restarting. (So is any 5xx.)
TRANSIENT_FAILURES = frozenset({ClientFailure.HUB_UNREACHABLE, ClientFailure.HUB_TIMEOUT})


def http_failure(status: int) -> str:
    """The code of an error status that did not carry the hub's error shape: 'http_502'."""
    return f"http_{status}"


@dataclass(frozen=True, slots=True)
class ApiError:
    """The one error shape of the API: {"error": {"code", "message"}}."""

    code: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ApiError:
        """Raises KeyError, TypeError or ValueError when `data` is not the error shape."""
        error = data["error"]
        if not isinstance(error, dict) or not error.get("code"):
            raise ValueError("not the hub's error shape")
        return cls(code=str(error["code"]), message=str(error.get("message") or ""))
