"""TEMPORARY re-export of the wire types, which now live in `lobby_wire` (stdlib only, Python >= 3.10).

The hub's modules still import these names from here; the hub restructuring (issue 14) replaces
those imports with `lobby_wire` ones and then deletes this module. New code imports `lobby_wire`.
Nothing is defined here: the kiosk, the hardware package and the action server use the same types
straight from `lobby_wire`.
"""

from __future__ import annotations

from lobby_wire.chat import Button, ChatMessage, ChatReply
from lobby_wire.errors import ApiError
from lobby_wire.tickets import TICKET_ID, TICKET_NUMBER, TicketStatus, TicketView
from lobby_wire.triage import Decision, RouteView, ServiceView, TriageView

__all__ = [
    "TICKET_ID",
    "TICKET_NUMBER",
    "ApiError",
    "Button",
    "ChatMessage",
    "ChatReply",
    "Decision",
    "RouteView",
    "ServiceView",
    "TicketStatus",
    "TicketView",
    "TriageView",
]
