"""Trackers for the action tests, built the way the Rasa server sends them.

A helper module rather than conftest code so tests import it explicitly.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker

RECORDINGS = Path(__file__).resolve().parent / "recordings"


def user_event(
    intent: str,
    entities: Sequence[Mapping[str, Any]] = (),
    text: str = "",
    message_id: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    ranking: Sequence[tuple[str, float]] = (),
) -> dict[str, Any]:
    """A `user` event as the Rasa server serialises it for the action server.

    `ranking` is the NLU's intent ranking as (name, confidence), most likely first; below the fallback
    threshold Rasa puts `nlu_fallback` on top of it and makes it the intent.
    """
    parse_data = {
        "intent": {"name": intent, "confidence": ranking[0][1] if ranking else 0.97},
        "intent_ranking": [{"name": name, "confidence": confidence} for name, confidence in ranking],
        "entities": [dict(entity) for entity in entities],
        "text": text or intent,
        "message_id": message_id,
        "metadata": dict(metadata or {}),
    }
    return {
        "event": "user",
        "timestamp": time.time(),
        "text": text or intent,
        "parse_data": parse_data,
        "input_channel": "rest",
        "message_id": message_id,
        "metadata": dict(metadata or {}),
    }


def make_tracker(
    intent: str,
    entities: Sequence[Mapping[str, Any]] = (),
    *,
    text: str = "",
    message_id: str | None = "msg-1",
    metadata: Mapping[str, Any] | None = None,
    sender_id: str = "kiosk-1",
    history: Sequence[Mapping[str, Any]] = (),
    slots: Mapping[str, Any] | None = None,
    ranking: Sequence[tuple[str, float]] = (),
) -> Tracker:
    """A tracker whose latest message is `intent`, after the events in `history`."""
    latest = user_event(intent, entities, text, message_id, metadata, ranking)
    events = [*history, latest, {"event": "action", "name": "action_triage"}]
    return Tracker(
        sender_id=sender_id,
        slots=dict(slots or {}),
        latest_message=latest["parse_data"],
        events=[dict(event) for event in events],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_triage",
    )


def entity(name: str, value: Any, start: int = 0) -> dict[str, Any]:
    return {
        "entity": name,
        "value": value,
        "start": start,
        "end": start + len(str(value)),
        "extractor": "DIETClassifier",
        "confidence_entity": 0.99,
    }


def load_recording(name: str) -> dict[str, Any]:
    """A request body the Rasa server really sent to the action server (see test_recorded.py)."""
    data: dict[str, Any] = json.loads((RECORDINGS / name).read_text(encoding="utf-8"))
    return data


def form_tracker(
    intent: str,
    entities: Sequence[Mapping[str, Any]] = (),
    *,
    text: str = "",
    slots: Mapping[str, Any] | None = None,
    changed: Mapping[str, Any] | None = None,
    active_loop: str | None = "booking_form",
    metadata: Mapping[str, Any] | None = None,
    sender_id: str = "kiosk-1",
) -> Tracker:
    """A tracker as a form sends it to its validation (or ask/submit) action.

    `changed` are the slot candidates Rasa extracted from the latest message:
    they follow it as `slot` events, which is what `slots_to_validate()` reads.
    """
    latest = user_event(intent, entities, text, "msg-9", metadata)
    candidates = [{"event": "slot", "name": name, "value": value} for name, value in (changed or {}).items()]
    return Tracker(
        sender_id=sender_id,
        slots={**dict(slots or {}), **dict(changed or {})},
        latest_message=latest["parse_data"],
        events=[latest, *candidates],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )
