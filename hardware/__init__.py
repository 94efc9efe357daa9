"""Lobby hardware: ports, the factories that pick an adapter from configuration.

Importing this package is cheap: the adapter modules import their vendor
libraries (python-escpos, pyttsx3, vosk, PIL) only when a device is used.
"""

from hardware.microphone import microphone_from_config
from hardware.ports import (
    HardwareError,
    HardwareState,
    HardwareStatus,
    Microphone,
    Speaker,
    SpeechRecognizer,
    TicketPrint,
    TicketPrinter,
    Transcript,
    Utterance,
)
from hardware.printer import printer_from_uri
from hardware.recognizer import recognizer_from_config
from hardware.speaker import speaker_from_config

__all__ = [
    "HardwareError",
    "HardwareState",
    "HardwareStatus",
    "Microphone",
    "Speaker",
    "SpeechRecognizer",
    "TicketPrint",
    "TicketPrinter",
    "Transcript",
    "Utterance",
    "microphone_from_config",
    "printer_from_uri",
    "recognizer_from_config",
    "speaker_from_config",
]
