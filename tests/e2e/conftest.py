"""The whole branch as `make run` starts it: `lobby up` on free ports, real processes on 127.0.0.1.

Started once per test session (Rasa needs ~90 s to load); every wait has a timeout;
the teardown stops it with SIGINT, as Ctrl-C would, and checks that everything stopped.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from lobby.supervisor import StartupError, wait_for_urls
from tests.conftest import ALWAYS_OPEN, REDIS_URL, make_token
from tests.support import ROOT, free_port

STARTUP_TIMEOUT_S = 480


@dataclass(frozen=True)
class Branch:
    hub_url: str
    rasa_url: str
    actions_url: str
    logs: Path
    up_output: Path
    staff_token: str
    database: str = ""  # the hub's (Rasa's conversations are in a file beside it)


def _wait_ready(process: subprocess.Popen[bytes], urls: list[str], output: Path) -> None:
    try:
        wait_for_urls(process, urls, STARTUP_TIMEOUT_S)
    except StartupError as exc:
        pytest.fail(f"lobby up: {exc}\n{output.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def branch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Branch]:
    if not (ROOT / ".venv-rasa" / "bin" / "rasa").exists():
        pytest.fail(f"{ROOT / '.venv-rasa'} is missing: run `make setup` (make test does) first")
    work = tmp_path_factory.mktemp("branch")
    hub_port, rasa_port, actions_port = free_port(), free_port(), free_port()
    hub_url = f"http://127.0.0.1:{hub_port}"
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    env = {
        **os.environ,
        "LOBBY_HUB__PORT": str(hub_port),
        "LOBBY_HUB__PUBLIC_URL": hub_url,
        "LOBBY_HUB__DATABASE": f"sqlite:///{work / 'hub.db'}",
        "LOBBY_DIALOGUE__RASA_URL": rasa_url,
        "LOBBY_DIALOGUE__ACTIONS_PORT": str(actions_port),
        # Rasa's conversation locks in Redis: tests/e2e/test_dialogue_persistence.py adds a second replica.
        "LOBBY_DIALOGUE__LOCK_STORE": REDIS_URL,
        # Open around the clock with 5-minute appointment slots: whenever the tests run, a slot
        # starts within minutes, so a booking made now can be checked in now (on time).
        **ALWAYS_OPEN,
        "LOBBY_APPOINTMENTS__SLOT_MINUTES": "5",
        "LOBBY_APPOINTMENTS__BLACKOUT_DATES": "[]",
        # Every customer of these tests is 127.0.0.1 without a token: one address's budget for a whole
        # session of flows. The limits have their own tests (tests/api/test_metrics_and_limits.py).
        "LOBBY_HUB__RATE_LIMIT_PER_MINUTE": "100000",
        "LOBBY_HUB__RATE_LIMIT_BURST": "100000",
    }
    output = work / "up.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "lobby", "up", "--no-kiosk", "--config", str(ROOT / "branch.yml")],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        actions_url = f"http://127.0.0.1:{actions_port}"
        _wait_ready(process, [f"{hub_url}/healthz", f"{actions_url}/health", f"{rasa_url}/status"], output)
        token = make_token(env["LOBBY_HUB__DATABASE"])
        yield Branch(hub_url, rasa_url, actions_url, ROOT / "var" / "log", output, token, env["LOBBY_HUB__DATABASE"])
    finally:
        process.send_signal(signal.SIGINT)  # what Ctrl-C does
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail("lobby up did not stop within 60 s of SIGINT")
        for url in (f"{hub_url}/healthz", f"{rasa_url}/status"):
            with pytest.raises(httpx.HTTPError):
                httpx.get(url, timeout=2)
