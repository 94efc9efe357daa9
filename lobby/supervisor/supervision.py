"""The supervisor: starts the parts, restarts a dead one with backoff, stops them all on a signal."""

from __future__ import annotations

import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from types import FrameType

from lobby.supervisor.process import STOP_SIGNALS, Managed, Shutdown, StartupError, log


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
