"""Start the branch's processes, keep them running as a service manager would, stop them all cleanly.

* A stop signal — SIGTERM (systemd, docker, `kill`), SIGINT (Ctrl-C), SIGHUP (the terminal closed) — is raised
  as `Shutdown` wherever the supervisor waits (a health check, a model training, a sleep), so the `finally`
  of `Supervisor.run` stops every child's whole process group and the command exits 0.
* A child that dies is restarted after a delay that doubles with each recent restart, up to a cap; after
  `burst` restarts within `interval` seconds the supervisor gives up on it, loudly (systemd's RestartSec,
  StartLimitBurst and StartLimitIntervalSec). The others keep serving: the hub is never stopped because Rasa
  or the action server died — a branch keeps issuing tickets, and its chat falls back to a touch menu.
  Only an *essential* child given up on ends the supervisor (exit 1, for systemd to restart the unit).
* Before a child starts, its port must be free; a process already listening there (an orphan of an earlier
  run) is named — pid and command line — instead of its health check being taken for our child's. When the
  health check answers, the listener must be in our child's process group (lobby.listeners).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import FrameType
from urllib.parse import urlparse

import httpx

from lobby.listeners import listeners

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "0.0.0.0")


class StartupError(Exception):
    pass


class Shutdown(BaseException):
    """A stop signal. A BaseException, like KeyboardInterrupt, so that no `except Exception` swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclass
class Managed:
    name: str
    command: Sequence[str]
    health_url: str | None
    cwd: Path
    env: Mapping[str, str] = field(default_factory=dict)
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    def port(self) -> int | None:
        """The local port its health check reaches (the one it listens on), if any."""
        if self.health_url is None:
            return None
        url = urlparse(self.health_url)
        return url.port if url.hostname in LOCAL_HOSTS else None

    def check_port_free(self) -> None:
        port = self.port()
        held = listeners(port) if port is not None else []
        if held:
            owners = "; ".join(listener.describe() for listener in held)
            raise StartupError(
                f"cannot start {self.name}: port {port} is already in use by {owners}. "
                "Left over from an earlier run? Stop it, then start again."
            )

    def start(self) -> None:
        self.check_port_free()
        output = None
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            output = self.log_path.open("ab")
        try:
            self.process = subprocess.Popen(
                list(self.command),
                cwd=self.cwd,
                env={**os.environ, **self.env},
                stdout=output,
                stderr=subprocess.STDOUT if output else None,
                start_new_session=True,  # its own process group: stopping it reaches its children
            )
        finally:
            if output is not None:
                output.close()  # the child has its own copy
        log.info("started %s (pid %d)", self.name, self.process.pid)

    def exited(self) -> bool:
        """Whether it has ended; if so, what is left of its process group is killed before it is reaped.

        It is checked without reaping (waitid WNOWAIT) so its pid, and with it the group id, cannot be
        reused by an unrelated process while the leftovers (workers, grandchildren holding its port) die.
        """
        process = self.process
        if process is None or process.returncode is not None:
            return True
        try:
            ended = os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        except ChildProcessError:
            ended = process.poll() is not None
        if ended:
            self._signal_group(signal.SIGKILL)
            process.wait(timeout=5)
        return ended

    def alive(self) -> bool:
        return self.process is not None and not self.exited()

    def exit_description(self) -> str:
        code = self.process.returncode if self.process else None
        if code is not None and code < 0:
            return f"killed by {signal.Signals(-code).name}"
        return f"exit code {code}"

    def healthy(self, timeout: float = 2) -> bool:
        """Its health URL answers 2xx, from a listener in its own process group (StartupError if not)."""
        if self.health_url is None:
            return True
        try:
            if not httpx.get(self.health_url, timeout=timeout).is_success:
                return False
        except httpx.HTTPError:
            return False
        port = self.port()
        if port is not None and self.process is not None:
            foreign = [found for found in listeners(port) if found.pid is not None and not self._owns(found.pid)]
            if foreign:
                raise StartupError(
                    f"{self.name}: port {port} answers, but from {foreign[0].describe()}, not from {self.name} "
                    f"(pid {self.process.pid})"
                )
        return True

    def _owns(self, pid: int) -> bool:
        try:
            return self.process is not None and os.getpgid(pid) == self.process.pid
        except ProcessLookupError:
            return True  # gone already: not a competitor

    def wait_healthy(self, timeout: float) -> float:
        """Poll the health URL until it answers 2xx; returns seconds waited."""
        started = time.monotonic()
        deadline = started + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise StartupError(f"{self.name} {self.exit_description()}; see {self.log_path or 'its output'}")
            if self.healthy():
                return time.monotonic() - started
            time.sleep(0.5)
        raise StartupError(f"{self.name} not healthy at {self.health_url} after {timeout:.0f} s")

    def terminate(self) -> None:
        """SIGTERM to its whole process group (it may have children of its own)."""
        if self.process is not None and self.process.returncode is None:
            self._signal_group(signal.SIGTERM)

    def finish(self, deadline: float) -> None:
        """Wait until it has ended or `deadline` (monotonic) passes, then kill what is left and reap it."""
        if self.process is None or self.process.returncode is not None:
            return
        while time.monotonic() < deadline and not self.exited():
            time.sleep(0.05)
        if self.process.returncode is None:
            log.warning("%s did not stop in time; killing it", self.name)
            self._signal_group(signal.SIGKILL)
            self.process.wait(timeout=5)
        log.info("stopped %s (%s)", self.name, self.exit_description())

    def stop(self, grace: float = 10) -> None:
        self.terminate()
        self.finish(time.monotonic() + grace)

    def _signal_group(self, signum: int) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass


def wait_for_urls(process: subprocess.Popen[bytes], urls: Sequence[str], timeout: float) -> float:
    """Wait until each URL answers 2xx, in order, while `process` lives; returns seconds waited."""
    started = time.monotonic()
    pending = list(urls)
    while pending:
        if process.poll() is not None:
            raise StartupError(f"process exited with {process.returncode} before {pending[0]} answered")
        if time.monotonic() - started > timeout:
            raise StartupError(f"not ready after {timeout:.0f} s: {pending}")
        try:
            if httpx.get(pending[0], timeout=2).is_success:
                pending.pop(0)
                continue
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return time.monotonic() - started


@dataclass(frozen=True, slots=True)
class RestartPolicy:
    """Restart after `delay` seconds, doubled per restart within `interval`, at most `max_delay`; give up
    after `burst` restarts within `interval` (a child stable for `interval` seconds starts afresh)."""

    delay: float = 1.0
    max_delay: float = 30.0
    burst: int = 5
    interval: float = 300.0

    def next_delay(self, recent_restarts: int) -> float:
        return float(min(self.delay * 2**recent_restarts, self.max_delay))


class State(StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    WAITING = "waiting to restart"
    GIVEN_UP = "given up"


@dataclass(eq=False)
class _Child:
    managed: Managed
    essential: bool
    timeout: float  # seconds to become healthy, at the first start and at every restart
    since: float
    state: State = State.STARTING
    restart_at: float = 0.0
    proven: bool = False  # healthy once: before that, a failure is a startup error, not a restart
    restarts: deque[float] = field(default_factory=deque)


class Supervisor:
    def __init__(self, policy: RestartPolicy | None = None, poll: float = 0.25) -> None:
        self.policy = policy or RestartPolicy()
        self.poll = poll
        self._children: list[_Child] = []
        self._stopping = False
        self._signalled = False
        self._deferring = 0
        self._pending: int | None = None

    def run(self, startup: Callable[[], None]) -> int:
        """Start (`startup` calls `start`), supervise, stop; 0 after a stop signal, 1 on failure."""
        with self._stop_signals():
            try:
                return self._run(startup)
            except Shutdown as stop:  # arrived while an error was being handled
                log.info("%s received; stopping", stop)
                return 0
            finally:
                self.stop_all()

    def _run(self, startup: Callable[[], None]) -> int:
        try:
            startup()
            return self.serve()
        except Shutdown as stop:
            log.info("%s received; stopping", stop)
            return 0
        except StartupError as exc:
            log.error("%s", exc)
            return 1

    def start(self, managed: Managed, timeout: float, essential: bool = True) -> float:
        """Start `managed` and wait until it is healthy (the others stay supervised meanwhile)."""
        child = _Child(managed, essential, timeout, since=time.monotonic())
        self._children.append(child)
        with self._signals_deferred():  # a signal now must not leave a child we have no handle on
            managed.start()
        while child.state is State.STARTING:
            self._tick()
            if child.state is State.STARTING:
                time.sleep(self.poll)
        return time.monotonic() - child.since

    def serve(self) -> int:
        """Supervise until a stop signal (raised as Shutdown) or until an essential child is given up (1)."""
        while True:
            self._tick()
            given_up = [child for child in self._children if child.state is State.GIVEN_UP]
            if any(child.essential for child in given_up) or (given_up and len(given_up) == len(self._children)):
                log.error("%s given up; stopping the rest", ", ".join(child.managed.name for child in given_up))
                return 1
            time.sleep(self.poll)

    def stop_all(self, grace: float = 10) -> None:
        """SIGTERM to every child's group at once, newest first; SIGKILL to what is left after `grace`."""
        self._stopping = True
        running = [
            child.managed
            for child in reversed(self._children)
            if child.managed.process is not None and child.managed.process.returncode is None
        ]
        if running:
            log.info("stopping %s", ", ".join(managed.name for managed in running))
        for managed in running:
            managed.terminate()
        deadline = time.monotonic() + grace
        for managed in running:
            managed.finish(deadline)

    def _tick(self) -> None:
        now = time.monotonic()
        for child in self._children:
            if child.state in (State.STARTING, State.RUNNING) and child.managed.exited():
                pid = child.managed.process.pid if child.managed.process else 0
                self._failed(child, f"(pid {pid}) died: {child.managed.exit_description()}")
            elif child.state is State.STARTING:
                self._check_started(child, now)
            elif child.state is State.WAITING and now >= child.restart_at:
                self._restart(child, now)

    def _check_started(self, child: _Child, now: float) -> None:
        managed = child.managed
        try:
            # Generous: a part just restarted under traffic (Rasa loading its model) answers slowly, and a slow
            # answer is still an answer; a 1 s limit once left a serving Rasa "unhealthy" for 22 s (soak).
            healthy = managed.healthy(timeout=5)
        except StartupError as exc:
            managed.stop()
            self._failed(child, str(exc))
            return
        if healthy:
            child.state = State.RUNNING
            if child.proven:
                log.info("%s is back (pid %d), healthy %.1f s after its restart", managed.name,
                         managed.process.pid if managed.process else 0, now - child.since)  # fmt: skip
            child.proven = True
        elif now - child.since > child.timeout:
            managed.stop()
            self._failed(child, f"not healthy at {managed.health_url} after {child.timeout:.0f} s")

    def _failed(self, child: _Child, reason: str) -> None:
        name, where = child.managed.name, child.managed.log_path or "its output"
        if not child.proven:
            raise StartupError(f"{name} {reason}; see {where}")
        now = time.monotonic()
        while child.restarts and now - child.restarts[0] > self.policy.interval:
            child.restarts.popleft()
        if len(child.restarts) >= self.policy.burst:
            child.state = State.GIVEN_UP
            rest = "stopping the rest" if child.essential else "the rest keeps running without it"
            log.error("GIVING UP on %s: %s, after %d restarts in %.0f s; %s (see %s)",
                      name, reason, len(child.restarts), self.policy.interval, rest, where)  # fmt: skip
            return
        delay = self.policy.next_delay(len(child.restarts))
        child.state, child.restart_at = State.WAITING, now + delay
        log.warning("%s %s; restarting it in %g s (restart %d of at most %d in %.0f s; the rest keeps running)",
                    name, reason, delay, len(child.restarts) + 1, self.policy.burst, self.policy.interval)  # fmt: skip

    def _restart(self, child: _Child, now: float) -> None:
        child.restarts.append(now)
        child.since = now
        try:
            with self._signals_deferred():
                child.managed.start()
        except (StartupError, OSError) as exc:
            self._failed(child, f"could not be restarted: {exc}")
            return
        child.state = State.STARTING

    @contextmanager
    def _stop_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            log.warning("not the main thread: stop signals are not handled")
            yield
            return
        previous = {signum: signal.signal(signum, self._on_signal) for signum in STOP_SIGNALS}
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self._stopping or self._signalled:
            log.info("%s received; already stopping", signal.Signals(signum).name)
            return
        self._signalled = True
        if self._deferring:
            self._pending = signum
            return
        raise Shutdown(signum)

    @contextmanager
    def _signals_deferred(self) -> Iterator[None]:
        """A stop signal inside is raised at its end (between Popen and its result, it would orphan a child)."""
        self._deferring += 1
        try:
            yield
        finally:
            self._deferring -= 1
            if not self._deferring and self._pending is not None:
                signum, self._pending = self._pending, None
                raise Shutdown(signum)
