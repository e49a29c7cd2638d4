"""RegularizedMLPClassifier: labels, probabilities, weights and bad input."""

import autograd
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import recall_score

from sk_regnet import RegularizedMLPClassifier
from sk_regnet._losses import LogisticLoss, SoftmaxLoss, get_classification_loss

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def multiclass():
    X, y = make_classification(
        300, 6, n_informative=4, n_classes=3, random_state=0, class_sep=2.0
    )
    return X, y


def _model(**params):
    return RegularizedMLPClassifier((16,), random_state=0, **params)


@pytest.mark.parametrize(
    "loss, k", [(LogisticLoss(), 1), (LogisticLoss(), 3), (SoftmaxLoss(), 4)]
)
@pytest.mark.parametrize("weighted", [False, True])
def test_log_loss_closed_form_matches_autograd(loss, k, weighted):
    rng = np.random.RandomState(0)
    raw = 3 * rng.normal(size=(9, k))
    if isinstance(loss, SoftmaxLoss):
        y = np.eye(k)[rng.randint(0, k, 9)]
    else:
        y = (rng.uniform(size=(9, k)) > 0.5).astype(float)
    sw = rng.uniform(size=9) if weighted else None
    value, grad = loss.value_and_grad(y, raw.copy(), sw)
    assert_allclose(value, loss.value(y, raw, sw))
    assert_allclose(grad, autograd.grad(lambda r: loss.value(y, r, sw))(raw))


def test_log_loss_values_and_links():
    raw = np.array([[0.0, np.log(3.0)]])
    softmax = SoftmaxLoss()
    assert_allclose(softmax.inverse_link(raw), [[0.25, 0.75]])
    assert_allclose(softmax.value(np.array([[0.0, 1.0]]), raw), -np.log(0.75))
    logistic = LogisticLoss()
    assert_allclose(logistic.inverse_link(raw), [[0.5, 0.75]])
    assert_allclose(
        logistic.value(np.array([[1.0, 0.0]]), raw), (np.log(2) + np.log(4)) / 2
    )
    assert isinstance(get_classification_loss("multiclass"), SoftmaxLoss)
    assert isinstance(get_classification_loss("binary"), LogisticLoss)


def test_binary():
    X, y = make_classification(200, 5, random_state=0)
    model = _model().fit(X, y)
    assert model.n_outputs_ == 1
    assert_array_equal(model.classes_, [0, 1])
    assert model.score(X, y) > 0.9
    proba = model.predict_proba(X)
    assert proba.shape == (200, 2)
    assert_allclose(proba.sum(axis=1), 1)
    assert_array_equal(model.predict(X), model.classes_[np.argmax(proba, axis=1)])
    assert_allclose(model.predict_log_proba(X[:5]), np.log(proba[:5]))


def test_multiclass_probabilities_sum_to_one(multiclass):
    X, y = multiclass
    model = _model().fit(X, y)
    assert model.n_outputs_ == 3
    assert model.score(X, y) > 0.9
    proba = model.predict_proba(X)
    assert proba.shape == (300, 3)
    assert_allclose(proba.sum(axis=1), 1)
    assert_array_equal(model.predict(X), np.argmax(proba, axis=1))


def test_multilabel():
    X, Y = make_multilabel_classification(200, 8, n_classes=3, random_state=0)
    model = _model(max_iter=500).fit(X, Y)
    assert model.n_outputs_ == 3
    pred = model.predict(X)
    assert pred.shape == Y.shape
    assert set(np.unique(pred)) <= {0, 1}
    proba = model.predict_proba(X)
    assert proba.shape == Y.shape
    assert_array_equal(pred, (proba > 0.5).astype(int))
    assert np.mean(pred == Y) > 0.8


def test_string_labels(multiclass):
    X, y = multiclass
    names = np.array(["cat", "dog", "emu"])[y]
    model = _model().fit(X, names)
    assert_array_equal(model.classes_, ["cat", "dog", "emu"])
    assert set(model.predict(X)) <= set(names)
    numeric = _model().fit(X, y)
    assert_array_equal(model.predict(X), model.classes_[numeric.predict(X)])


def test_class_weight_balanced_raises_minority_recall():
    X, y = make_classification(
        600,
        5,
        n_informative=3,
        weights=[0.93],
        flip_y=0.05,
        class_sep=0.5,
        random_state=0,
    )
    plain = _model(alpha=1e-3).fit(X, y)
    balanced = _model(alpha=1e-3, class_weight="balanced").fit(X, y)
    assert recall_score(y, balanced.predict(X)) > recall_score(y, plain.predict(X))


def test_class_weight_dict_is_sample_weight(multiclass):
    X, y = multiclass
    by_class = _model(class_weight={0: 3.0, 2: 0.5}).fit(X, y)
    weights = np.select([y == 0, y == 2], [3.0, 0.5], 1.0)
    by_sample = _model().fit(X, y, sample_weight=weights)
    assert_allclose(by_class.coefs_[0], by_sample.coefs_[0], rtol=1e-6, atol=1e-9)


def test_partial_fit_semantics(multiclass):
    X, y = multiclass
    model = _model(solver="adam")
    with pytest.raises(ValueError, match="classes must be passed"):
        model.partial_fit(X, y)
    for X_block, y_block in zip(np.split(X, 3), np.split(y, 3)):
        model.partial_fit(
            X_block[y_block != 2], y_block[y_block != 2], classes=[0, 1, 2]
        )
    assert_array_equal(model.classes_, [0, 1, 2])
    assert model.predict_proba(X).shape == (300, 3)
    with pytest.raises(ValueError, match="not in `self.classes_`"):
        model.partial_fit(X[:10], np.full(10, 7))
    with pytest.raises(ValueError, match="classes"):
        model.partial_fit(X[:10], y[:10], classes=[0, 1])


def test_early_stopping_scores_accuracy(multiclass):
    X, y = multiclass
    model = _model(solver="adam", early_stopping=True, max_iter=30).fit(X, y)
    assert all(0 <= s <= 1 for s in model.validation_scores_)
    assert model.best_validation_score_ == max(model.validation_scores_)


def test_group_lasso_selects_features():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 8))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    model = RegularizedMLPClassifier(
        (16,), "tanh", penalty="group_lasso", alpha=1e-2, random_state=0
    ).fit(X, y)
    assert model.score(X, y) > 0.9
    kept = set(np.flatnonzero(model.feature_importances_))
    assert {0, 1} <= kept and len(kept) < 8


@pytest.mark.parametrize(
    "y, match",
    [
        (np.zeros(20), "one class"),
        (np.r_[np.zeros(10), np.nan, np.ones(9)], "NaN"),
        (np.linspace(0, 1, 20), "Unknown label type"),
    ],
    ids=["single-class", "nan", "continuous"],
)
def test_bad_labels(y, match):
    X = np.random.RandomState(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match=match):
        _model().fit(X, y)


def test_class_weight_naming_an_unknown_class(multiclass):
    X, y = multiclass
    with pytest.raises(ValueError, match=r"class_weight names \[5\]"):
        _model(class_weight={0: 2.0, 5: 1.0}).fit(X, y)


def test_failed_fit_keeps_the_previous_labels(multiclass):
    X, y = multiclass
    model = _model(max_iter=5).fit(X, y)
    with pytest.raises(ValueError):
        model.fit(X, np.zeros(300))
    assert_array_equal(model.classes_, [0, 1, 2])
    model.predict(X)


def test_convergence_warning_is_raised():
    X, y = make_classification(100, 5, random_state=0)
    with pytest.warns(ConvergenceWarning):
        _model(max_iter=2).fit(X, y)
