"""The language of a turn, as an entity: `{"entity": "lang", "value": "en"|"zh"}` on every parsed message.

The domain's `lang` slot is filled from it, so the responses' zh variations and the actions answer in the
language the customer used on this turn (a Chinese message gets a Chinese answer even when the session
started in English, and back). The hub's chat gateway has already decided the language with the same rule
(`lobby_wire.lang.detect_lang`, with the conversation's language as the hint) and sends it in the message
metadata; without metadata (`/model/parse`, `rasa test`) the text decides.

Only added when parsing, never in training, so no model learns to predict it.
"""

from __future__ import annotations

from typing import Any

from lobby_wire.lang import detect_lang, normalise_lang
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

ENTITY = "lang"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageTagger(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageTagger:
        return cls()

    @staticmethod
    def supported_languages() -> None:
        return None

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str):
                continue
            metadata = message.get("metadata")
            decided = normalise_lang(metadata.get("lang")) if isinstance(metadata, dict) else None
            lang = decided or detect_lang(text)
            entity = {"entity": ENTITY, "value": lang, "start": 0, "end": 0, "extractor": type(self).__name__}
            others = [e for e in message.get(ENTITIES, []) if e.get("entity") != ENTITY]
            message.set(ENTITIES, [*others, entity], add_to_output=True)
        return messages
