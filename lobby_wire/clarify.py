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


# A first turn that only names a product ("a personal loan", "信用卡", "savings account") parses as `inform`
# (the shape of an answer to "which loan?"), with nothing asked before it to answer. What it names still
# says where the customer is going: a loan type one service, a card or an account type one of a few.
# (entity, canonical value or None for any value) -> the service intents it points to, likeliest first.
_NAMED: dict[tuple[str, str | None], tuple[str, ...]] = {
    ("loan_type", "mortgage"): ("mortgage",),
    ("loan_type", "business"): ("business_banking",),
    ("loan_type", None): ("apply_loan",),
    ("account_type", "business"): ("business_banking",),
    ("account_type", None): ("open_account", "check_balance", "close_account"),
    ("card_type", None): ("report_lost_card", "replace_card", "reset_pin"),
}


def named_services(entities: Iterable[Mapping[str, Any]]) -> list[str]:
    """The service intents a turn's product entities point to (Rasa's entity dicts, canonical values), most
    specific first, at most MAX_CHOICES: one is a request for that service, several are a question worth
    asking ("your card: lost, a new one, or the PIN?"), none is not a request at all ("500 pounds").

    A loan type wins over the others ("a business loan for my account": business banking); amounts,
    currencies, dates and names point nowhere (withdraw, deposit or exchange? the customer is asked)."""
    found: list[tuple[int, str]] = []
    order = ("loan_type", "account_type", "card_type")
    for entity in entities:
        name, value = entity.get("entity"), entity.get("value")
        if name not in order:
            continue
        key = (name, str(value).strip().lower()) if isinstance(value, str) else (name, None)
        intents = _NAMED.get(key) or _NAMED[(name, None)]
        found += [(order.index(name), intent) for intent in intents]
    if not found:
        return []
    first = min(rank for rank, _ in found)
    return list(dict.fromkeys(intent for rank, intent in found if rank == first))[:MAX_CHOICES]
