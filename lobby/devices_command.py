"""`lobby devices`: the self-service devices' states, read from their status document, told to the hub.

The DeviceMonitor port (`hardware.device_monitor`, an http(s):// URL or a file:// path) is read every
`hardware.device_status_seconds`; `hardware.device_forwarder` sends each change to the hub with
`PUT /api/v1/devices/{id}/status` and a device token. `lobby up` runs it when `hardware.device_status`
is set, with a fresh token; run by hand it takes `--token` or `hardware.device_status_token`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from lobby.common import settings_from


def cmd_devices(args: argparse.Namespace) -> int:
    from hardware.device_forwarder import run_device_forwarder  # httpx: loaded when the command runs

    settings = settings_from(args)
    hardware = settings.hardware
    source = args.source or hardware.device_status
    token = args.token or hardware.device_status_token
    if not source:
        print("lobby devices: no status document (--source URI or hardware.device_status)", file=sys.stderr)
        return 2
    if not token:
        print("lobby devices: needs a device token (--token or hardware.device_status_token)", file=sys.stderr)
        return 2
    hub_url = args.hub_url or settings.hub.public_url
    try:
        return run_device_forwarder(source, hub_url, token, args.interval or hardware.device_status_seconds)
    except ValueError as exc:  # a URI that names no source
        print(f"lobby devices: {exc}", file=sys.stderr)
        return 2


def add_devices_parser(sub: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    devices = command("devices", cmd_devices, "tell the hub each change of the self-service devices' states")
    devices.add_argument("--source", default=None, help="status document URI (default hardware.device_status)")
    devices.add_argument("--hub-url", default=None, help="the hub (default hub.public_url)")
    devices.add_argument("--token", default=None, help="a device token (default hardware.device_status_token)")
    devices.add_argument("--interval", type=float, default=None, help="seconds between reads")
