"""When the assistant is unsure: which services to offer as buttons instead of guessing.

Below the NLU fallback threshold a wrong queue costs the customer more than one question, so the
assistant asks "Is this about your card, or a payment?" with the most likely services. This rule is
shared by the action that asks (actions/, Python 3.10) and by `lobby eval nlu`, which measures the share
of turns that reach the right queue within one clarification: both must offer the same choices.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

MAX_CHOICES = 3  # buttons a customer can take in at a glance (and hear read out)
MIN_CONFIDENCE = 0.1  # below this an intent is noise, not a candidate worth a button
FALLBACK_INTENT = "nlu_fallback"


def clarify_choices(ranking: Iterable[Mapping[str, Any]], candidates: Iterable[str]) -> list[str]:
    """The intents to offer, most likely first: at most MAX_CHOICES of `candidates` (the service
    intents) with confidence >= MIN_CONFIDENCE. Fewer than two means there is no real choice to ask
    about: the caller shows the full menu instead (an empty list)."""
    allowed = set(candidates)
    chosen: list[str] = []
    for entry in ranking:
        name = entry.get("name")
        confidence = entry.get("confidence")
        if not isinstance(name, str) or name == FALLBACK_INTENT or name not in allowed or name in chosen:
            continue
        if not isinstance(confidence, (int, float)) or confidence < MIN_CONFIDENCE:
            continue
        chosen.append(name)
        if len(chosen) == MAX_CHOICES:
            break
    return chosen if len(chosen) >= 2 else []
