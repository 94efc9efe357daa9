"""The nearest-sentences intent vote (rasa_addons/neighbours.py): real sentence encoder, real model storage."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa_addons.neighbours import NeighboursConfigError, SentenceNeighboursClassifier, blend, neighbour_vote
from rasa_addons.sentence_encoder import SentenceEncoderFeaturizer

TRAINING = {
    "withdraw_cash": ["i want to take out some cash", "我要取钱", "can i get money out"],
    "exchange_currency": ["i need some dollars for my holiday", "换点美元", "do you sell euros"],
    "reset_pin": ["i forgot my pin", "密码忘了", "my pin is blocked"],
}


def test_the_vote_weights_the_k_nearest_by_similarity() -> None:
    similarities = np.array([0.9, 0.1, 0.8, 0.7, -0.5])
    labels = np.array([0, 1, 1, 0, 2])
    votes = neighbour_vote(similarities, labels, 3, k=3)  # 0.9 (0), 0.8 (1), 0.7 (0)
    assert votes == pytest.approx([1.6 / 2.4, 0.8 / 2.4, 0.0])
    assert neighbour_vote(similarities, labels, 3, k=50).sum() == pytest.approx(1.0)  # k beyond the data


def test_blending_averages_and_keeps_intents_only_one_side_knows() -> None:
    ranking = [{"name": "a", "confidence": 0.6}, {"name": "b", "confidence": 0.4}]
    blended = blend(ranking, {"b": 0.7, "c": 0.3}, weight=0.5)
    assert [entry["name"] for entry in blended] == ["b", "a", "c"]
    assert [entry["confidence"] for entry in blended] == pytest.approx([0.55, 0.3, 0.15])
    assert blend(ranking, {"c": 1.0}, weight=0.0)[0]["name"] == "a"  # weight 0: the classifier alone


@pytest.mark.parametrize("config", [{"k": 0}, {"weight": 1.5}])
def test_out_of_range_settings_are_refused(config: dict[str, float]) -> None:
    with pytest.raises(NeighboursConfigError):
        SentenceNeighboursClassifier.validate_config({**SentenceNeighboursClassifier.get_default_config(), **config})


def featurized(texts: list[str], intents: list[str] | None = None) -> list[Message]:
    encoder = SentenceEncoderFeaturizer({**SentenceEncoderFeaturizer.get_default_config(), "scale": 8.0}, "use")
    messages = [Message(data={TEXT: text, **({INTENT: intents[i]} if intents else {})}) for i, text in enumerate(texts)]
    encoder.process(messages)
    return messages


def test_trained_vote_survives_persisting_and_overrules_a_wrong_word_match(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("neighbours")
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**SentenceNeighboursClassifier.get_default_config(), "k": 3, "weight": 0.6}
    pairs = [(text, intent) for intent, texts in TRAINING.items() for text in texts]
    component = SentenceNeighboursClassifier.create(config, storage, resource, context)
    component.train(TrainingData(featurized([t for t, _ in pairs], [i for _, i in pairs])))

    loaded = SentenceNeighboursClassifier.load(config, storage, resource, context)
    # The linear classifier, fooled by a word, says withdraw_cash; the meaning is foreign cash for a trip.
    [message] = featurized(["我下周去美国旅游 要带点美金"])
    message.set(INTENT, {"name": "withdraw_cash", "confidence": 0.55})
    message.set(INTENT_RANKING_KEY, [{"name": "withdraw_cash", "confidence": 0.55},
                                     {"name": "exchange_currency", "confidence": 0.45}])  # fmt: skip
    loaded.process([message])
    assert message.get(INTENT)["name"] == "exchange_currency"
    ranking = message.get(INTENT_RANKING_KEY)
    assert ranking[0]["confidence"] > 0.45  # the vote raised it above the classifier's own confidence
    assert sum(entry["confidence"] for entry in ranking) == pytest.approx(1.0)


def test_without_stored_vectors_it_passes_the_classifier_through(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    config = SentenceNeighboursClassifier.get_default_config()
    component = SentenceNeighboursClassifier.load(config, storage, Resource("never-trained"), context)
    [message] = featurized(["我要取钱"])
    message.set(INTENT_RANKING_KEY, [{"name": "deposit_cash", "confidence": 0.9}])
    message.set(INTENT, {"name": "deposit_cash", "confidence": 0.9})
    component.process([message])
    assert message.get(INTENT)["name"] == "deposit_cash"
