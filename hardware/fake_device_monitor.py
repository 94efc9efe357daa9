"""A fake DeviceMonitor for tests of what sits on top of it (the forwarder, a kiosk's device view).

Kept beside `hardware.fakes` rather than in it while that module is being reorganised; it follows
the same rules: it subclasses the port, records what it was asked, and fails the way the real
adapters do (HardwareError with their codes).
"""

from __future__ import annotations

from hardware.device_status import UNREADABLE, DeviceReading, DeviceReport
from hardware.ports import DeviceMonitor, HardwareError, HardwareState, HardwareStatus


class FakeDeviceMonitor(DeviceMonitor):
    """Returns the reports it was last given; `fail` makes every read raise until `recover`."""

    def __init__(self, *reports: DeviceReport, source: str = "fake") -> None:
        self.source = source
        self.reports = tuple(reports)
        self.fail_with: BaseException | None = None
        self.reads = 0
        self.closed = False

    def set(self, *reports: DeviceReport) -> None:
        self.reports = tuple(reports)

    def fail(self, code: str = UNREADABLE, message: str = "fake device monitor unreachable") -> None:
        self.fail_with = HardwareError(code, message)

    def crash(self, error: BaseException) -> None:
        """Fail with something no adapter should raise (a bug): what sits on top must survive it too."""
        self.fail_with = error

    def recover(self) -> None:
        self.fail_with = None

    def status(self) -> HardwareStatus:
        if self.fail_with is not None:
            return HardwareStatus("device_monitor", HardwareState.FAULT, str(self.fail_with))
        return HardwareStatus("device_monitor", HardwareState.READY, self.source)

    def read(self) -> DeviceReading:
        self.reads += 1
        if self.fail_with is not None:
            raise self.fail_with
        return DeviceReading(self.source, self.reports)

    def close(self) -> None:
        self.closed = True
