"""Request bodies, validated at the edge with msgspec (length and value limits included)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

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


class CallRequest(msgspec.Struct, forbid_unknown_fields=True):
    ticket_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class StaffAlert(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=300)] = ""
    channel: Channel = "kiosk"
    sender: Annotated[str, msgspec.Meta(max_length=128)] = ""
    lang: Lang = "en"
