"""RegularizedMLPClassifierCV: the warm-started CV path for classification (issue 15)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.estimator_checks import parametrize_with_checks

from sk_regnet import (
    RegularizationPathDisplay,
    RegularizedMLPClassifier,
    RegularizedMLPClassifierCV,
)
from sk_regnet._cv_folds import LogLossScore, _fold_path_scores

# Short fits on small data: a fold or a step that stops short of tol is
# expected and is not what these tests check.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

SMALL = dict(hidden_layer_sizes=(6,), activation="tanh", max_iter=100, cv=3)


@parametrize_with_checks([RegularizedMLPClassifierCV(random_state=0)])
@pytest.mark.filterwarnings(
    "ignore:The best mean validation score is at the smallest alpha:UserWarning"
)
def test_sklearn_compatible_at_defaults(estimator, check):
    check(estimator)


def _xor(seed, n=300, p=6):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, p))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


@pytest.mark.parametrize("seed", [0, 1])
def test_binary_path_shapes_and_choice(seed):
    X, y = _xor(seed)
    model = RegularizedMLPClassifierCV(random_state=seed, **SMALL).fit(X, y)
    n_alphas = len(model.alphas_)
    assert model.scores_path_.shape == (n_alphas, 3)
    assert model.nonzero_weights_path_.shape == (n_alphas, 3)
    assert np.all(np.diff(model.alphas_) > 0)
    best = int(np.flatnonzero(model.alphas_ == model.alpha_)[0])
    # The best mean score, ties to the larger alpha; NaN (not reached) never.
    means = np.where(np.isnan(model.scores_path_), -np.inf, model.scores_path_)
    means = means.mean(axis=1)
    assert model.best_score_ == pytest.approx(means[best])
    assert means[best] == means.max() and np.all(means[best + 1 :] < means[best])
    # Default score: minus the validation log-loss (finite, negative).
    assert np.all(model.scores_path_[np.isfinite(model.scores_path_)] < 0)
    assert model.selection_frequency_.shape == (X.shape[1],)
    assert accuracy_score(y, model.predict(X)) > 0.75


def test_default_folds_are_stratified():
    X, y = _xor(0)
    model = RegularizedMLPClassifierCV(random_state=0, **SMALL).fit(X, y)
    explicit = RegularizedMLPClassifierCV(
        random_state=0, **{**SMALL, "cv": StratifiedKFold(3)}
    ).fit(X, y)
    assert_array_equal(model.scores_path_, explicit.scores_path_)


def test_fold_score_is_the_validation_log_loss():
    X, y = _xor(2)
    y = np.array(["a", "b", "c"])[y + (X[:, 2] > 1)]  # three string classes
    train, test = np.arange(200), np.arange(200, 300)
    params = dict(hidden_layer_sizes=(4,), max_iter=50, random_state=0)
    errors, *_ = _fold_path_scores(
        RegularizedMLPClassifier,
        params,
        X,
        y,
        None,
        train,
        test,
        np.array([1e-2]),
        None,
        LogLossScore(),
    )
    model = RegularizedMLPClassifier(alpha=1e-2, **params).fit(X[train], y[train])
    expected = log_loss(y[test], model.predict_proba(X[test]), labels=model.classes_)
    assert_allclose(errors, [expected], rtol=1e-6)


def test_multiclass_and_string_labels():
    X, y = make_classification(
        300, 8, n_informative=4, n_classes=3, n_clusters_per_class=1, random_state=0
    )
    labels = np.array(["red", "green", "blue"])[y]
    model = RegularizedMLPClassifierCV(random_state=0, **SMALL).fit(X, labels)
    assert list(model.classes_) == ["blue", "green", "red"]
    proba = model.predict_proba(X)
    assert proba.shape == (300, 3)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert set(model.predict(X)) <= set(labels)
    assert model.score(X, labels) > 0.8


@pytest.mark.filterwarnings(
    # Two nearly linear labels: the least penalty may well score best.
    "ignore:The best mean validation score is at the smallest alpha:UserWarning"
)
def test_multilabel_targets():
    X, _ = _xor(3)
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] + X[:, 2] > 0]).astype(int)
    model = RegularizedMLPClassifierCV(random_state=0, **SMALL).fit(X, Y)
    assert model.predict(X).shape == Y.shape
    assert model.predict_proba(X).shape == Y.shape
    assert model.score(X, Y) > 0.6  # subset accuracy


def test_a_class_missing_from_a_fold_still_gets_an_output():
    X, y = _xor(4)
    y = y.copy()
    y[:3] = 2  # a rare third class, all in the first rows
    # The first fold's training rows hold no row of class 2.
    folds = [(np.arange(30, 300), np.arange(30)), (np.arange(150), np.arange(150, 300))]
    model = RegularizedMLPClassifierCV(random_state=0, **{**SMALL, "cv": folds})
    model.fit(X, y)
    assert model.scores_path_.shape[1] == 2
    assert np.isfinite(model.best_score_)
    assert model.predict_proba(X).shape == (300, 3)


def test_scoring_accuracy():
    X, y = _xor(5)
    model = RegularizedMLPClassifierCV(scoring="accuracy", random_state=0, **SMALL).fit(
        X, y
    )
    reached = model.scores_path_[np.isfinite(model.scores_path_)]
    assert np.all((reached >= 0) & (reached <= 1))
    assert 0.5 < model.best_score_ <= 1


def test_class_weight_reaches_every_fit():
    # Imbalanced classes (about 1 in 8 positive): "balanced" must raise the
    # minority's recall of the chosen model.
    X, y = make_classification(
        400, 6, weights=[0.88], flip_y=0.05, class_sep=0.6, random_state=1
    )
    recalls = []
    for class_weight in (None, "balanced"):
        model = RegularizedMLPClassifierCV(
            class_weight=class_weight, random_state=0, **SMALL
        ).fit(X, y)
        recalls.append(np.mean(model.predict(X)[y == 1] == 1))
    assert recalls[1] > recalls[0]


def test_display_from_classifier_cv():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    X, y = _xor(6)
    model = RegularizedMLPClassifierCV(random_state=0, **SMALL).fit(X, y)
    display = RegularizationPathDisplay.from_estimator(model)
    assert display.ax_.get_ylabel() == "validation log-loss"
    assert_allclose(
        display.line_.get_ydata(), np.mean(-model.scores_path_, axis=1), equal_nan=True
    )


def test_no_partial_fit():
    model = RegularizedMLPClassifierCV()
    assert not hasattr(model, "partial_fit")


@pytest.mark.parametrize(
    "y, match",
    [
        (np.zeros(60), "one class"),
        (np.linspace(0, 1, 60), "continuous|Unknown label type"),
    ],
)
def test_bad_targets(y, match):
    X = np.random.RandomState(0).normal(size=(60, 3))
    with pytest.raises(ValueError, match=match):
        RegularizedMLPClassifierCV(**SMALL).fit(X, y)


@pytest.mark.filterwarnings("ignore:The best mean validation score:UserWarning")
def test_convergence_is_reported_once():
    X, y = _xor(7)
    with pytest.warns(ConvergenceWarning) as record:
        RegularizedMLPClassifierCV(
            random_state=0, **{**SMALL, "max_iter": 3, "alphas": [1e-3, 1e-2]}
        ).fit(X, y)
    assert len([w for w in record if w.category is ConvergenceWarning]) == 1


def test_parameters_follow_the_base_estimator():
    import inspect

    base = set(inspect.signature(RegularizedMLPClassifier).parameters)
    cv = set(inspect.signature(RegularizedMLPClassifierCV).parameters)
    extra = {"alphas", "n_alphas", "eps", "cv", "scoring", "n_jobs", "max_iter_warm"}
    assert cv == (base - {"alpha", "warm_start"}) | extra
    assert set(RegularizedMLPClassifierCV._parameter_constraints) == cv
    defaults = RegularizedMLPClassifier().get_params()
    for name, value in RegularizedMLPClassifierCV().get_params().items():
        if name in defaults:
            assert value == defaults[name], name


def _noisy_xor(seed, n, p):
    """XOR of the signs of features 0 and 1 among ``p`` features, 5% flipped."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, p))
    y = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)
    flipped = rng.rand(n) < 0.05
    y[flipped] = 1 - y[flipped]
    return X, y


@pytest.mark.parametrize("seed, n, p", [(0, 600, 12), (1, 800, 16), (2, 500, 10)])
def test_adaptive_group_lasso_keeps_exactly_the_xor_inputs(seed, n, p):
    # No linear signal at all: the grid's top is the gradient's noise level,
    # and the first stage must not fit the noise (ADAPTIVE_NOISE_FLOOR).
    # Defaults otherwise: network, grid, folds.
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = _noisy_xor(seed, n, p)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=seed, stratify=y
    )
    scaler = StandardScaler().fit(X_train)
    model = RegularizedMLPClassifierCV(
        penalty="group_lasso", group_weights="adaptive", random_state=seed
    ).fit(scaler.transform(X_train), y_train)
    assert np.flatnonzero(model.feature_importances_).tolist() == [0, 1]
    # The Bayes accuracy is 0.95 (5% of labels flipped); a linear model
    # scores about 0.5.
    assert model.score(scaler.transform(X_test), y_test) > 0.88


@pytest.mark.filterwarnings("ignore:The best mean validation score:UserWarning")
def test_callable_scoring_with_sample_weight():
    # A user's scorer(estimator, X, y) takes no sample_weight: called without.
    X, y = _xor(8)
    calls = []

    def accuracy(estimator, X_val, y_val):
        calls.append(len(y_val))
        return float(np.mean(estimator.predict(X_val) == y_val))

    model = RegularizedMLPClassifierCV(
        scoring=accuracy, random_state=0, **{**SMALL, "alphas": [1e-3, 1e-2]}
    ).fit(X, y, sample_weight=np.linspace(0.5, 1.5, len(y)))
    assert calls and model.scores_path_.shape == (2, 3)
    assert np.all((model.scores_path_ >= 0) & (model.scores_path_ <= 1))
