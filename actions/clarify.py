"""When unsure, ask: below the NLU fallback threshold, offer the likeliest services as buttons.

A wrong queue costs an elderly customer a second wait; one question costs a
tap. So a turn the NLU is unsure of (`nlu_fallback`) gets "Is this about a
lost or stolen card, or a transfer?" with the two or three service intents the
model ranked highest, plus "Something else". Which intents to offer is
`lobby_wire.clarify.clarify_choices`, the same rule `lobby eval nlu` uses to
measure how many turns reach the right queue within one clarification (its
thresholds are constants there, tuned by that measurement). With no plausible
candidate the full menu (`utter_default`) is shown, as before.

"Something else" sends `/nlu_fallback`: a ranking with no service in it, so
this action then shows the full menu.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lobby_wire.clarify import FALLBACK_INTENT, clarify_choices
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from .catalog import join_list, say
from .turn import SERVICE_INTENTS, channel_and_lang

MENU = "utter_default"


def clarify_message(ranking: Sequence[Mapping[str, Any]], lang: str) -> dict[str, Any] | None:
    """The question and its buttons, or None when no service is likely enough to ask about."""
    return choices_message(clarify_choices(ranking, SERVICE_INTENTS), lang)


def choices_message(choices: Sequence[str], lang: str) -> dict[str, Any] | None:
    """ "Is this about ... or ...?" with a button for each of `choices` (service intents) and "Something
    else"; None for no choices."""
    if not choices:
        return None
    topics = join_list(lang, [say(lang, f"topic.{intent}") for intent in choices], "clarify.last_sep", "clarify.sep")
    buttons = [{"title": say(lang, f"service_button.{intent}"), "payload": f"/{intent}"} for intent in choices]
    buttons.append({"title": say(lang, "clarify.something_else"), "payload": f"/{FALLBACK_INTENT}"})
    return {"text": say(lang, "clarify.question", choices=topics), "buttons": buttons}


class ActionClarify(Action):
    """nlu_fallback: ask which of the likeliest services the customer means, or show the full menu."""

    def name(self) -> str:
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        _, lang = channel_and_lang(tracker)
        ranking = (tracker.latest_message or {}).get("intent_ranking") or []
        message = clarify_message(ranking, lang)
        if message is None:
            dispatcher.utter_message(response=MENU)
        else:
            dispatcher.utter_message(text=message["text"], buttons=message["buttons"])
        return []
