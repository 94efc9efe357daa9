"""A bare X server (Xvfb, no window manager) of a given size: how kiosk sessions run, for tests and benches."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

START_TIMEOUT_S = 10


def free_display() -> int:
    """An X display number with neither a socket nor a lock file."""
    for number in range(90, 200):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return number
    raise RuntimeError("no free X display number")


def start_xvfb(width: int, height: int) -> tuple[subprocess.Popen[bytes], str]:
    """Start Xvfb at width x height on a free display; returns the process and its DISPLAY (":N")."""
    if shutil.which("Xvfb") is None:
        raise RuntimeError("Xvfb is missing: apt-get install xvfb (scripts/setup.sh does)")
    number = free_display()
    server = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError(f"Xvfb :{number} did not start")
        time.sleep(0.05)
    return server, f":{number}"
