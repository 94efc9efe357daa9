"""`lobby devices` as a real process: a status file on disk, a real hub, each change told to the hub."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.conftest import make_token
from tests.support import ROOT


def hub_devices(hub: str) -> dict[str, str]:
    response = httpx.get(f"{hub}/api/v1/devices", timeout=10).raise_for_status()
    return {device["id"]: device["state"] for device in response.json()["devices"]}


def wait_until(check: Callable[[], bool], seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} not seen within {seconds} s; lobby devices said:\n{log.read_text()[-2000:]}")


def test_lobby_devices_tells_the_hub_each_change_of_the_status_file(hub_server: str, tmp_path: Path) -> None:
    device = next(iter(hub_devices(hub_server)))  # a device of the demo branch
    status = tmp_path / "devices.yml"
    status.write_text(f"devices:\n  {device}: {{state: out_of_service, detail: out of cash}}\n", encoding="utf-8")
    token = make_token(f"sqlite:///{tmp_path / 'hub.db'}", "device")
    log = tmp_path / "devices.log"
    command = [sys.executable, "-m", "lobby", "devices", "--config", str(ROOT / "branch.yml")]
    command += ["--source", f"file://{status}", "--hub-url", hub_server, "--token", token, "--interval", "0.2"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: hub_devices(hub_server)[device] == "out_of_service", 30, "out_of_service", log)
        status.write_text(f"devices:\n  {device}: online\n", encoding="utf-8")
        wait_until(lambda: hub_devices(hub_server)[device] == "online", 30, "online again", log)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_lobby_devices_refuses_to_run_without_a_source_or_a_token(tmp_path: Path) -> None:
    base = [sys.executable, "-m", "lobby", "devices", "--config", str(ROOT / "branch.yml")]
    no_source = subprocess.run([*base, "--token", "x"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert no_source.returncode == 2 and "no status document" in no_source.stderr
    no_token = subprocess.run(
        [*base, "--source", "file:///x.yml"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert no_token.returncode == 2 and "needs a device token" in no_token.stderr
    bad = subprocess.run(
        [*base, "--source", "ftp://x", "--token", "t"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 2 and "lobby devices:" in bad.stderr
