"""The block-wise logistic regression (rasa_addons/logreg.py) against Rasa's own: same model, same answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa_addons.logreg import MODEL_FILE, FastLogisticRegressionClassifier, feature_blocks

INTENTS = ("withdraw_cash", "exchange_currency", "reset_pin", "open_account")
CONTEXT = ExecutionContext(GraphSchema({}), "test")


def featurized(n: int, seed: int, with_intent: bool = True) -> list[Message]:
    """Messages shaped like the pipeline's: two sparse featurizers' counts (and sequence features, which the
    classifier ignores), then a dense sentence vector; each intent leaves a trace in both blocks."""
    rng = np.random.default_rng(seed)
    messages = []
    for i in range(n):
        label = i % len(INTENTS)
        words = (rng.random((1, 30)) < 0.1).astype(np.float64)
        words[0, label] += 1.0
        chars = rng.poisson(0.3, (1, 50)).astype(np.float64)
        vector = rng.normal(0.0, 0.3, (1, 16)).astype(np.float32)
        vector[0, label] += 1.0
        message = Message(data={TEXT: f"sentence {i}", **({INTENT: INTENTS[label]} if with_intent else {})})
        message.add_features(Features(scipy.sparse.coo_matrix(words), FEATURE_TYPE_SENTENCE, TEXT, "words"))
        message.add_features(Features(scipy.sparse.coo_matrix(np.ones((3, 30))), FEATURE_TYPE_SEQUENCE, TEXT, "words"))
        message.add_features(Features(scipy.sparse.coo_matrix(chars), FEATURE_TYPE_SENTENCE, TEXT, "chars"))
        message.add_features(Features(vector, FEATURE_TYPE_SENTENCE, TEXT, "use"))
        messages.append(message)
    return messages


def trained(
    cls: type[LogisticRegressionClassifier], tmp_path: Path, config: dict[str, object] | None = None
) -> LogisticRegressionClassifier:
    """Trained on 120 messages, persisted, and loaded back as a served model would be."""
    (tmp_path / cls.__name__).mkdir()
    storage = LocalModelStorage(tmp_path / cls.__name__)
    config = {**cls.get_default_config(), "random_state": 7, **(config or {})}
    cls.create(config, storage, Resource("lr"), CONTEXT).train(TrainingData(featurized(120, seed=1)))
    return cls.load(config, storage, Resource("lr"), CONTEXT)


def test_the_blocks_are_the_matrix_rasa_builds() -> None:
    messages = featurized(10, seed=2)
    blocks = feature_blocks(messages)
    assert blocks is not None
    sparse, dense = blocks
    assert (sparse.shape, dense.shape) == ((10, 80), (10, 16))
    joined = scipy.sparse.hstack([sparse, scipy.sparse.csr_matrix(dense)]).toarray()
    assert np.array_equal(joined, LogisticRegressionClassifier._create_X(None, messages).toarray())


def test_messages_with_features_of_different_shapes_have_no_blocks() -> None:
    messages = featurized(3, seed=3)
    messages[1].features = [f for f in messages[1].features if f.origin != "chars"]
    assert feature_blocks(messages) is None


def test_same_model_and_answers_as_rasas_classifier(tmp_path: Path) -> None:
    fast = trained(FastLogisticRegressionClassifier, tmp_path)
    rasa = trained(LogisticRegressionClassifier, tmp_path)
    assert list(fast.clf.classes_) == list(rasa.clf.classes_)
    assert fast.clf.coef_ == pytest.approx(rasa.clf.coef_, abs=1e-6)
    assert fast.clf.intercept_ == pytest.approx(rasa.clf.intercept_, abs=1e-6)
    assert [p.name for p in (tmp_path / "FastLogisticRegressionClassifier").rglob("*") if p.is_file()] == [MODEL_FILE]

    for a, b in zip(fast.process(featurized(40, seed=9, with_intent=False)),
                    rasa.process(featurized(40, seed=9, with_intent=False)), strict=True):  # fmt: skip
        assert a.get(INTENT)["name"] == b.get(INTENT)["name"]
        assert [r["confidence"] for r in a.get(INTENT_RANKING_KEY)] == pytest.approx(
            [r["confidence"] for r in b.get(INTENT_RANKING_KEY)], abs=1e-6
        )
    predicted = [m.get(INTENT)["name"] for m in fast.process(featurized(40, seed=9, with_intent=False))]
    assert np.mean([name == INTENTS[i % len(INTENTS)] for i, name in enumerate(predicted)]) > 0.9


def test_other_solvers_train_with_rasas_code_and_load_the_same_way(tmp_path: Path) -> None:
    component = trained(FastLogisticRegressionClassifier, tmp_path, {"solver": "liblinear"})
    [message] = component.process(featurized(1, seed=4, with_intent=False))
    assert message.get(INTENT)["name"] in INTENTS


def test_an_untrained_model_loads_without_a_stored_file(tmp_path: Path) -> None:
    config = {**FastLogisticRegressionClassifier.get_default_config(), "random_state": 7}
    component = FastLogisticRegressionClassifier.load(config, LocalModelStorage(tmp_path), Resource("none"), CONTEXT)
    assert not hasattr(component.clf, "coef_")
