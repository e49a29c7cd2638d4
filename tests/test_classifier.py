"""RegularizedMLPClassifier: labels, probabilities, weights and bad input."""

import autograd
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss, recall_score
from sklearn.model_selection import GridSearchCV, train_test_split

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


@pytest.mark.parametrize("seed", range(5))
def test_class_weight_balanced_raises_minority_recall(seed):
    # 9 to 1 imbalance, a held-out quarter (about 30 minority samples), the
    # estimator's defaults otherwise: weighting the rare class by its rarity
    # makes the network find more of it on unseen data.
    X, y = make_classification(
        1200, 8, n_informative=4, weights=[0.9], class_sep=0.8, random_state=seed
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=seed
    )
    recall = {
        weight: recall_score(
            y_test,
            RegularizedMLPClassifier((16,), class_weight=weight, random_state=seed)
            .fit(X_train, y_train)
            .predict(X_test),
        )
        for weight in (None, "balanced")
    }
    assert recall["balanced"] > recall[None]


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
        (np.full(20, "cat"), "one class"),
        (np.r_[np.zeros(10), np.nan, np.ones(9)], "NaN"),
        (np.r_[np.zeros(10), np.inf, np.ones(9)], "infinity"),
        (np.r_[np.zeros(10), -np.inf, np.ones(9)], "infinity"),
        (np.array(["a"] * 10 + [np.nan] + ["b"] * 9, dtype=object), "NaN"),
        (np.linspace(0, 1, 20), "Unknown label type: continuous"),
        (np.column_stack([np.linspace(0, 1, 20)] * 2), "continuous-multioutput"),
    ],
    ids=[
        "single-class",
        "single-string-class",
        "nan",
        "inf",
        "minus-inf",
        "nan-among-strings",
        "continuous",
        "continuous-2d",
    ],
)
def test_bad_labels(y, match):
    X = np.random.RandomState(0).normal(size=(20, 3))
    model = _model()
    with pytest.raises(ValueError, match=match):
        model.fit(X, y)
    assert not hasattr(model, "classes_") and not hasattr(model, "coefs_")


def test_partial_fit_labels_outside_classes():
    X = np.random.RandomState(0).normal(size=(20, 3))
    y = np.repeat([0, 1, 2, 3], 5)
    model = _model(solver="sgd")
    with pytest.raises(ValueError, match=r"labels \[3\] that are not in classes"):
        model.partial_fit(X, y, classes=[0, 1, 2])
    # A refused first call leaves no labels behind: the next one starts afresh.
    assert not hasattr(model, "classes_")
    model.partial_fit(X[y < 3], y[y < 3], classes=[0, 1, 2])
    with pytest.raises(ValueError, match="classes not in `self.classes_`"):
        model.partial_fit(X, y)


def test_partial_fit_refuses_balanced_class_weight_and_early_stopping(multiclass):
    X, y = multiclass
    with pytest.raises(ValueError, match="'balanced' is not available in partial_fit"):
        _model(solver="adam", class_weight="balanced").partial_fit(
            X, y, classes=[0, 1, 2]
        )
    # As MLPClassifier: the method exists, the call refuses (also after a fit).
    model = _model(solver="adam", early_stopping=True, max_iter=5).fit(X, y)
    with pytest.raises(ValueError, match="does not support early_stopping=True"):
        model.partial_fit(X, y)
    assert model.n_iter_ == 5


def test_partial_fit_multilabel_takes_the_columns_as_classes():
    X, Y = make_multilabel_classification(60, 5, n_classes=3, random_state=0)
    model = _model(solver="adam")
    with pytest.raises(ValueError, match="column indices 0 .. 2"):
        model.partial_fit(X, Y, classes=["a", "b", "c"])
    for _ in range(3):
        model.partial_fit(X, Y, classes=[0, 1, 2])
    assert_array_equal(model.classes_, [0, 1, 2])
    assert model.predict(X).shape == Y.shape
    assert model.t_ == 180


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


def test_early_stopping_split_is_stratified():
    # One sample of a class cannot be split into both parts: the stratified
    # split says so (MLPClassifier's error, for multiclass y too).
    X = np.random.RandomState(0).normal(size=(40, 3))
    y = np.r_[np.zeros(20), np.ones(19), 2]
    with pytest.raises(ValueError, match="least populated class"):
        _model(solver="adam", early_stopping=True).fit(X, y)
    # Multilabel y is split without stratification.
    Y = np.column_stack([y == 2, y == 1]).astype(int)
    _model(solver="adam", early_stopping=True, max_iter=3).fit(X, Y)


def test_early_stopping_keeps_feature_names():
    # The held-out score is computed without a feature-name warning.
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(30, 2)), columns=["a", "b"])
    y = pd.Series((X["a"] > 0).astype(int), name="label")
    model = _model(solver="adam", early_stopping=True, validation_fraction=0.2)
    model.fit(X, y)
    assert_array_equal(model.feature_names_in_, ["a", "b"])
    assert len(model.validation_scores_) == model.n_iter_


def test_grid_search_over_alpha_with_log_loss(multiclass):
    X, y = multiclass
    search = GridSearchCV(
        RegularizedMLPClassifier((8,), penalty="l1", random_state=0),
        {"alpha": [1e-3, 1e-1, 10.0]},
        scoring="neg_log_loss",
        cv=3,
    ).fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    # alpha=10 zeroes every weight: the network predicts the class shares,
    # whose log-loss is the entropy of the labels; a light penalty does far
    # better on these separable classes.
    shares = np.bincount(y) / len(y)
    assert_allclose(scores[2], -log_loss(y, np.tile(shares, (len(y), 1))), rtol=0.05)
    assert search.best_params_["alpha"] == 1e-3
    assert scores[0] > scores[2] + 0.5
    assert_allclose(search.best_estimator_.predict_proba(X).sum(axis=1), 1)
