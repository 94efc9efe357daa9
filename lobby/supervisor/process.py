"""One supervised child process: started in its own process group, health-checked, stopped with a grace period."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx

from lobby.listeners import listeners

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "0.0.0.0")


class StartupError(Exception):
    pass


def dies_with_this_process(command: Sequence[str]) -> list[str]:
    """`command`, to be sent SIGTERM by the kernel if this process dies first (`setpriv --pdeathsig`, Linux).

    A supervisor killed outright (SIGKILL, the OOM killer, a test run stopped hard) cannot stop its
    children: they lived on, holding the branch's ports, and the next start failed with "port in use".
    The kernel ties the signal to the thread that starts the child, so only children started from the
    main thread (which lives as long as the process) get it; elsewhere, or without setpriv, as it was."""
    setpriv = shutil.which("setpriv")
    if setpriv is None or threading.current_thread() is not threading.main_thread():
        return list(command)
    return [setpriv, "--pdeathsig", "TERM", "--", *command]


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
                dies_with_this_process(self.command),
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
