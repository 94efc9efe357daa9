"""`lobby up` and `lobby dialogue` supervise like a service manager (issue 13, items 2 and 3).

Real processes throughout: the hub is a real `lobby serve`; Rasa and the action server are small HTTP
stand-ins (Rasa takes a minute to load), the Rasa one with a child of its own, as servers with workers have.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.supervision.conftest import Run, answers, command_line, descendants, gone, port_free, wait_until
from tests.support import ROOT, free_port

READY = re.compile(r"\bready in\b")  # "hub ready in 0.1 s", the claim a stale listener used to earn
STANDIN = Path(__file__).with_name("standin.py")
FAST_RESTARTS = {
    "LOBBY_SUPERVISION__RESTART_DELAY_SECONDS": "0.25",
    "LOBBY_SUPERVISION__RESTART_MAX_DELAY_SECONDS": "2",
    "LOBBY_SUPERVISION__RESTART_BURST": "3",
    "LOBBY_SUPERVISION__RESTART_INTERVAL_SECONDS": "60",
}


def _assert_all_stopped(run: Run, pids: set[int]) -> None:
    alive = {pid: command_line(pid) for pid in pids if not gone(pid)}
    assert not alive, f"left running after {run.command} exited: {alive}\n{run.text()[-3000:]}"
    held = [name for name, port in run.ports.items() if not port_free(port)]
    assert not held, f"ports still held: {held}"


# SIGTERM to `lobby up` ends the life-cycle test below (a branch already through restarts and a give-up).
@pytest.mark.parametrize(
    ("command", "signum"),
    [
        ("up", signal.SIGINT),
        ("up", signal.SIGHUP),
        *(("dialogue", s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)),
    ],
    ids=lambda value: value if isinstance(value, str) else value.name,
)
def test_a_stop_signal_stops_every_part_frees_the_ports_and_exits_0(start_branch, command, signum) -> None:
    run = start_branch(command)
    pids = run.children()
    # up: hub, its wait projections' process, action server, rasa and rasa's own child; dialogue: the last three.
    assert len(pids) == (5 if command == "up" else 3), {pid: command_line(pid) for pid in pids}

    code = run.stop_with(signum)

    assert code == 0, run.text()[-3000:]
    assert f"{signum.name} received; stopping" in run.text()
    _assert_all_stopped(run, pids)


@pytest.mark.parametrize("command", ["up", "dialogue"])
def test_a_supervisor_killed_outright_takes_its_parts_with_it(start_branch, command) -> None:
    """SIGKILL (the OOM killer, a test run stopped hard) leaves no chance to stop the parts: the kernel sends
    each one SIGTERM when its supervisor dies (setpriv --pdeathsig), so none is left holding a port."""
    run = start_branch(command)
    pids = run.children()
    assert len(pids) == (5 if command == "up" else 3), {pid: command_line(pid) for pid in pids}

    run.process.kill()
    run.process.wait(timeout=10)

    wait_until(lambda: all(gone(pid) for pid in pids), 20, "every part gone")
    held = [name for name, port in run.ports.items() if not port_free(port)]
    assert not held, f"ports still held: {held}"


def test_a_stop_signal_while_a_part_is_still_starting_stops_what_was_started(start_branch) -> None:
    run = start_branch("dialogue", ready=False, slow_rasa=True)  # Rasa's stand-in sleeps before it listens
    run.wait_output("started rasa", timeout=30)
    pids = run.children()
    assert len(pids) == 2, {pid: command_line(pid) for pid in pids}  # the action server and the slow Rasa

    code = run.stop_with(signal.SIGTERM)

    assert code == 0, run.text()[-3000:]
    assert "rasa ready" not in run.text()
    _assert_all_stopped(run, pids)


class HubWatch:
    """Asks the hub's /healthz every 50 ms in a thread; counts answers and failures."""

    def __init__(self, url: str) -> None:
        self.url, self.ok, self.failures = url, 0, []  # type: ignore[var-annotated]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="hub-watch", daemon=True)

    def __enter__(self) -> HubWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _watch(self) -> None:
        with httpx.Client(timeout=2) as client:
            while not self._stop.is_set():
                try:
                    status = client.get(self.url).status_code
                    self.ok += status == 200
                    if status != 200:
                        self.failures.append(status)
                except httpx.HTTPError as exc:
                    self.failures.append(repr(exc))
                self._stop.wait(0.05)


def _kill_rasa_and_wait_back(run: Run) -> tuple[int, float]:
    """kill -9 the Rasa stand-in; returns (its new pid, seconds until it answered again)."""
    old = run.pid_of(f"--port {run.ports['rasa']}")
    grandchild = next(pid for pid in run.children() if "sleep(600)" in command_line(pid))
    killed = time.monotonic()
    subprocess.run(["kill", "-9", str(old)], check=True)
    wait_until(lambda: gone(old), 5, "the killed Rasa stand-in gone")

    def back() -> bool:
        pids = [pid for pid in run.children() if f"--port {run.ports['rasa']}" in command_line(pid)]
        return bool(pids) and pids[0] != old and answers(run.urls["rasa"])

    wait_until(back, 20, f"rasa restarted:\n{run.text()[-3000:]}", interval=0.02)
    took = time.monotonic() - killed
    new = run.pid_of(f"--port {run.ports['rasa']}")
    run.wait_output(f"rasa is back (pid {new})", timeout=5)  # the supervisor saw it healthy again
    assert gone(grandchild), "the dead Rasa's own child was left running"
    return new, took


def test_lobby_up_restarts_a_killed_part_gives_up_on_a_crashing_one_keeps_the_hub_and_stops_on_sigterm(
    start_branch,
) -> None:
    run = start_branch("up", env=FAST_RESTARTS)
    hub = run.pid_of("-m lobby serve")

    with HubWatch(run.urls["hub"]) as watch:
        # kill -9 of Rasa, twice: restarted each time, the second time after twice the delay.
        first, first_s = _kill_rasa_and_wait_back(run)
        second, second_s = _kill_rasa_and_wait_back(run)
        log = run.text()
        assert "rasa (pid" in log and "died: killed by SIGKILL; restarting it in 0.25 s" in log, log[-3000:]
        assert "restarting it in 0.5 s" in log, log[-3000:]
        assert 0.25 <= first_s < 5 and 0.5 <= second_s < 5 and first != second, (first_s, second_s)

        # Then it crashes at every start: the third restart within the minute (after 1 s) is its last (burst 3),
        # and it is given up, loudly.
        (run.work / "crash-rasa").touch()
        subprocess.run(["kill", "-9", str(second)], check=True)
        run.wait_output("GIVING UP on rasa", timeout=20)

    assert watch.failures == [] and watch.ok > 20, (watch.failures, watch.ok)  # the hub answered throughout
    assert not gone(hub) and run.pid_of("-m lobby serve") == hub, "the hub was restarted or stopped"
    log = run.text()
    assert "restarting it in 1 s (restart 3 of at most 3 in 60 s" in log, log[-3000:]
    assert "died: exit code 3, after 3 restarts in 60 s; the rest keeps running without it" in log, log[-3000:]
    assert run.process.poll() is None, "lobby up stopped because Rasa was given up"
    assert answers(run.urls["actions"]) and not answers(run.urls["rasa"])
    walk_in = {"service": "cash", "channel": "kiosk", "lang": "en"}
    ticket = httpx.post(f"http://127.0.0.1:{run.ports['hub']}/api/v1/tickets", json=walk_in, timeout=10)
    assert ticket.status_code == 201, ticket.text  # the branch still issues tickets

    pids = run.children() | run.seen
    assert run.stop_with(signal.SIGTERM) == 0, run.text()[-3000:]
    assert "SIGTERM received; stopping" in run.text()
    _assert_all_stopped(run, pids)


def test_lobby_dialogue_gives_up_and_exits_1_when_a_part_keeps_crashing(start_branch) -> None:
    run = start_branch("dialogue", env=FAST_RESTARTS)
    pids = run.children()
    (run.work / "crash-rasa").touch()
    subprocess.run(["kill", "-9", str(run.pid_of(f"--port {run.ports['rasa']}"))], check=True)

    try:
        code = run.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail(f"lobby dialogue did not give up:\n{run.text()[-3000:]}")

    assert code == 1, run.text()[-3000:]  # for its service manager to restart it (Restart=on-failure)
    assert "GIVING UP on rasa" in run.text()
    _assert_all_stopped(run, pids | run.seen)


def _stale_listener(port: int, tmp_path: Path) -> subprocess.Popen[bytes]:
    """An orphan from an 'earlier run': a server answering every health check on `port`."""
    stale = subprocess.Popen([sys.executable, str(STANDIN), "--port", str(port)], stdout=subprocess.DEVNULL,
                             start_new_session=True)  # fmt: skip
    wait_until(lambda: answers(f"http://127.0.0.1:{port}/healthz"), 10, "the stale listener up")
    return stale


def test_lobby_up_names_a_stale_process_on_the_hub_port_and_does_not_claim_readiness(tmp_path: Path) -> None:
    hub_port = free_port()
    stale = _stale_listener(hub_port, tmp_path)
    env = {
        "LOBBY_HUB__PORT": str(hub_port),
        "LOBBY_HUB__DATABASE": f"sqlite:///{tmp_path / 'hub.db'}",
        "LOBBY_DIALOGUE__RASA_URL": f"http://127.0.0.1:{free_port()}",
        "LOBBY_DIALOGUE__ACTIONS_PORT": str(free_port()),
    }
    output = tmp_path / "up.log"
    try:
        with output.open("wb") as sink:  # the real `lobby up`: it must stop before it gets anywhere near Rasa
            up = subprocess.Popen(
                [sys.executable, "-m", "lobby", "up", "--no-kiosk", "--config", str(ROOT / "branch.yml")],
                cwd=ROOT, env={**os.environ, **env}, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        try:
            wait_until(
                lambda: up.poll() is not None or bool(READY.search(output.read_text())), 30, "lobby up to give up"
            )
            text = output.read_text()
            assert not READY.search(text), f"lobby up took the stale process for its hub:\n{text}"
            assert up.wait(timeout=10) != 0
        finally:
            if up.poll() is None:  # it went on as if the hub were up: stop it and all it started
                leftovers = descendants(up.pid)
                os.killpg(up.pid, signal.SIGKILL)
                for pid in leftovers:
                    if not gone(pid):
                        os.kill(pid, signal.SIGKILL)
                up.wait(timeout=10)
        assert f"port {hub_port} is already in use by pid {stale.pid}" in text, text
        assert str(STANDIN) in text, "the stale process's command line is not named"
        assert stale.poll() is None, "the stale process is not ours to stop"
    finally:
        stale.kill()
        stale.wait(timeout=10)


def test_lobby_dialogue_names_a_stale_process_on_the_action_server_port(start_branch, tmp_path: Path) -> None:
    with socket.socket() as orphan:  # this test process plays the orphan
        orphan.bind(("127.0.0.1", 0))
        orphan.listen()
        port = orphan.getsockname()[1]
        run = start_branch("dialogue", ready=False, env={"LOBBY_DIALOGUE__ACTIONS_PORT": str(port)})
        code = run.process.wait(timeout=30)
    assert code == 1, run.text()
    assert f"cannot start action server: port {port} is already in use by pid {os.getpid()} (" in run.text()
    assert not READY.search(run.text())
