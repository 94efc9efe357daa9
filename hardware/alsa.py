"""ALSA device discovery shared by the speaker (aplay) and the microphone (arecord)."""

from __future__ import annotations

import shutil
import subprocess

from hardware.ports import HardwareState, HardwareStatus


def alsa_device_status(name: str, tool: str, direction: str) -> HardwareStatus:
    """Is `tool` (aplay/arecord) installed and does `tool -l` list a card? Bounded to 5 s.

    `direction` ("playback"/"capture") only words the status detail.
    """
    binary = shutil.which(tool)
    if binary is None:
        return HardwareStatus(name, HardwareState.MISSING, f"{tool} not installed")
    try:
        listing = subprocess.run([binary, "-l"], capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return HardwareStatus(name, HardwareState.FAULT, f"{tool} -l failed: {exc}")
    cards = [line for line in listing.stdout.splitlines() if line.startswith("card ")]
    if not cards:
        reason = listing.stderr.strip().splitlines()[-1] if listing.stderr.strip() else f"no {direction} card"
        return HardwareStatus(name, HardwareState.MISSING, f"no {direction} device ({reason})")
    return HardwareStatus(name, HardwareState.READY, cards[0])
