"""The clients of `lobby bench soak`, behaving as the real ones do when the branch misbehaves.

* Kiosks (HTTP, the kiosk's device token): a customer says a sentence or two to the assistant
  (`POST /api/v1/chat`), then takes a ticket (`POST /api/v1/tickets` with an idempotency key). A ticket
  that got no answer — hub down, connection reset, timeout, a 5xx or a 429 — is asked for again with the
  *same* key, with growing pauses, until the hub answers: 201 (issued) or 200 (issued before, its answer
  lost). Only then is it acknowledged: the customer holds a ticket, and the ledger records it.
* App chats (the chat WebSocket with a customer token): a turn every so often; a socket that drops is
  reopened, and the turn it lost is sent again.
* Displays (the public events WebSocket): reopened when dropped; every `ticket.issued` is noted, to see how
  late a lobby screen shows a new ticket.
* Consoles (HTTP, a teller token): call-next, start, finish, over and over, on their counter.

Every attempt is a Sample (what, when, how long, how it ended); phases and percentiles are worked out
afterwards (assistant/bench_soak_report.py). A chat answered by the hub's touch fallback because the dialogue
engine is down is `degraded`: answered, not an error.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import secrets
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import httpx
import websockets

log = logging.getLogger(__name__)

ATTEMPT_TIMEOUT_S = 15.0  # a kiosk gives up on one attempt after this long, then asks again
CHAT_REPLY_TIMEOUT_S = 30.0
MAX_BACKOFF_S = 5.0

# Sentences that get an answer but never a ticket: every ticket in the database is one a kiosk asked for.
PHRASES = {
    "en": ("hello", "when are you open", "how long is the wait", "thank you", "are you a robot", "goodbye"),
    "zh": ("你好", "你们几点开门", "现在要等多久", "谢谢", "你是机器人吗", "再见"),
}
SERVICES = ("cash", "payments", "cards", "accounts", "exchange", "loans", "invest", "business", "help")


class Op(StrEnum):
    TICKET = "ticket"  # POST /tickets, one attempt
    KIOSK_CHAT = "kiosk_chat"  # POST /chat
    APP_CHAT = "app_chat"  # a turn on the chat WebSocket
    APP_CONNECT = "app_connect"  # chat WebSocket open -> snapshot
    DISPLAY_CONNECT = "display_connect"  # events WebSocket open -> snapshot
    CONSOLE = "console"  # call-next, start, finish
    PROBE = "probe"  # GET /api/v1/branch every half second: does the hub process answer?


@dataclass(frozen=True, slots=True)
class Sample:
    op: Op
    started: float  # monotonic
    seconds: float
    kind: str  # "ok", "degraded", or the error: "connect", "timeout", "http_503:unavailable", "ws_closed:1006"...
    answered: bool  # the hub answered (any HTTP status, or a frame)

    @property
    def ok(self) -> bool:
        return self.kind in ("ok", "degraded")


@dataclass(frozen=True, slots=True)
class Ack:
    """A ticket a kiosk holds: the hub answered its key with this ticket."""

    key: str
    ticket_id: str
    number: str
    status: int  # 201 issued, 200 issued before (the first answer was lost)
    first_sent: float
    sent: float  # the attempt that got the answer
    acked: float
    attempts: int


@dataclass(frozen=True, slots=True)
class Load:
    """How many clients, and how often each acts (seconds between customers or turns, drawn uniformly)."""

    kiosks: int = 20
    app_chats: int = 50
    displays: int = 10
    consoles: int = 3
    kiosk_think: tuple[float, float] = (8.0, 16.0)
    app_think: tuple[float, float] = (15.0, 45.0)
    serve_seconds: tuple[float, float] = (0.3, 1.2)


@dataclass(slots=True)
class Recorder:
    hub: str
    device_token: str
    staff_token: str
    counters: tuple[str, ...]
    run_id: str
    stop_at: float  # no new customer, turn or call after this
    give_up_at: float  # a ticket still unanswered now is abandoned (reported)
    samples: list[Sample] = field(default_factory=list)
    acks: list[Ack] = field(default_factory=list)
    abandoned: list[str] = field(default_factory=list)  # keys never answered
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (key, error): a 4xx a retry cannot fix
    issued_seen: list[tuple[int, str, float]] = field(default_factory=list)  # (display, number, monotonic)
    chat_tickets: list[str] = field(default_factory=list)  # ticket ids a chat reply carried (none expected)

    def record(self, op: Op, started: float, kind: str, answered: bool) -> None:
        self.samples.append(Sample(op, started, time.monotonic() - started, kind, answered))

    def running(self) -> bool:
        return time.monotonic() < self.stop_at

    async def attempt(
        self, http: httpx.AsyncClient, op: Op, method: str, url: str, **kwargs: Any
    ) -> httpx.Response | None:
        started = time.monotonic()
        try:
            response = await http.request(method, url, **kwargs)
        except httpx.TimeoutException:
            self.record(op, started, "timeout", False)
            return None
        except httpx.HTTPError as exc:
            self.record(op, started, "connect" if isinstance(exc, httpx.ConnectError) else "transport", False)
            return None
        self.record(
            op, started, "ok" if response.is_success else f"http_{response.status_code}:{_code(response)}", True
        )
        return response

    # -- kiosks ------------------------------------------------------------------------------------

    async def kiosk(self, index: int, load: Load) -> None:
        lang = "en" if index % 2 == 0 else "zh"
        rng = random.Random(f"{self.run_id}-kiosk-{index}")
        headers = {"Authorization": f"Bearer {self.device_token}"}
        async with httpx.AsyncClient(base_url=self.hub, timeout=ATTEMPT_TIMEOUT_S, headers=headers) as http:
            await asyncio.sleep(rng.uniform(0, load.kiosk_think[0]))
            customer = 0
            while self.running():
                customer += 1
                sender = f"{self.run_id}-k{index}-{customer}"
                for phrase in rng.sample(PHRASES[lang], rng.choice((1, 2))):
                    body = {"sender": sender, "message": phrase, "channel": "kiosk", "lang": lang}
                    await self._chat_turn(http, body)
                key = f"{self.run_id}-k{index:02d}-{customer:05d}"
                await self.take_ticket(http, key, {"service": rng.choice(SERVICES), "channel": "kiosk", "lang": lang})
                await self._pause(rng.uniform(*load.kiosk_think))

    async def _chat_turn(self, http: httpx.AsyncClient, body: dict[str, Any]) -> None:
        started = time.monotonic()
        try:
            response = await http.post("/api/v1/chat", json=body, timeout=CHAT_REPLY_TIMEOUT_S)
        except httpx.TimeoutException:
            self.record(Op.KIOSK_CHAT, started, "timeout", False)
            return
        except httpx.HTTPError as exc:
            self.record(
                Op.KIOSK_CHAT, started, "connect" if isinstance(exc, httpx.ConnectError) else "transport", False
            )
            return
        if not response.is_success:
            self.record(Op.KIOSK_CHAT, started, f"http_{response.status_code}:{_code(response)}", True)
            return
        reply = response.json()
        self._note_chat_ticket(reply)
        self.record(Op.KIOSK_CHAT, started, "degraded" if reply.get("degraded") else "ok", True)

    async def take_ticket(self, http: httpx.AsyncClient, key: str, body: dict[str, Any]) -> None:
        """Ask until the hub answers this key (201 or 200), as a kiosk whose customer is still waiting does."""
        first = time.monotonic()
        attempts = 0
        while True:
            attempts += 1
            sent = time.monotonic()
            response = await self.attempt(
                http, Op.TICKET, "POST", "/api/v1/tickets", json={**body, "idempotency_key": key}
            )
            if response is not None and response.status_code in (200, 201):
                ticket = response.json()
                self.acks.append(
                    Ack(
                        key,
                        ticket["id"],
                        ticket["number"],
                        response.status_code,
                        first,
                        sent,
                        time.monotonic(),
                        attempts,
                    )
                )
                return
            if response is not None and response.status_code < 500 and response.status_code != 429:
                self.rejected.append((key, f"{response.status_code}: {response.text[:200]}"))
                return
            if time.monotonic() > self.give_up_at:
                self.abandoned.append(key)
                return
            await asyncio.sleep(_backoff(attempts))

    # -- app chats ---------------------------------------------------------------------------------

    async def app_chat(self, index: int, load: Load) -> None:
        rng = random.Random(f"{self.run_id}-app-{index}")
        lang = "en" if index % 3 else "zh"
        token = f"soak-{self.run_id}-{index:03d}-{secrets.token_hex(8)}"
        url = self.hub.replace("http://", "ws://") + f"/api/v1/chat/ws?token={token}&channel=mobile"
        await asyncio.sleep(rng.uniform(0, 5))
        pending: str | None = None  # a turn the last socket lost: sent again on the next
        turn: float | None = None  # when the turn now awaiting its reply was sent
        failures = 0
        while self.running():
            started = time.monotonic()
            try:
                async with websockets.connect(url, open_timeout=10, close_timeout=2) as ws:
                    await _frame(ws, "snapshot", 15)
                    self.record(Op.APP_CONNECT, started, "ok", True)
                    failures = 0
                    while self.running():
                        if pending is None:
                            # Thinking, but listening: an app sees its socket drop (a hub restart) and reopens it
                            # at once, instead of finding out with the next message.
                            if await self._closed_within(ws, rng.uniform(*load.app_think)):
                                dropped = time.monotonic()
                                self.record(
                                    Op.APP_CONNECT, dropped, f"ws_dropped:{ws.close_code or 'no_close_frame'}", False
                                )
                                break
                            if not self.running():
                                break
                            pending = rng.choice(PHRASES[lang])
                        turn = time.monotonic()
                        await ws.send(json.dumps({"message": pending, "lang": lang}))
                        reply = await _frame(ws, "reply", CHAT_REPLY_TIMEOUT_S)
                        self._note_chat_ticket(reply)
                        self.record(Op.APP_CHAT, turn, "degraded" if reply.get("degraded") else "ok", True)
                        pending = turn = None
            except Exception as exc:  # every way a socket can fail is a kind to count
                failures += 1
                if turn is not None:  # the turn in flight is lost; the next socket sends it again
                    self.record(Op.APP_CHAT, turn, _ws_error(exc), False)
                    turn = None
                else:
                    self.record(Op.APP_CONNECT, started, _ws_error(exc), False)
                await self._pause(_backoff(failures))

    # -- displays ----------------------------------------------------------------------------------

    async def display(self, index: int) -> None:
        url = self.hub.replace("http://", "ws://") + "/api/v1/events"
        failures = 0
        while self.running():
            started = time.monotonic()
            try:
                async with websockets.connect(url, open_timeout=10, close_timeout=2) as ws:
                    await _frame(ws, "snapshot", 15)
                    self.record(Op.DISPLAY_CONNECT, started, "ok", True)
                    failures = 0
                    while self.running():
                        try:
                            raw = await asyncio.wait_for(ws.recv(), timeout=1)
                        except TimeoutError:
                            continue
                        message = json.loads(raw)
                        if message.get("type") == "ticket.issued":
                            number = ((message.get("data") or {}).get("ticket") or {}).get("number", "")
                            self.issued_seen.append((index, str(number), time.monotonic()))
            except Exception as exc:
                failures += 1
                self.record(Op.DISPLAY_CONNECT, started, _ws_error(exc), False)
                await self._pause(_backoff(failures))

    # -- consoles ----------------------------------------------------------------------------------

    async def console(self, counter: str, load: Load) -> None:
        rng = random.Random(f"{self.run_id}-console-{counter}")
        headers = {"Authorization": f"Bearer {self.staff_token}"}
        base = f"/api/v1/counters/{counter}"
        async with httpx.AsyncClient(base_url=self.hub, timeout=ATTEMPT_TIMEOUT_S, headers=headers) as http:
            failures = 0
            while self.running():  # open the counter (idempotent), as a teller signing in does
                response = await self.attempt(http, Op.CONSOLE, "POST", f"{base}/open")
                if response is not None and response.is_success:
                    break
                failures += 1
                await self._pause(_backoff(failures))
            while self.running():
                called = await self.attempt(http, Op.CONSOLE, "POST", f"{base}/call-next")
                if called is None or called.status_code >= 500:
                    failures += 1
                    await self._pause(_backoff(failures))
                    continue
                failures = 0
                if called.status_code != 200:  # nothing to call (409) or a refusal: look again shortly
                    await self._pause(1.0)
                    continue
                await asyncio.sleep(rng.uniform(*load.serve_seconds))
                await self.attempt(http, Op.CONSOLE, "POST", f"{base}/start")
                await asyncio.sleep(rng.uniform(*load.serve_seconds))
                await self.attempt(http, Op.CONSOLE, "POST", f"{base}/finish", json={"outcome": "done"})

    # -- the probe ---------------------------------------------------------------------------------

    async def probe(self, every: float = 0.5) -> None:
        """Does the hub process answer at all? A read that needs no database, twice a second."""
        async with httpx.AsyncClient(base_url=self.hub, timeout=2) as http:
            while self.running():
                await self.attempt(http, Op.PROBE, "GET", "/api/v1/branch")
                await asyncio.sleep(every)

    # -- helpers -------------------------------------------------------------------------------------

    def _note_chat_ticket(self, reply: dict[str, Any]) -> None:
        ticket = reply.get("ticket")
        if isinstance(ticket, dict) and ticket.get("id"):
            self.chat_tickets.append(str(ticket["id"]))

    async def _closed_within(self, ws: Any, seconds: float) -> bool:
        """Wait `seconds` (no later than the end of the load); True as soon as the socket closes."""
        try:
            await asyncio.wait_for(ws.wait_closed(), max(0.0, min(seconds, self.stop_at - time.monotonic())))
        except TimeoutError:
            return False
        return True

    async def _pause(self, seconds: float) -> None:
        """Sleep, but no later than the end of the load."""
        await asyncio.sleep(max(0.0, min(seconds, self.stop_at - time.monotonic())))


def _backoff(attempt: int) -> float:
    """0.5, 1, 2, 4, 5, 5 ... seconds, each with a little jitter so the clients do not ask in step."""
    return min(0.5 * 2 ** (attempt - 1), MAX_BACKOFF_S) * random.uniform(0.8, 1.2)


def _code(response: httpx.Response) -> str:
    try:
        error = response.json().get("error") or {}
        return str(error.get("code", "")) or "no_code"
    except (ValueError, AttributeError):
        return "not_json"


async def _frame(ws: Any, wanted: str, timeout: float) -> dict[str, Any]:
    """The next frame of type `wanted` (pushes in between are skipped)."""
    async with asyncio.timeout(timeout):
        while True:
            message: dict[str, Any] = json.loads(await ws.recv())
            if message.get("type") == wanted:
                return message
            if message.get("type") == "error":
                raise RuntimeError(f"error frame: {message.get('error')}")


def _ws_error(exc: BaseException) -> str:
    if isinstance(exc, websockets.ConnectionClosed):
        received = exc.rcvd
        return f"ws_closed:{received.code if received is not None else 'no_close_frame'}"
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, OSError):
        return "connect"
    if isinstance(exc, websockets.InvalidStatus):
        return f"ws_refused:{exc.response.status_code}"
    return type(exc).__name__
