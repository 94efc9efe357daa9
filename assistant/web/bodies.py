"""Request bodies, validated at the edge with msgspec (length and value limits included)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import msgspec

from assistant.domain.errors import InvalidInput

# How deep a JSON body may nest. Real bodies nest 3 levels; the decoder (and anything walking the
# value) recurses per level, so a 20 kB body of 10,000 brackets is a RecursionError, not a request.
MAX_JSON_DEPTH = 32
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(rb"[\[\]{}]")


def too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Does `body` nest arrays and objects deeper than `limit`? One linear scan, strings skipped."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # it cannot nest deeper than the brackets it has
    depth = 0
    for bracket in _BRACKET.finditer(_STRING.sub(b"", body)):
        depth += 1 if bracket.group() in (b"[", b"{") else -1
        if depth > limit:
            return True
    return False


def check_depth(body: bytes) -> None:
    """422 `too_deep` for a body nested past MAX_JSON_DEPTH, before any decoder recurses into it."""
    if too_deep(body):
        raise InvalidInput(f"JSON nested deeper than {MAX_JSON_DEPTH} levels", code="too_deep")


Channel = Literal["kiosk", "mobile", "web", "counter"]
Lang = Annotated[str, msgspec.Meta(min_length=2, max_length=8, pattern=r"^[a-z]{2}(-[A-Za-z]{2,4})?$")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]


class TicketCreate(msgspec.Struct, forbid_unknown_fields=True):
    service: Name
    channel: Channel = "kiosk"
    lang: Lang = "en"
    priority: Name = "normal"
    intent: Name | None = None
    appointment_code: Annotated[str, msgspec.Meta(max_length=16)] | None = None
    idempotency_key: Annotated[str, msgspec.Meta(min_length=1, max_length=128)] | None = None
    # Taken from outside the branch (the app): allowed per service, and only while the branch is open.
    remote: bool = False


class TriageRequest(msgspec.Struct, forbid_unknown_fields=True):
    intent: Name
    entities: Annotated[dict[str, Any], msgspec.Meta(max_length=20)] = {}
    channel: Channel = "kiosk"
    lang: Lang = "en"


class ChatRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    # The kiosk's session id; mobile and web sessions are keyed by the X-Customer-Token header instead.
    sender: Annotated[str, msgspec.Meta(max_length=128)] = ""
    message: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
    channel: Channel = "kiosk"
    # The client's language (the kiosk's switch, the app's setting): decides mixed sentences and payloads;
    # the words of the message decide the rest (lobby_wire.lang.detect_lang).
    lang: Lang | None = None


class DeviceStatusUpdate(msgspec.Struct, forbid_unknown_fields=True):
    state: Literal["online", "busy", "offline", "out_of_service"]
    detail: Annotated[str, msgspec.Meta(max_length=200)] = ""


class FinishRequest(msgspec.Struct, forbid_unknown_fields=True):
    outcome: Name = "done"


class TransferRequest(msgspec.Struct, forbid_unknown_fields=True):
    service: Name | None = None
    counter: Name | None = None


class BreakRequest(msgspec.Struct, forbid_unknown_fields=True):
    """POST /api/v1/counters/{id}/break: "on break until 13:30" (branch-local, today) or for `minutes`."""

    until: Annotated[str, msgspec.Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] | None = None
    minutes: Annotated[int, msgspec.Meta(ge=1, le=720)] | None = None


class CallRequest(msgspec.Struct, forbid_unknown_fields=True):
    ticket_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class StaffAlert(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=300)] = ""
    channel: Channel = "kiosk"
    sender: Annotated[str, msgspec.Meta(max_length=128)] = ""
    lang: Lang = "en"
