"""`lobby kiosk` as a real X11 window on a bare X server (Xvfb, no window manager), portrait and landscape.

Kiosk sessions usually run an X server with no window manager, where `showFullScreen()` is not
honoured: the window must take the screen's geometry itself. The real command starts against an
unreachable hub (touch only) with no hardware, and `xwininfo` (what the X server says, not Qt)
must show its window covering the screen exactly. Needs the Debian packages xvfb and x11-utils
(scripts/setup.sh installs them).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.xvfb import start_xvfb
from tests.support import ROOT

START_TIMEOUT_S = 30
GEOMETRY = re.compile(r'"Lobby[^"]*":.*?\s(\d+)x(\d+)\+(-?\d+)\+(-?\d+)')


def kiosk_geometry(display: str, process: subprocess.Popen[str]) -> tuple[int, int, int, int]:
    """The kiosk's top-level window as the X server has it (width, height, x, y), once it stopped changing."""
    assert shutil.which("xwininfo"), "xwininfo is missing: apt-get install x11-utils (scripts/setup.sh does)"
    deadline = time.monotonic() + START_TIMEOUT_S
    previous = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"lobby kiosk exited with {process.returncode}")
        tree = subprocess.run(
            ["xwininfo", "-root", "-tree", "-display", display], capture_output=True, text=True, timeout=10
        ).stdout
        found = GEOMETRY.search(tree)
        current = tuple(int(value) for value in found.groups()) if found else None
        if current is not None and current == previous:
            return current  # type: ignore[return-value]
        previous = current
        time.sleep(0.3)
    raise AssertionError(f"no settled kiosk window on {display} after {START_TIMEOUT_S} s (last {previous})")


@pytest.fixture
def run_kiosk_on(tmp_path: Path, unused_port: int) -> Iterator[object]:
    started: list[subprocess.Popen[object]] = []

    def run(width: int, height: int) -> tuple[tuple[int, int, int, int], str]:
        server, display = start_xvfb(width, height)
        started.append(server)  # type: ignore[arg-type]
        env = {key: value for key, value in os.environ.items() if key not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
        env.update(
            DISPLAY=display,
            LOBBY_HARDWARE__PRINTER="none:",
            LOBBY_HARDWARE__SPEAKER="none:",
            LOBBY_HARDWARE__MICROPHONE="none:",
        )
        log = tmp_path / f"kiosk-{width}x{height}.log"
        with log.open("w") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "lobby", "kiosk", "--config", str(ROOT / "branch.yml"),
                 "--hub-url", f"http://127.0.0.1:{unused_port}"],
                env=env, stdout=sink, stderr=subprocess.STDOUT, text=True, cwd=tmp_path,
            )  # fmt: skip
            started.append(process)  # type: ignore[arg-type]
            deadline = time.monotonic() + START_TIMEOUT_S
            while "layout" not in log.read_text() and time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.1)
            time.sleep(0.5)  # mapped and configured by the X server
            return kiosk_geometry(display, process), log.read_text()

    yield run
    for process in reversed(started):
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.mark.parametrize(("width", "height", "layout"), [(1080, 1920, "1080x1920"), (1280, 800, "1280x800")])
def test_the_kiosk_covers_a_bare_x_screen_exactly(run_kiosk_on: object, width: int, height: int, layout: str) -> None:
    geometry, log = run_kiosk_on(width, height)  # type: ignore[operator]
    assert geometry == (width, height, 0, 0), log
    assert f"layout {layout} at {width}x{height}" in log
    assert "platform xcb" in log
