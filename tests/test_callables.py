"""User-supplied ``loss`` and ``penalty`` callables, differentiated by autograd."""

import pickle
import warnings

import autograd.numpy as anp
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import check_grad
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.utils.validation import check_is_fitted

from sk_regnet import RegularizedMLPRegressor, RegularizedMLPRegressorCV
from sk_regnet._callables import check_differentiable
from sk_regnet._losses import get_loss
from sk_regnet._network import ParameterLayout, initialize
from sk_regnet._objective import Objective
from sk_regnet._penalties import get_penalty


# Module level, so that estimators holding them pickle.
def log_cosh(y_true, y_pred, sample_weight):
    """Log-cosh loss: squared near zero, absolute far away."""
    return anp.mean(anp.log(anp.cosh(y_pred - y_true)))


def weighted_squared_error(y_true, y_pred, sample_weight):
    """The built-in 'squared_error', written by hand."""
    per_sample = anp.mean((y_true - y_pred) ** 2, axis=1)
    if sample_weight is None:
        return anp.mean(per_sample)
    return anp.sum(sample_weight * per_sample) / anp.sum(sample_weight)


def sum_of_squares(coefs):
    """The built-in 'l2', written by hand."""
    return sum(anp.sum(W**2) for W in coefs)


def lp_penalty(coefs, p=1.5):
    """Sum over all weights of ``|w| ** p`` (smooth for p > 1)."""
    return sum(anp.sum(anp.abs(W) ** p) for W in coefs)


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(40, 2))
    y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2 + 0.05 * rng.randn(40)
    return X, y


def _fit(model, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y, **fit_params)


def test_callables_reproduce_the_built_in_loss_and_penalty(data):
    X, y = data
    sw = np.linspace(0.5, 2.0, X.shape[0])
    # L-BFGS puts both penalties through the gradient ('fista', the default
    # with a penalty, applies the built-in L2 as a proximal shrink instead).
    params = dict(
        hidden_layer_sizes=(5,), alpha=1e-3, solver="lbfgs", random_state=0, max_iter=30
    )
    built_in = _fit(RegularizedMLPRegressor(**params), X, y, sample_weight=sw)
    by_hand = RegularizedMLPRegressor(
        loss=weighted_squared_error, penalty=sum_of_squares, **params
    )
    _fit(by_hand, X, y, sample_weight=sw)
    for a, b in zip(built_in.coefs_, by_hand.coefs_):
        assert_allclose(b, a, rtol=1e-8, atol=1e-10)
    assert_allclose(by_hand.loss_, built_in.loss_)


def test_objective_gradient_with_callables_matches_finite_differences(data):
    X, y = data
    layout = ParameterLayout([2, 4, 1])
    theta = initialize(layout, "glorot_uniform", "tanh", np.random.RandomState(0))
    objective = Objective(
        layout,
        "tanh",
        get_loss(log_cosh),
        get_penalty(lp_penalty),
        0.01,
        X,
        y.reshape(-1, 1),
    )
    error = check_grad(
        lambda t: objective.value_and_grad_smooth(t)[0],
        lambda t: objective.value_and_grad_smooth(t)[1],
        theta,
    )
    assert error < 1e-6


def test_callable_loss_sees_two_dimensional_arrays_and_the_weights(data):
    X, y = data
    seen = []

    def recording_loss(y_true, y_pred, sample_weight):
        seen.append((np.shape(y_true), np.shape(y_pred), sample_weight))
        return anp.mean((y_true - y_pred) ** 2)

    sw = np.ones(X.shape[0])
    model = RegularizedMLPRegressor((3,), loss=recording_loss, max_iter=2)
    _fit(model, X, y, sample_weight=sw)
    shapes = {(a, b) for a, b, _ in seen}
    assert shapes == {((10, 1), (10, 1)), ((40, 1), (40, 1))}
    assert all(s is not None for _, _, s in seen)
    assert model.predict(X).shape == (40,)


def test_callables_are_probed_on_rows_with_positive_weight(data):
    X, y = data
    sw = np.ones(X.shape[0])
    sw[:25] = 0.0  # a weighted mean over the first rows alone would be 0 / 0
    model = RegularizedMLPRegressor((3,), loss=weighted_squared_error, max_iter=5)
    _fit(model, X, y, sample_weight=sw)
    assert np.isfinite(model.loss_)


def test_log_cosh_loss_fits(data):
    X, y = data
    model = _fit(
        RegularizedMLPRegressor(
            (8,), "tanh", loss=log_cosh, random_state=0, max_iter=50
        ),
        X,
        y,
    )
    assert model.score(X, y) > 0.9


def test_larger_alpha_gives_smaller_weights_with_a_callable_penalty(data):
    X, y = data
    sizes = []
    for alpha in (1e-4, 1e-2, 1e-1):
        model = RegularizedMLPRegressor(
            (6,), "tanh", penalty=lp_penalty, alpha=alpha, random_state=0, max_iter=40
        )
        sizes.append(lp_penalty(_fit(model, X, y).coefs_))
    assert sizes[0] > sizes[1] > sizes[2]
    assert sizes[2] < 0.5 * sizes[0]


# ------------------------------------------------------------ clear errors
def _not_differentiable(y_true, y_pred, sample_weight):
    return float(anp.mean((y_true - y_pred) ** 2))


def _per_sample(y_true, y_pred, sample_weight):
    return (y_true - y_pred) ** 2


def _not_finite(y_true, y_pred, sample_weight):
    return anp.mean(y_pred) * np.nan


def _independent(y_true, y_pred, sample_weight):
    return 1.0


def _raises(y_true, y_pred, sample_weight):
    raise KeyError("oops")


def _text(y_true, y_pred, sample_weight):
    return "small"


def _in_place_penalty(coefs):
    coefs[0][0, 0] = 0.0
    return sum(anp.sum(W**2) for W in coefs)


def _infinite_slope_penalty(coefs):
    return sum(anp.sum(anp.sqrt(W**2 - W**2)) for W in coefs)


BAD_CALLABLES = [
    ("loss", _not_differentiable, TypeError, "autograd could not differentiate loss"),
    ("loss", _per_sample, ValueError, r"loss must return a scalar.*\(10, 1\)"),
    ("loss", _not_finite, ValueError, "loss returned a non-finite value"),
    ("loss", _independent, TypeError, "loss does not depend on its input"),
    ("loss", _raises, TypeError, "loss: calling loss.*KeyError"),
    ("loss", _text, TypeError, "loss must return a real number"),
    ("penalty", _in_place_penalty, TypeError, "autograd could not differentiate pen"),
    ("penalty", _infinite_slope_penalty, ValueError, "gradient of penalty"),
]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(
    "name, func, error, message",
    BAD_CALLABLES,
    ids=[f"{n}-{f.__name__}" for n, f, _, _ in BAD_CALLABLES],
)
def test_bad_callables_get_a_clear_error_naming_the_parameter(
    data, name, func, error, message
):
    X, y = data
    model = RegularizedMLPRegressor((3,), solver="adam", **{name: func})
    with pytest.raises(error, match=message):
        model.fit(X, y)
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    with pytest.raises(error, match=message):
        model.partial_fit(X, y)


def test_a_bad_callable_leaves_a_fitted_model_unchanged(data):
    X, y = data
    model = _fit(RegularizedMLPRegressor((3,), max_iter=5, warm_start=True), X, y)
    coefs = [W.copy() for W in model.coefs_]
    model.set_params(loss=_per_sample)
    with pytest.raises(ValueError, match="loss must return a scalar"):
        model.fit(X, y)
    for a, b in zip(coefs, model.coefs_):
        assert_allclose(a, b)


def _text_penalty(coefs):
    return "not a number"


@pytest.mark.parametrize(
    "bad_params, error",
    [
        (dict(penalty=_text_penalty), TypeError),
        (dict(penalty="group_lasso", solver="adam", groups=[0, 1]), ValueError),
        (dict(loss="poisson"), ValueError),  # the new y is negative
    ],
)
def test_a_failed_refit_on_new_data_leaves_the_model_as_it_was(bad_params, error):
    # The new data pass validation (which records n_features_in_ and
    # feature_names_in_) and then fail a later check: the model keeps the
    # previous fit's attributes and still predicts on its own data.
    rng = np.random.RandomState(0)
    old = pd.DataFrame(rng.uniform(size=(20, 3)), columns=["a", "b", "c"])
    new = pd.DataFrame(rng.normal(size=(20, 5)), columns=list("vwxyz"))
    model = RegularizedMLPRegressor((3,), max_iter=5, random_state=0)
    _fit(model, old, old["a"])
    before = model.predict(old)
    params = model.get_params()
    model.set_params(**bad_params)
    with pytest.raises(error):
        model.fit(new, -1.0 - new["v"] ** 2)
    assert model.n_features_in_ == 3
    assert list(model.feature_names_in_) == ["a", "b", "c"]
    # (predict reads loss and activation from the parameters, as MLPRegressor.)
    assert_allclose(model.set_params(**params).predict(old), before)
    # A first fit that fails leaves no trace of the data.
    fresh = clone(model).set_params(**bad_params)
    with pytest.raises(error):
        fresh.fit(new, -1.0 - new["v"] ** 2)
    assert not hasattr(fresh, "n_features_in_")
    assert not hasattr(fresh, "feature_names_in_")


def test_a_refit_that_fails_in_training_or_in_cv_keeps_the_data_attributes():
    # Failures after validation in the other places: the early-stopping split
    # (too few rows) and the CV estimator's fold checks.
    rng = np.random.RandomState(0)
    X3, y = rng.normal(size=(100, 3)), rng.normal(size=100)
    model = _fit(RegularizedMLPRegressor((3,), max_iter=5, random_state=0), X3, y)
    model.set_params(solver="adam", early_stopping=True)
    with pytest.raises(ValueError, match="validation"):
        model.fit(rng.normal(size=(8, 4)), rng.normal(size=8))
    assert model.n_features_in_ == 3
    assert model.predict(X3).shape == (100,)

    cv = RegularizedMLPRegressorCV((3,), alphas=[0.1], cv=2, max_iter=5)
    _fit(cv, X3, y)
    before = (cv.alpha_, cv.mse_path_.copy())
    weights = np.r_[np.zeros(50), np.ones(50)]  # the first test fold weighs 0
    with pytest.raises(ValueError, match="every test row of CV fold 0"):
        cv.fit(rng.normal(size=(100, 5)), y, sample_weight=weights)
    assert cv.n_features_in_ == 3
    assert (cv.alpha_, cv.mse_path_.tolist()) == (before[0], before[1].tolist())
    assert cv.predict(X3).shape == (100,)


def test_check_differentiable_returns_the_value():
    value = check_differentiable(
        lambda w: anp.sum(w**2), np.array([1.0, 2.0]), "penalty", "penalty(coefs)"
    )
    assert value == 5.0
    assert isinstance(value, float)


# ------------------------------------------- pickle, clone, model selection
def test_pickle_and_clone_keep_module_level_callables(data):
    X, y = data
    model = _fit(
        RegularizedMLPRegressor(
            (4,), loss=log_cosh, penalty=lp_penalty, random_state=0, max_iter=10
        ),
        X,
        y,
    )
    restored = pickle.loads(pickle.dumps(model))
    assert restored.loss is log_cosh
    assert restored.penalty is lp_penalty
    assert_allclose(restored.predict(X), model.predict(X))
    twin = clone(model)
    assert twin.get_params()["loss"] is log_cosh
    assert not hasattr(twin, "coefs_")
    _fit(twin, X, y)
    assert_allclose(twin.predict(X), model.predict(X))


def test_grid_search_over_callables(data):
    X, y = data
    search = GridSearchCV(
        RegularizedMLPRegressor((4,), "tanh", random_state=0, max_iter=10),
        {"loss": [log_cosh, "squared_error"], "penalty": [lp_penalty, "l2"]},
        cv=2,
    )
    _fit(search, X, y)
    assert len(search.cv_results_["params"]) == 4
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.predict(X).shape == (40,)
