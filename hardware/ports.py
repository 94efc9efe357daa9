"""Ports: the small interfaces the kiosk uses to reach lobby hardware.

Each port has a real adapter (its vendor library imported only inside the
adapter module) and a fake in `hardware.fakes` for tests of the layer above.
Every method here may block: callers run them off the Qt thread / event loop.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from lobby_wire import TicketView

if TYPE_CHECKING:  # hardware.device_status imports HardwareError from here
    from hardware.device_status import DeviceReading


class HardwareState(StrEnum):
    READY = "ready"
    MISSING = "missing"  # not configured or not present on this machine
    FAULT = "fault"  # present but failing (offline, out of paper, ...)


@dataclass(frozen=True, slots=True)
class HardwareStatus:
    name: str
    state: HardwareState
    detail: str = ""

    @property
    def ready(self) -> bool:
        return self.state is HardwareState.READY


class HardwareError(Exception):
    """A device failed; `code` is stable for logs, events and the UI."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class TicketPrint:
    """What goes on a paper ticket."""

    ticket: TicketView
    branch_name: str
    track_url: str  # absolute URL the QR code points to
    footer: str = ""
    lang: str = "en"  # the ticket's words (labels) are printed in this language


class TicketPrinter(ABC):
    @abstractmethod
    def status(self) -> HardwareStatus: ...

    @abstractmethod
    def print_ticket(self, job: TicketPrint) -> None:
        """Print one ticket; raises HardwareError if the printer cannot."""


@dataclass(frozen=True, slots=True)
class Utterance:
    text: str
    wav_path: Path
    duration_seconds: float


class Speaker(ABC):
    @abstractmethod
    def status(self) -> HardwareStatus: ...

    @abstractmethod
    def render(self, text: str, lang: str = "en") -> Utterance:
        """Synthesize `text` to a WAV file (blocking)."""

    @abstractmethod
    def play(self, utterance: Utterance) -> None:
        """Start playing; returns at once. A new play() or stop() interrupts."""

    @abstractmethod
    def stop(self) -> None: ...

    def close(self) -> None:  # noqa: B027 - most speakers hold nothing to release
        """Release the audio device and the speech engine's thread (the speaker is not used again)."""


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    confidence: float | None = None
    partial: bool = False


class Microphone(ABC):
    sample_rate: int = 16000

    @abstractmethod
    def status(self) -> HardwareStatus: ...

    @abstractmethod
    def chunks(self, max_seconds: float = 10.0) -> Iterator[bytes]:
        """Yield 16-bit mono little-endian PCM chunks at `sample_rate`."""


class SpeechRecognizer(ABC):
    @abstractmethod
    def status(self) -> HardwareStatus: ...

    @abstractmethod
    def transcribe(
        self,
        audio: Iterator[bytes],
        sample_rate: int = 16000,
        grammar: Sequence[str] | None = None,
        *,
        on_partial: Callable[[str], None] | None = None,
        on_level: Callable[[float], None] | None = None,
    ) -> Transcript:
        """Decode one utterance; `grammar` restricts the phrases recognised.

        `on_partial` receives the running (partial) transcript each time it
        changes, `on_level` the level (0..1, `hardware.vad.level`) of every
        chunk decoded. Both are called on the decoding thread.
        """


class Scanner(ABC):
    """A barcode/QR scanner that is not a keyboard wedge (those type into the window)."""

    @abstractmethod
    def status(self) -> HardwareStatus: ...

    @abstractmethod
    def start(self, on_scan: Callable[[str], None]) -> None:
        """Call `on_scan(text)` for each scan, from the scanner's own thread, until `stop()`."""

    @abstractmethod
    def stop(self) -> None: ...


class DeviceMonitor(ABC):
    """Where the self-service devices' states come from (ATM, cash recycler, STM, VTM): the vendor's
    monitoring feed or a file an agent writes. Adapters: `hardware.device_monitor` (http(s)://, file://);
    `hardware.device_forwarder` tells the hub each change with its PUT /api/v1/devices/{id}/status."""

    @abstractmethod
    def status(self) -> HardwareStatus:
        """Whether the source can be read now (READY) or not (FAULT, with why)."""

    @abstractmethod
    def read(self) -> DeviceReading:
        """Read every device's state now (blocking). Raises HardwareError `device_status_unreadable`
        (cannot fetch or open it) or `device_status_invalid` (not a status document)."""

    def close(self) -> None:  # noqa: B027 (optional: most sources hold nothing open)
        """Release what the adapter holds open (a connection pool)."""
