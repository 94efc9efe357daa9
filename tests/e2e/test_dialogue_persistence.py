"""Conversations outlive a Rasa process: two real Rasa replicas on the SQL tracker store (a SQLite file
next to the hub's) and the Redis lock store, behind a real hub, with the real action server.

One set of processes for the module (two Rasa servers load in ~40-60 s, in parallel): a booking moves to
the other replica when its own is killed (-9); concurrent turns of one conversation on both replicas
are all kept (the shared lock); and a booking half done on a replica goes on after that replica is
killed (-9) and restarted. With Rasa's in-memory tracker store each of these loses the conversation.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from assistant.cli import DEFAULT_MODEL_CACHE, _dialogue_processes
from assistant.settings import load_settings
from assistant.supervisor import Managed, StartupError
from assistant.web.auth import customer_key
from assistant.web.rasa import prepare_turn, replica_order
from tests.conftest import ALWAYS_OPEN, REDIS_URL
from tests.support import ROOT, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

RASA_START_TIMEOUT_S = 300
TURN_TIMEOUT_S = 60


@dataclass
class Cluster:
    hub_url: str
    replicas: dict[str, Managed]  # Rasa URL -> its process
    logs: Path
    restarts: list[float] = field(default_factory=list)  # seconds each restart took

    def alive(self) -> list[str]:
        return [url for url, managed in self.replicas.items() if managed.alive()]

    def all_alive(self) -> list[str]:
        """Both replicas up: restarts a dead one (only when a test runs out of the module's order)."""
        for url in self.replicas:
            if not self.replicas[url].alive():
                self.restart(url)
        return list(self.replicas)

    def kill(self, url: str) -> None:
        """kill -9 the replica (its whole process group), as a crash or the OOM killer would."""
        managed = self.replicas[url]
        assert managed.process is not None and managed.alive()
        os.killpg(managed.process.pid, signal.SIGKILL)
        managed.process.wait(timeout=10)
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"{url}/status", timeout=2)

    def restart(self, url: str) -> None:
        managed = self.replicas[url]
        started = time.monotonic()
        managed.start()
        _wait_healthy(managed, RASA_START_TIMEOUT_S)
        self.restarts.append(time.monotonic() - started)


def _wait_healthy(managed: Managed, timeout: float) -> None:
    try:
        managed.wait_healthy(timeout)
    except StartupError as exc:
        log = managed.log_path.read_text(errors="replace")[-4000:] if managed.log_path else ""
        pytest.fail(f"{exc}\n{log}")


def _require_redis() -> None:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"the Redis lock store needs Redis at {REDIS_URL}: {exc}")
    finally:
        client.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if not (ROOT / ".venv-rasa" / "bin" / "rasa").exists():
        pytest.fail(f"{ROOT / '.venv-rasa'} is missing: run `make setup` (make test does) first")
    _require_redis()
    work = tmp_path_factory.mktemp("dialogue")
    hub_port = free_port()
    rasa_urls = [f"http://127.0.0.1:{free_port()}" for _ in range(2)]
    env = {
        "LOBBY_HUB__PORT": str(hub_port),
        "LOBBY_HUB__PUBLIC_URL": f"http://127.0.0.1:{hub_port}",
        "LOBBY_HUB__DATABASE": f"sqlite:///{work / 'hub.db'}",
        "LOBBY_DIALOGUE__RASA_URLS": json.dumps(rasa_urls),
        "LOBBY_DIALOGUE__ACTIONS_PORT": str(free_port()),
        "LOBBY_DIALOGUE__LOCK_STORE": REDIS_URL,
        # Open round the clock with 5-minute slots: a slot is free whenever the test runs.
        **ALWAYS_OPEN,
        "LOBBY_APPOINTMENTS__SLOT_MINUTES": "5",
        "LOBBY_APPOINTMENTS__BLACKOUT_DATES": "[]",
    }
    settings = load_settings(ROOT / "branch.yml", environ=env)
    # The processes `lobby dialogue` starts for this configuration: the action server and both replicas.
    cli = argparse.Namespace(model_cache=str(DEFAULT_MODEL_CACHE), no_model_cache=False, port=None)
    dialogue = _dialogue_processes(settings, cli)
    hub_command = [sys.executable, "-m", "assistant", "serve", "--config", str(ROOT / "branch.yml")]
    hub = Managed("hub", hub_command, f"http://127.0.0.1:{hub_port}/healthz", ROOT, env=env)
    processes = [hub, *dialogue]
    for managed in processes:
        managed.log_path = work / f"{managed.name.replace(' ', '-').replace(':', '')}.log"
        managed.start()
    try:
        for managed in processes:
            _wait_healthy(managed, RASA_START_TIMEOUT_S)
        replicas = {url: next(m for m in dialogue if m.name == f"rasa :{url.rsplit(':', 1)[1]}") for url in rasa_urls}
        yield Cluster(f"http://127.0.0.1:{hub_port}", replicas, work)
    finally:
        for managed in reversed(processes):
            if managed.name.startswith("rasa") and managed.alive() and managed.process is not None:
                os.killpg(managed.process.pid, signal.SIGKILL)  # nothing to save: spares Rasa's ~8 s shutdown
                managed.process.wait(timeout=10)
            managed.stop()


def _hub_chat(cluster: Cluster, token: str, message: str) -> dict[str, Any]:
    body = {"message": message, "channel": "mobile", "lang": "en"}
    headers = {"X-Customer-Token": token}  # the bank app's customer token names the conversation
    response = httpx.post(f"{cluster.hub_url}/api/v1/chat", json=body, headers=headers, timeout=TURN_TIMEOUT_S)
    assert response.status_code == 200, response.text
    reply: dict[str, Any] = response.json()
    assert not reply.get("degraded"), reply  # Rasa answered, not the hub's touch menu
    return reply


def _rasa_chat(rasa_url: str, sender: str, message: str) -> list[dict[str, Any]]:
    """One turn straight to a replica's REST channel, as the hub's gateway sends it."""
    turn = prepare_turn(message, hint="en")
    body = {"sender": sender, "message": turn.message, "metadata": {"channel": "mobile", "lang": turn.lang}}
    response = httpx.post(f"{rasa_url}/webhooks/rest/webhook", json=body, timeout=TURN_TIMEOUT_S)
    assert response.status_code == 200, response.text
    messages: list[dict[str, Any]] = response.json()
    return messages


def _buttons(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [button for message in messages for button in message.get("buttons") or ()]


def _texts(messages: list[dict[str, Any]]) -> str:
    return " ".join(str(message.get("text") or "") for message in messages)


def _user_texts(rasa_url: str, sender: str) -> list[str]:
    tracker = httpx.get(f"{rasa_url}/conversations/{sender}/tracker", timeout=10).json()
    return [str(event.get("text")) for event in tracker["events"] if event["event"] == "user"]


def _booked(cluster: Cluster, appointment: dict[str, Any]) -> None:
    stored = httpx.get(f"{cluster.hub_url}/api/v1/appointments/{appointment['code']}", timeout=10).json()
    assert stored["status"] == "booked" and stored["starts_at"] == appointment["starts_at"], stored


def test_concurrent_turns_of_one_conversation_on_two_replicas_are_all_kept(cluster: Cluster) -> None:
    """The Redis lock store serialises them; with a lock in each replica's memory both would read the same
    tracker and the later save would keep only one turn."""
    alive = cluster.all_alive()
    sender = f"mobile:persist-lock-{uuid.uuid4().hex}"
    _rasa_chat(alive[0], sender, "hello")
    messages = ["what are your opening hours", "where are you", "do you have step free access", "thank you"]
    with ThreadPoolExecutor(len(messages)) as pool:
        turns = [(alive[index % 2], sender, message) for index, message in enumerate(messages)]
        replies = list(pool.map(lambda turn: _rasa_chat(*turn), turns))
    assert all(replies), replies
    for url in alive:  # every turn is there, seen from either replica
        assert sorted(_user_texts(url, sender)) == sorted(["hello", *messages])


def test_a_booking_moves_to_the_other_replica_when_its_own_is_killed(cluster: Cluster) -> None:
    token = f"persist-replica-{uuid.uuid4().hex}"
    sticky, other = replica_order(f"mobile:{customer_key(token)}", list(cluster.replicas))
    cluster.all_alive()

    asked = _hub_chat(cluster, token, "i'd like to book an appointment")
    assert {"/mortgage", "/apply_loan"} & {b["payload"] for b in _buttons(asked["messages"])}, asked
    days = _hub_chat(cluster, token, "a mortgage")
    day_buttons = _buttons(days["messages"])
    assert day_buttons and day_buttons[0]["payload"].startswith('/inform{"date":'), days
    times = _hub_chat(cluster, token, day_buttons[0]["payload"])  # service and day given; the time asked
    time_buttons = _buttons(times["messages"])
    assert time_buttons, times

    cluster.kill(sticky)  # the replica that held the conversation so far
    confirm = _hub_chat(cluster, token, time_buttons[0]["payload"])  # lands on the other replica
    assert "Shall I book Loans and mortgages" in confirm["messages"][-1]["text"], confirm
    booked = _hub_chat(cluster, token, "yes")
    assert "appointment" in booked, booked
    _booked(cluster, booked["appointment"])
    # The surviving replica holds the whole conversation, the turns its dead peer answered included.
    assert "a mortgage" in _user_texts(other, f"mobile:{customer_key(token)}")


def test_a_half_done_booking_goes_on_after_rasa_is_killed_and_restarted(cluster: Cluster) -> None:
    rasa = cluster.alive()[0]
    sender = f"mobile:persist-restart-{uuid.uuid4().hex}"
    asked = _rasa_chat(rasa, sender, "i'd like to book an appointment")
    assert {"/mortgage", "/apply_loan"} & {b["payload"] for b in _buttons(asked)}, asked
    days = _rasa_chat(rasa, sender, "a mortgage")
    day_buttons = _buttons(days)
    assert day_buttons, days
    times = _rasa_chat(rasa, sender, day_buttons[0]["payload"])
    time_buttons = _buttons(times)
    assert time_buttons, times

    cluster.kill(rasa)
    cluster.restart(rasa)  # the same command: the same endpoints file, the same tracker store
    confirm = _rasa_chat(rasa, sender, time_buttons[0]["payload"])
    assert "Shall I book Loans and mortgages" in _texts(confirm), confirm
    booked = _rasa_chat(rasa, sender, "yes")
    appointment = next((m["custom"]["appointment"] for m in booked if "appointment" in (m.get("custom") or {})), None)
    assert appointment is not None, booked
    _booked(cluster, appointment)
    print(f"restarts took {', '.join(f'{s:.1f} s' for s in cluster.restarts)}")
