"""Start the branch's processes, wait until each is healthy, stop them all cleanly."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

log = logging.getLogger(__name__)


class StartupError(Exception):
    pass


@dataclass
class Managed:
    name: str
    command: Sequence[str]
    health_url: str | None
    cwd: Path
    env: Mapping[str, str] = field(default_factory=dict)
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        output = None
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            output = self.log_path.open("ab")
        self.process = subprocess.Popen(
            list(self.command),
            cwd=self.cwd,
            env={**os.environ, **self.env},
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            start_new_session=True,  # its own process group: stop() reaches its children
        )
        log.info("started %s (pid %d)", self.name, self.process.pid)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_healthy(self, timeout: float) -> float:
        """Poll the health URL until it answers 2xx; returns seconds waited."""
        started = time.monotonic()
        deadline = started + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                code = self.process.returncode if self.process else None
                raise StartupError(f"{self.name} exited with code {code}; see {self.log_path or 'its output'}")
            if self.health_url is None:
                return time.monotonic() - started
            try:
                if httpx.get(self.health_url, timeout=2).is_success:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise StartupError(f"{self.name} not healthy at {self.health_url} after {timeout:.0f} s")

    def stop(self, grace: float = 10) -> None:
        if not self.alive() or self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop in %.0f s; killing it", self.name, grace)
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass
        log.info("stopped %s", self.name)


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


class Supervisor:
    def __init__(self) -> None:
        self.processes: list[Managed] = []

    def start(self, managed: Managed, timeout: float) -> float:
        self.processes.append(managed)
        managed.start()
        return managed.wait_healthy(timeout)

    def wait(self) -> str | None:
        """Block until a process dies (returns its name) or Ctrl-C (returns None)."""
        try:
            while True:
                for managed in self.processes:
                    if not managed.alive():
                        return managed.name
                time.sleep(1)
        except KeyboardInterrupt:
            return None

    def stop_all(self) -> None:
        for managed in reversed(self.processes):
            managed.stop()
