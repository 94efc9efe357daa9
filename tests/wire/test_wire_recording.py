"""The recorded hub answers (hub_answers.json) are what a live hub sends today, and the wire constants
cover what the hub's code says. Runs in .venv only: it starts a real hub, which needs Python 3.11+.

A hub change that adds, drops or retypes a field fails here until the recording is made again:

    LOBBY_WIRE_RECORD=1 .venv/bin/python -m pytest tests/wire/test_wire_recording.py -q

and then test_wire_parity.py, in both environments, checks `lobby_wire` against the new recording.
"""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path
from typing import Any

import pytest

if sys.version_info < (3, 11):  # .venv-rasa: the hub cannot run here; test_wire_parity.py reads the recording
    pytest.skip("the hub runs on Python 3.11+ (.venv)", allow_module_level=True)

from lobby_wire import ErrorCode

from hub_answers import load, record, vocabulary, write

ROOT = Path(__file__).resolve().parents[2]
# The hub's error classes and the calls that give an error its code (LobbyError subclasses, error_response).
_ERROR_CALLS = {"error_response", "ApiError"}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    return "number" if isinstance(value, (int, float)) else type(value).__name__


def shape_differences(live: Any, recorded: Any, where: str = "") -> list[str]:
    """Where the live JSON's structure differs from the recording: keys added or gone, a value of
    another kind. A null on either side matches anything (an ETA or a counter may or may not be
    known at the moment of the call); values are not compared."""
    if live is None or recorded is None:
        return []
    if _kind(live) != _kind(recorded):
        return [f"{where or '.'}: {_kind(recorded)} -> {_kind(live)}"]
    if isinstance(live, dict):
        gone, added = sorted(recorded.keys() - live.keys()), sorted(live.keys() - recorded.keys())
        found = [f"{where}.{key}: gone" for key in gone] + [f"{where}.{key}: new" for key in added]
        for key in recorded.keys() & live.keys():
            found += shape_differences(live[key], recorded[key], f"{where}.{key}")
        return found
    if isinstance(live, list):
        found = []
        for index, (left, right) in enumerate(zip(live, recorded, strict=False)):
            found += shape_differences(left, right, f"{where}[{index}]")
        return found
    return []


def test_shape_differences_finds_what_drifts() -> None:
    recorded = {"a": 1, "b": {"c": "x"}, "d": None, "e": [{"f": True}]}
    assert shape_differences({"a": 2, "b": {"c": "y"}, "d": [1], "e": [{"f": False}]}, recorded) == []
    drifted = {"a": "1", "b": {}, "d": None, "e": [{"f": True, "g": 1}]}
    assert sorted(shape_differences(drifted, recorded)) == [".a: number -> str", ".b.c: gone", ".e[0].g: new"]


def test_a_live_hub_answers_in_the_recorded_shapes(hub_server: str, hub_token: str) -> None:
    live = record(hub_server, hub_token)
    if os.environ.get("LOBBY_WIRE_RECORD") == "1":
        write(live, vocabulary())
    recorded = load()["answers"]
    assert sorted(live) == sorted(recorded)
    assert {name: shape_differences(live[name], recorded[name]) for name in recorded} == {name: [] for name in recorded}
    # and the values the clients branch on, not only their kind
    for name in recorded:
        for key in ("status", "decision", "priority", "remote", "degraded"):
            if isinstance(recorded[name], dict) and key in recorded[name]:
                assert live[name][key] == recorded[name][key], (name, key)


def test_the_recorded_vocabulary_is_the_hubs() -> None:
    assert vocabulary() == load()["vocabulary"]


def _error_classes(tree: ast.Module) -> dict[str, str]:
    """`class X(...): code = "..."` in one module."""
    classes = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                if (
                    isinstance(statement, ast.Assign)
                    and any(isinstance(target, ast.Name) and target.id == "code" for target in statement.targets)
                    and isinstance(statement.value, ast.Constant)
                    and isinstance(statement.value.value, str)
                ):
                    classes[node.name] = statement.value.value
    return classes


def hub_error_codes() -> set[str]:
    """Every literal error code in the hub's source: class codes, `code="..."` arguments and the code
    argument of error_response/ApiError. (A code built at run time, such as f"appointment_{status}",
    is checked through the values it can take: see the test below.)"""
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in sorted((ROOT / "assistant").rglob("*.py"))]
    classes: dict[str, str] = {}
    for tree in trees:
        classes.update(_error_classes(tree))
    codes = set(classes.values())
    for tree in trees:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name not in classes and name not in _ERROR_CALLS:
                continue
            position = 0 if name == "ApiError" else 1
            arguments = [keyword.value for keyword in node.keywords if keyword.arg == "code"]
            if len(node.args) > position:
                arguments.append(node.args[position])
            codes |= {arg.value for arg in arguments if isinstance(arg, ast.Constant) and isinstance(arg.value, str)}
    return codes


def test_every_error_code_the_hub_sends_is_a_wire_constant() -> None:
    codes = hub_error_codes()
    assert {"not_found", "slot_full", "ticket_not_found", "database_busy"} <= codes  # the scan finds them
    assert codes - ErrorCode.values() == set()
    from assistant.domain.appointments import AppointmentStatus, ClosedReason

    # Codes made from a value: "appointment_<status>" for a booking no longer booked, a closed day's reason.
    made = {f"appointment_{status}" for status in AppointmentStatus if status != AppointmentStatus.BOOKED}
    made |= {str(reason) for reason in ClosedReason if reason != ClosedReason.PAST}
    assert made - ErrorCode.values() == set()
