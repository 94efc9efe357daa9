"""Real hub processes for the tests, forked from a zygote that has the hub imported (tests/hub_zygote.py).

Each `HubLauncher.start` gives a new `python -m lobby serve` process of its own (own process
group, database, environment and log), as `lobby.supervisor.Managed` would, without paying the
hub's imports again: about 1.5 s of CPU a hub on the CI machine. The health check polls every 50 ms.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support import ROOT

# What `lobby serve` imports (a module that is not there any more only costs start time).
PRELOAD = ("lobby.cli", "assistant.web.app", "assistant.services.backup", "announcer.service")
HUB_MODULE = "lobby"  # `python -m lobby serve ...`
POLL_SECONDS = 0.05


class HubStartError(RuntimeError):
    """The hub exited or did not answer its health check in time (the message ends with its log)."""


@dataclass
class HubProcess:
    """One forked hub: its process group is its pid (it called setsid)."""

    name: str
    pid: int
    url: str
    log_path: Path

    def alive(self) -> bool:
        """The hub's process group, or the hub itself: just forked, it may not have called setsid yet
        (its group does not exist for a moment under load)."""
        for probe in (os.killpg, os.kill):
            try:
                probe(self.pid, 0)
            except ProcessLookupError:
                continue
            except PermissionError:
                return True
            return True
        return False

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return "(no log)"

    def wait_healthy(self, timeout: float = 60) -> float:
        """Poll /healthz until it answers 2xx while the process lives; seconds waited."""
        started = time.monotonic()
        deadline = started + timeout
        with httpx.Client(timeout=2) as client:
            while time.monotonic() < deadline:
                if not self.alive():
                    raise HubStartError(f"{self.name} exited before it was healthy:\n{self.log_tail()}")
                try:
                    if client.get(f"{self.url}/healthz").is_success:
                        return time.monotonic() - started
                except httpx.HTTPError:
                    pass
                time.sleep(POLL_SECONDS)
        raise HubStartError(f"{self.name} not healthy at {self.url} after {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self, grace: float = 10) -> bool:
        """SIGTERM to its process group, SIGKILL to what is left after `grace` seconds; True if it
        stopped on SIGTERM alone."""
        self._signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        if not self.alive():
            return True
        self._signal(signal.SIGKILL)
        while self.alive() and time.monotonic() < deadline + 5:
            time.sleep(0.02)
        return False

    def _signal(self, signum: int) -> None:
        try:
            os.killpg(self.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass


class HubLauncher:
    """The zygote process and the hubs it forked; `close` stops them all."""

    def __init__(self, log_path: Path) -> None:
        self._lock = threading.Lock()
        self._stderr = log_path.open("ab")
        self._zygote = subprocess.Popen(
            [sys.executable, "-m", "tests.hub_zygote", *PRELOAD],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            start_new_session=True,
        )
        self.started: list[HubProcess] = []

    def start(
        self, args: Sequence[str], port: int, log_path: Path, env: Mapping[str, str] | None = None, name: str = "hub"
    ) -> HubProcess:
        """Fork `python -m lobby ARGS` (which must listen on `port`) with os.environ + `env`."""
        request = {
            "module": HUB_MODULE,
            "args": list(args),
            "env": {**os.environ, **(env or {})},
            "cwd": str(ROOT),
            "log": str(log_path),
        }
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            assert self._zygote.stdin is not None and self._zygote.stdout is not None
            if self._zygote.poll() is not None:
                raise HubStartError(f"the hub zygote exited ({self._zygote.returncode}); see {self._stderr.name}")
            self._zygote.stdin.write(json.dumps(request).encode() + b"\n")
            self._zygote.stdin.flush()
            reply = self._zygote.stdout.readline()
        if not reply:
            raise HubStartError(f"the hub zygote did not answer; see {self._stderr.name}")
        hub = HubProcess(name, int(json.loads(reply)["pid"]), f"http://127.0.0.1:{port}", log_path)
        self.started.append(hub)
        return hub

    def close(self) -> None:
        for hub in reversed(self.started):
            hub.stop()
        if self._zygote.stdin is not None:
            self._zygote.stdin.close()
        try:
            self._zygote.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._zygote.kill()
            self._zygote.wait(timeout=5)
        if self._zygote.stdout is not None:
            self._zygote.stdout.close()
        self._stderr.close()
