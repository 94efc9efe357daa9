"""Errors carry a stable code and a human message; the web layer maps them to HTTP once."""

from __future__ import annotations


class LobbyError(Exception):
    code = "lobby_error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidInput(LobbyError):
    code = "invalid_input"


class NotFound(LobbyError):
    code = "not_found"


class Conflict(LobbyError):
    code = "conflict"


class NothingToCall(LobbyError):
    code = "nothing_to_call"


class Unavailable(LobbyError):
    """A dependency (Rasa, the database) cannot answer right now."""

    code = "unavailable"


class Unauthorized(LobbyError):
    """No valid credentials."""

    code = "unauthorized"


class Forbidden(LobbyError):
    """Valid credentials, but not for this."""

    code = "forbidden"


class RateLimited(LobbyError):
    code = "rate_limited"
