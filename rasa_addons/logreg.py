"""Rasa's LogisticRegressionClassifier, the same model fitted in a third of the time.

Rasa's component gives scikit-learn one sparse matrix per training set: the sentence features of every
sparse featurizer (~23,000 word and character count columns) next to the sentence encoder's 512 dense
columns, which stored as sparse entries are 88% of the matrix's 4.5 million values. Every L-BFGS step
multiplies that matrix twice; 100 steps took ~27 s of a ~125 s `rasa train` here, and putting the
matrix together message by message another ~8 s.

This component keeps the two blocks apart: the counts stay sparse, the dense block is a numpy array
(a BLAS product), each built in one stack per featurizer. It minimises the objective scikit-learn's
multinomial `LogisticRegression` minimises (summed log-loss, class_weight "balanced", L2 on the weights
with strength 1/C, an intercept), with the same optimizer and settings (scipy's L-BFGS-B from zero,
`tol` as gtol, `max_iter`), and stores the result in the scikit-learn estimator Rasa's component
persists, loads and predicts with. On Lobby's features the coefficients match a scikit-learn fit to
1e-8, and the probabilities for the 1,153 held-out and outside sentences to 1.3e-8. Other solvers, two
classes, or messages whose features differ in shape go to Rasa's own code.

The fitted model is stored as plain arrays (`.npz`, no pickle) instead of Rasa's skops file: importing
skops.io scans every loaded module (~5,000 with TensorFlow), 3-6 s at each training and each model load.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy import optimize
from scipy.special import logsumexp
from sklearn.linear_model import LogisticRegression
from sklearn.utils.class_weight import compute_class_weight

log = logging.getLogger(__name__)

MODEL_FILE = "logistic_regression.npz"


def _sentence_matrices(message: Message, sparse: bool) -> list[Any]:
    """The message's sentence features of one kind, in the order Rasa combines them."""
    return [
        f.features
        for f in message.features
        if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE and f.is_sparse() == sparse
    ]


def feature_blocks(messages: list[Message]) -> tuple[scipy.sparse.csr_matrix, np.ndarray] | None:
    """(sparse block, dense block) of the messages' sentence features, the columns in the order of Rasa's
    LogisticRegressionClassifier (every sparse featurizer, then every dense one); None when the messages'
    features differ in number or width (Rasa's own per-message code handles that)."""
    sparse = [_sentence_matrices(m, sparse=True) for m in messages]
    dense = [_sentence_matrices(m, sparse=False) for m in messages]
    if not messages or not _uniform(sparse) or not _uniform(dense):
        return None
    n = len(messages)
    sparse_columns = [scipy.sparse.vstack([row[j] for row in sparse], format="csr") for j in range(len(sparse[0]))]
    sparse_block = (
        scipy.sparse.hstack(sparse_columns, format="csr", dtype=np.float64)
        if sparse_columns
        else scipy.sparse.csr_matrix((n, 0), dtype=np.float64)
    )
    dense_block = (
        np.vstack([np.concatenate([np.asarray(m).reshape(1, -1) for m in row], axis=1) for row in dense])
        if dense[0]
        else np.zeros((n, 0))
    )
    return sparse_block, dense_block.astype(np.float64)


def _uniform(rows: list[list[Any]]) -> bool:
    """Every message has the same number of matrices, one row each, the same widths."""
    shapes = [tuple(m.shape for m in row) for row in rows]
    return len(set(shapes)) == 1 and all(shape[0] == 1 for shape in shapes[0])


def fit_multinomial(
    clf: LogisticRegression, sparse: scipy.sparse.csr_matrix, dense: np.ndarray, labels: list[str]
) -> None:
    """Fit `clf` (lbfgs, multinomial, balanced classes) on [sparse | dense] without joining the blocks."""
    classes, y = np.unique(np.asarray(labels), return_inverse=True)
    n, k = len(y), len(classes)
    n_sparse, n_features = sparse.shape[1], sparse.shape[1] + dense.shape[1]
    weight = compute_class_weight("balanced", classes=classes, y=labels)[y]
    sparse_t = sparse.T.tocsr()
    strength = 1.0 / float(clf.C)
    rows = np.arange(n)

    def loss_gradient(flat: np.ndarray) -> tuple[float, np.ndarray]:
        coef = flat.reshape((k, n_features + 1), order="F")  # scikit-learn's layout: classes contiguous
        w_sparse, w_dense, intercept = coef[:, :n_sparse], coef[:, n_sparse:n_features], coef[:, n_features]
        raw = sparse @ w_sparse.T + dense @ w_dense.T + intercept
        norm = logsumexp(raw, axis=1)
        loss = float(weight @ (norm - raw[rows, y])) + 0.5 * strength * float(np.square(coef[:, :n_features]).sum())
        per_sample = np.exp(raw - norm[:, None])
        per_sample[rows, y] -= 1.0
        per_sample *= weight[:, None]
        grad = np.empty((k, n_features + 1), order="F")
        grad[:, :n_sparse] = (sparse_t @ per_sample).T + strength * w_sparse
        grad[:, n_sparse:n_features] = per_sample.T @ dense + strength * w_dense
        grad[:, n_features] = per_sample.sum(axis=0)
        return loss, grad.ravel(order="F")

    result = optimize.minimize(
        loss_gradient,
        np.zeros(k * (n_features + 1)),
        method="L-BFGS-B",
        jac=True,
        options={"iprint": -1, "gtol": clf.tol, "maxiter": clf.max_iter},
    )
    coef = result.x.reshape((k, n_features + 1), order="F")
    clf.classes_ = classes
    clf.coef_ = np.ascontiguousarray(coef[:, :n_features])
    clf.intercept_ = coef[:, n_features].copy()
    clf.n_iter_ = np.asarray([result.nit], dtype=np.int32)
    clf.n_features_in_ = n_features
    if result.nit >= clf.max_iter:
        log.debug("logistic regression stopped at max_iter=%d (as scikit-learn's would)", clf.max_iter)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FastLogisticRegressionClassifier(LogisticRegressionClassifier):
    """LogisticRegressionClassifier with a block-wise fit; see the module docstring."""

    def _create_X(self, messages: list[Message]) -> scipy.sparse.csr_matrix:
        blocks = feature_blocks(messages)
        if blocks is None:
            return super()._create_X(messages)
        sparse, dense = blocks
        return scipy.sparse.hstack([sparse, scipy.sparse.csr_matrix(dense)], format="csr")

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        labels = [str(e.get(INTENT)) for e in examples]
        blocks = feature_blocks(examples)
        if blocks is None or self.clf.solver != "lbfgs" or len(set(labels)) < 3:
            return super().train(training_data)
        fit_multinomial(self.clf, *blocks, labels)
        self.persist()
        return self._resource

    def persist(self) -> None:
        if not hasattr(self.clf, "coef_"):
            return
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(
                directory / MODEL_FILE,
                classes=np.asarray(self.clf.classes_, dtype=str),
                coef=self.clf.coef_,
                intercept=self.clf.intercept_,
                n_iter=np.asarray(self.clf.n_iter_),
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> FastLogisticRegressionClassifier:
        component = cls(config, execution_context.node_name, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory, np.load(directory / MODEL_FILE) as stored:
                component.clf.classes_ = stored["classes"]
                component.clf.coef_ = stored["coef"]
                component.clf.intercept_ = stored["intercept"]
                component.clf.n_iter_ = stored["n_iter"]
                component.clf.n_features_in_ = component.clf.coef_.shape[1]
        except (ValueError, FileNotFoundError) as error:
            log.debug("FastLogisticRegressionClassifier: nothing stored (%s); it will not classify", error)
        return component
