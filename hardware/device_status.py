"""Self-service devices' states as a device monitor reads them, and the status document it reads.

A branch's ATMs, cash recyclers, smart tellers (STM) and video tellers (VTM) are watched by the
vendor's monitoring software or an agent on the device. Whatever it is, it gives us one *status
document* (JSON or YAML) naming each device and its state:

```yaml
devices:
  atm-1: online
  rec-1: {state: out_of_cash}
  stm-1: {state: offline, detail: "no network since 09:12"}
```

or the list form `devices: [{id: atm-1, state: online, detail: ""}, ...]`. Ids are the `devices`
ids of branch.yml. States are the hub's four (DESIGN §4: online, busy, offline, out_of_service) or a
vendor word from `STATE_WORDS`; case, spaces and hyphens do not matter ("In Service" = in_service).
A vendor word becomes the hub state it means, and (unless the machine is online) the word itself
becomes the detail when the document gives none, so staff still see *why* (out_of_cash) while the
routing brain sees only a state.

A document is taken whole or not at all: one bad entry rejects it (HardwareError
`device_status_invalid` naming the entry), so a half-written file never half-updates the branch.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hardware.ports import HardwareError
from lobby_wire.triage import DeviceState

DETAIL_MAX_CHARS = 200  # what PUT /api/v1/devices/{id}/status accepts
ID_MAX_CHARS = 100
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")  # goes into a URL path: no slashes, no spaces

# Vendor words for a device's state -> the hub's state. Out of cash (or full of it) means the machine
# cannot do its job for most customers: the routing brain should send them elsewhere, so it is
# out_of_service, and the word stays as the detail.
STATE_WORDS: Mapping[str, DeviceState] = {
    **{state.value: state for state in DeviceState},
    "in_service": DeviceState.ONLINE,
    "ok": DeviceState.ONLINE,
    "ready": DeviceState.ONLINE,
    "available": DeviceState.ONLINE,
    "idle": DeviceState.ONLINE,
    "in_use": DeviceState.BUSY,
    "in_session": DeviceState.BUSY,
    "occupied": DeviceState.BUSY,
    "unreachable": DeviceState.OFFLINE,
    "disconnected": DeviceState.OFFLINE,
    "no_connection": DeviceState.OFFLINE,
    "powered_off": DeviceState.OFFLINE,
    "out_of_cash": DeviceState.OUT_OF_SERVICE,
    "cash_out": DeviceState.OUT_OF_SERVICE,
    "cash_full": DeviceState.OUT_OF_SERVICE,
    "out_of_paper": DeviceState.OUT_OF_SERVICE,
    "maintenance": DeviceState.OUT_OF_SERVICE,
    "supervisor": DeviceState.OUT_OF_SERVICE,
    "fault": DeviceState.OUT_OF_SERVICE,
    "error": DeviceState.OUT_OF_SERVICE,
    "closed": DeviceState.OUT_OF_SERVICE,
}

INVALID = "device_status_invalid"  # the document is not a status document (HardwareError code)
UNREADABLE = "device_status_unreadable"  # the document could not be fetched or read


@dataclass(frozen=True, slots=True)
class DeviceReport:
    """One device's state, as the hub's PUT takes it."""

    device_id: str
    state: DeviceState
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        """The body of PUT /api/v1/devices/{device_id}/status."""
        return {"state": self.state.value, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class DeviceReading:
    """Every device one read of the status document named, in the document's order."""

    source: str  # where it was read (a URL, a file path): for logs
    reports: tuple[DeviceReport, ...]

    def by_id(self) -> dict[str, DeviceReport]:
        return {report.device_id: report for report in self.reports}


def state_of(word: str) -> tuple[DeviceState, str] | None:
    """A state word -> (the hub's state, the normalised vendor word, or "" when it is a hub state)."""
    key = re.sub(r"[\s-]+", "_", word.strip().lower())
    state = STATE_WORDS.get(key)
    if state is None:
        return None
    return state, ("" if key == state.value else key)


def parse_document(text: str | bytes, source: str, syntax: str = "auto") -> DeviceReading:
    """Read a status document (`syntax`: "json", "yaml" or "auto": JSON if it parses, else YAML).

    Raises HardwareError `device_status_invalid` with what is wrong and where."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise HardwareError(INVALID, f"{source}: not UTF-8 text ({exc})") from None
    if not text.strip():
        raise HardwareError(INVALID, f"{source}: the status document is empty")
    return reading_from(_load(text, source, syntax), source)


def _load(text: str, source: str, syntax: str) -> Any:
    if syntax in ("json", "auto"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            if syntax == "json":
                raise HardwareError(INVALID, f"{source}: not JSON: {exc}") from None
    import yaml  # only for YAML documents

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problem = str(exc).replace("\n", " ")
        raise HardwareError(INVALID, f"{source}: neither JSON nor YAML: {problem}") from None


def reading_from(document: Any, source: str) -> DeviceReading:
    """A parsed status document -> its reports; HardwareError `device_status_invalid` if it is not one."""
    if not isinstance(document, Mapping) or "devices" not in document:
        raise HardwareError(INVALID, f"{source}: expected a mapping with a 'devices' key")
    devices = document["devices"]
    if isinstance(devices, Mapping):
        entries = [(str(key), value) for key, value in devices.items()]
    elif isinstance(devices, list):
        entries = [_listed(item, index, source) for index, item in enumerate(devices)]
    else:
        raise HardwareError(INVALID, f"{source}: 'devices' must be a mapping of id to state, or a list")
    reports: list[DeviceReport] = []
    seen: set[str] = set()
    for device_id, value in entries:
        if not _ID.match(device_id) or len(device_id) > ID_MAX_CHARS:
            raise HardwareError(INVALID, f"{source}: device id {device_id!r} is not a device id")
        if device_id in seen:
            raise HardwareError(INVALID, f"{source}: device {device_id!r} is listed twice")
        seen.add(device_id)
        reports.append(_report(device_id, value, source))
    return DeviceReading(source, tuple(reports))


def _listed(item: Any, index: int, source: str) -> tuple[str, Any]:
    if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
        raise HardwareError(INVALID, f"{source}: devices[{index}] needs an 'id' (text)")
    return item["id"], {key: value for key, value in item.items() if key != "id"}


def _report(device_id: str, value: Any, source: str) -> DeviceReport:
    if isinstance(value, str):
        word, detail = value, None
    elif isinstance(value, Mapping) and isinstance(value.get("state"), str):
        word, detail = value["state"], value.get("detail")
        if detail is not None and not isinstance(detail, str):
            raise HardwareError(INVALID, f"{source}: device {device_id!r}: 'detail' must be text")
    else:
        raise HardwareError(INVALID, f"{source}: device {device_id!r} needs a 'state' (text)")
    known = state_of(word)
    if known is None:
        raise HardwareError(INVALID, f"{source}: device {device_id!r}: unknown state {word!r}")
    state, word = known
    implied = "" if state is DeviceState.ONLINE else word  # a working machine needs no explanation
    text = (implied if detail is None else detail.strip())[:DETAIL_MAX_CHARS]
    return DeviceReport(device_id, state, text)
