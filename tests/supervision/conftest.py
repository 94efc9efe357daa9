"""Running `lobby up` / `lobby dialogue` as real processes (real hub, stand-ins for Rasa and the actions).

`start_branch("up" | "dialogue", **supervision)` starts tests/supervision/entry.py on free ports with its own
SQLite file and waits (with a timeout) until every part answers and startup has finished. Processes are
inspected through /proc (parent links, states), independently of the code under test. At teardown,
whatever is still running of a run — the supervisor, every process ever seen below it, anything on its
ports — is killed, so a failing test leaves no orphans behind.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.support import ROOT, free_port

READY_TIMEOUT_S = 30


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, None when it does not exist."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1])


def gone(pid: int) -> bool:
    """Ended: no such process, or a zombie nobody has reaped yet (it holds nothing)."""
    stat = _stat(pid)
    return stat is None or stat[0] in ("Z", "X")


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None and stat[0] not in ("Z", "X"):
            children.setdefault(stat[1], []).append(int(entry.name))
    found, pending = set(), [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).is_success
    except httpx.HTTPError:
        return False


def wait_until(condition: Callable[[], bool], timeout: float, what: str, interval: float = 0.05) -> float:
    """Seconds until `condition` held; fails the test after `timeout`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            pytest.fail(f"not within {timeout:.0f} s: {what}")
        time.sleep(interval)
    return time.monotonic() - started


@dataclass
class Run:
    """One `lobby up` or `lobby dialogue` under test."""

    command: str
    process: subprocess.Popen[bytes]
    work: Path
    output: Path
    ports: dict[str, int]
    seen: set[int] = field(default_factory=set)  # every pid ever seen below the supervisor

    @property
    def urls(self) -> dict[str, str]:
        paths = {"hub": "/healthz", "actions": "/health", "rasa": "/status"}
        return {name: f"http://127.0.0.1:{port}{paths[name]}" for name, port in self.ports.items()}

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def children(self) -> set[int]:
        found = descendants(self.process.pid)
        self.seen |= found
        return found

    def pid_of(self, needle: str) -> int:
        """The one process below the supervisor whose command line contains `needle` (not counting a fork of
        it with the same command line: the hub's wait projections' process, `assistant/services/waits/child.py`)."""
        matches = [pid for pid in self.children() if needle in command_line(pid)]
        matches = [pid for pid in matches if (_stat(pid) or ("", 0))[1] not in matches]
        assert len(matches) == 1, f"{needle!r}: {matches} in\n{self.text()[-3000:]}"
        return matches[0]

    def wait_output(self, needle: str, timeout: float) -> float:
        return wait_until(lambda: needle in self.text(), timeout, f"{needle!r} in the output:\n{self.text()[-3000:]}")

    def stop_with(self, signum: int, timeout: float = 20) -> int:
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{self.command} still running {timeout:.0f} s after {signal.Signals(signum).name}")


@pytest.fixture
def start_branch(tmp_path: Path) -> Iterator[Callable[..., Run]]:
    runs: list[Run] = []

    def start(command: str, ready: bool = True, env: dict[str, str] | None = None, slow_rasa: bool = False) -> Run:
        work = tmp_path / f"run-{len(runs)}"
        work.mkdir()
        if slow_rasa:
            (work / "slow-rasa").touch()
        ports = {"actions": free_port(), "rasa": free_port()}
        if command == "up":
            ports = {"hub": free_port(), **ports}
        environ = {
            **os.environ,
            "LOBBY_HUB__PORT": str(ports.get("hub", free_port())),
            "LOBBY_HUB__DATABASE": f"sqlite:///{work / 'hub.db'}",
            "LOBBY_DIALOGUE__RASA_URL": f"http://127.0.0.1:{ports['rasa']}",
            "LOBBY_DIALOGUE__ACTIONS_PORT": str(ports["actions"]),
            **(env or {}),
        }
        argv = [sys.executable, "-m", "tests.supervision.entry", str(work), command]
        argv += ["--config", str(ROOT / "branch.yml"), *(["--no-kiosk"] if command == "up" else [])]
        output = work / "output.log"
        with output.open("wb") as sink:
            process = subprocess.Popen(argv, cwd=ROOT, env=environ, stdout=sink, stderr=subprocess.STDOUT)
        run = Run(command, process, work, output, ports)
        runs.append(run)
        if ready:
            done = "is up in" if command == "up" else "rasa ready in"
            wait_until(lambda: done in run.text() or process.poll() is not None, READY_TIMEOUT_S, f"{command} ready")
            assert process.poll() is None, f"{command} exited {process.returncode}:\n{run.text()[-3000:]}"
            for url in run.urls.values():
                assert answers(url), f"{url} does not answer after startup:\n{run.text()[-3000:]}"
            run.children()
        return run

    try:
        yield start
    finally:
        for run in runs:
            if run.process.poll() is None:
                run.children()
                run.process.kill()
                run.process.wait(timeout=10)
            for pid in run.seen:
                if not gone(pid):
                    os.kill(pid, signal.SIGKILL)
