"""RegularizedMLPRegressor: fitting, penalties, sample weights, scikit-learn integration."""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_regnet import (
    RegularizedMLPRegressor,
    RegularizedMLPRegressorCV,
    regularization_path,
)


def n_zero_weights(model):
    return sum(int(np.count_nonzero(W == 0.0)) for W in model.coefs_)


@pytest.fixture(scope="module")
def sparse_problem():
    X, y = make_regression(
        n_samples=300, n_features=30, n_informative=5, noise=1.0, random_state=0
    )
    return StandardScaler().fit_transform(X), (y - y.mean()) / y.std()


@pytest.mark.parametrize("solver", ["lbfgs", "adam", "sgd"])
def test_l1_gives_exact_zeros(sparse_problem, solver):
    X, y = sparse_problem
    params = dict(
        hidden_layer_sizes=(16,),
        penalty="l1",
        solver=solver,
        learning_rate_init=0.01,  # stochastic solvers only
        batch_size=32,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sparse = RegularizedMLPRegressor(alpha=1e-2, **params).fit(X, y)
        dense = RegularizedMLPRegressor(**{**params, "penalty": "l2"}, alpha=1e-2).fit(
            X, y
        )
    n_weights = sum(W.size for W in sparse.coefs_)
    assert n_zero_weights(sparse) >= 0.1 * n_weights
    assert n_zero_weights(dense) == 0
    assert sparse.score(X, y) > 0.8


@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
def test_huge_alpha_zeroes_every_weight_and_predicts_weighted_mean(
    sparse_problem, penalty
):
    X, y = sparse_problem
    y = y + 3.0
    sw = np.random.RandomState(0).randint(1, 4, size=y.size).astype(float)
    model = RegularizedMLPRegressor((8,), penalty=penalty, alpha=1e3, random_state=0)
    model.fit(X, y, sample_weight=sw)
    assert all(np.all(W == 0.0) for W in model.coefs_)
    assert_allclose(model.predict(X), np.average(y, weights=sw), rtol=1e-6)


@pytest.mark.parametrize("solver", ["lbfgs", "gd"])
def test_integer_sample_weight_equals_repeated_rows(solver):
    rng = np.random.RandomState(3)
    X = rng.uniform(-1, 1, size=(30, 2))
    y = np.sin(3 * X[:, 0]) + X[:, 1] ** 2
    sw = rng.randint(0, 4, size=30)
    params = dict(
        hidden_layer_sizes=(5,),
        activation="tanh",
        penalty="l2",
        alpha=1e-2,
        solver=solver,
        learning_rate_init=0.1,
        max_iter=300,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = RegularizedMLPRegressor(**params).fit(X, y, sample_weight=sw)
        repeated = RegularizedMLPRegressor(**params).fit(
            np.repeat(X, sw, axis=0), np.repeat(y, sw)
        )
    for a, b in zip(weighted.coefs_, repeated.coefs_):
        assert_allclose(a, b, rtol=1e-6, atol=1e-9)
    assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-6)


def test_grid_search_in_pipeline_beats_the_article(article):
    X_train, X_test, y_train, y_test = article
    pipe = make_pipeline(
        StandardScaler(),
        RegularizedMLPRegressor((10,), "tanh", max_iter=500, random_state=0),
    )
    grid = {
        "regularizedmlpregressor__penalty": [None, "l1", "l2"],
        "regularizedmlpregressor__alpha": [1e-4, 1e-3, 1e-2],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(pipe, grid, cv=3, n_jobs=2).fit(X_train, y_train)
    test_mse = np.mean((y_test - search.predict(X_test)) ** 2)
    assert test_mse < 0.02
    assert len(search.cv_results_["params"]) == 9


def test_fitted_attributes_and_shapes(small_regression):
    X, y = small_regression
    model = RegularizedMLPRegressor((6, 4), "tanh", random_state=0, max_iter=50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
        model_1d = RegularizedMLPRegressor((4,), max_iter=20, random_state=0).fit(
            X, y[:, 0]
        )
    assert [W.shape for W in model.coefs_] == [(3, 6), (6, 4), (4, 2)]
    assert [b.shape for b in model.intercepts_] == [(6,), (4,), (2,)]
    assert model.n_outputs_ == 2 and model.n_features_in_ == 3 and model.n_layers_ == 4
    assert model.predict(X).shape == (40, 2)
    assert len(model.loss_curve_) == model.n_iter_ > 0
    assert model.best_loss_ == min(model.loss_curve_)
    assert np.isfinite(model.loss_)
    assert model_1d.predict(X).shape == (40,)
    assert model_1d.n_outputs_ == 1
    # A warm-started fit on y of shape (n, 1) predicts that shape from then on;
    # partial_fit keeps the shape of the fit it continues.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model_1d.set_params(warm_start=True).fit(X, y[:, :1])
        assert model_1d.predict(X).shape == (40, 1)
        stochastic = RegularizedMLPRegressor((4,), solver="adam", max_iter=5)
        stochastic.fit(X, y[:, 0]).partial_fit(X, y[:, :1])
    assert stochastic.predict(X).shape == (40,)


def test_multi_output_fits_both_targets(small_regression):
    X, y = small_regression
    model = RegularizedMLPRegressor(
        (20,), "tanh", alpha=1e-5, max_iter=500, random_state=0
    )
    model.fit(X, y)
    assert model.score(X, y) > 0.95


def test_feature_names_from_dataframe(small_regression):
    X, y = small_regression
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    model = RegularizedMLPRegressor((4,), max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(frame, y[:, 0])
    assert list(model.feature_names_in_) == ["a", "b", "c"]
    assert_allclose(model.predict(frame), model.predict(frame[["a", "b", "c"]]))
    with pytest.raises(ValueError, match="feature names"):
        model.predict(frame[["c", "b", "a"]])


def test_convergence_warning_and_verbose(small_regression, capsys):
    X, y = small_regression
    model = RegularizedMLPRegressor((4,), solver="gd", max_iter=3, verbose=True)
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        model.fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("Iteration 1, loss = ")


def _warning_sources(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    assert caught, "no warning was raised"
    return {(w.category, w.filename) for w in caught}


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda X, y, m: m.fit(X, y), id="fit"),
        pytest.param(
            lambda X, y, m: m.set_params(solver="adam", batch_size=100).partial_fit(
                X, y
            ),
            id="partial_fit",
        ),
        pytest.param(
            lambda X, y, m: m.set_params(solver="adam", batch_size=100).fit(X, y),
            id="batch_size",
        ),
        pytest.param(
            lambda X, y, m: make_pipeline(StandardScaler(), m).fit(X, y),
            id="pipeline",
        ),
        pytest.param(
            lambda X, y, m: cross_val_score(m, X, y, cv=2), id="cross_val_score"
        ),
        pytest.param(
            lambda X, y, m: RegularizedMLPRegressorCV(
                (4,), max_iter=2, alphas=[1e-3, 1e-2], cv=2
            ).fit(X, y),
            id="cv_estimator",
        ),
        pytest.param(
            lambda X, y, m: regularization_path(X, y, alphas=[1e-3], max_iter=2),
            id="regularization_path",
        ),
    ],
)
def test_warnings_point_at_the_callers_line(small_regression, call):
    # However deep in sk_regnet, scikit-learn or joblib a warning is raised,
    # it is attributed to the user's code: here, this test file.
    X, y = small_regression
    model = RegularizedMLPRegressor((4,), max_iter=2, random_state=0)
    sources = _warning_sources(lambda: call(X, y, model))
    assert {filename for _, filename in sources} == {__file__}
    assert {category for category, _ in sources} <= {ConvergenceWarning, UserWarning}


def test_gd_with_zero_tol_runs_exactly_max_iter(small_regression):
    X, y = small_regression
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = RegularizedMLPRegressor((4,), solver="gd", tol=0.0, max_iter=37).fit(
            X, y
        )
    assert model.n_iter_ == 37


@pytest.mark.parametrize(
    "param, value",
    [
        ("alpha", -1.0),
        ("l1_ratio", 1.5),
        ("penalty", "l3"),
        ("solver", "newton"),
        ("activation", "softplus"),
        ("weight_init", "zeros"),
        ("max_iter", 0),
        ("learning_rate_init", 0.0),
        ("batch_size", 0),
    ],
)
def test_bad_hyperparameter_names_the_parameter(small_regression, param, value):
    X, y = small_regression
    model = RegularizedMLPRegressor(**{param: value})  # construction never validates
    with pytest.raises(ValueError, match=param):
        model.fit(X, y)


@pytest.mark.parametrize("sizes", [(0,), (4, -1), (2.5,)])
def test_bad_layer_sizes(small_regression, sizes):
    X, y = small_regression
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        RegularizedMLPRegressor(sizes).fit(X, y)


# ------------------------------------ MLPRegressor's behaviour (issue 15)
@pytest.mark.parametrize("solver", ["gd", "sgd", "adam"])
def test_n_iter_no_change_inf_trains_to_max_iter(small_regression, solver):
    # As MLPRegressor: no patience limit, even with a tolerance nothing meets.
    X, y = small_regression
    model = RegularizedMLPRegressor(
        (4,),
        solver=solver,
        tol=1e9,
        n_iter_no_change=np.inf,
        max_iter=12,
        learning_rate_init=1e-3,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning, match="max_iter=12"):
        model.fit(X, y)
    assert model.n_iter_ == 12
    with pytest.raises(ValueError, match="n_iter_no_change"):
        model.set_params(n_iter_no_change=2.5).fit(X, y)


@pytest.mark.parametrize("solver", ["lbfgs", "fista", "gd", "sgd", "adam"])
def test_inputs_near_the_float_maximum_raise(small_regression, solver):
    # The objective overflows at the initial weights while the all-zero
    # network fits: nothing can be trained, and the error says the inputs
    # need scaling (MLPRegressor's message), instead of a warning and the
    # random start returned as a model. A previous fit is kept.
    X, y = small_regression
    model = RegularizedMLPRegressor((4,), solver=solver, max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    coefs = [W.copy() for W in model.coefs_]
    huge = np.finfo(np.float64).max * np.random.RandomState(0).uniform(size=X.shape)
    with pytest.raises(ValueError, match="non-finite parameter weights.*scale X"):
        model.fit(huge, y)
    for W, before in zip(model.coefs_, coefs):
        assert_allclose(W, before)


def test_partial_fit_starts_from_weights_set_by_hand():
    # As MLPRegressor: coefs_ and intercepts_ assigned before the first
    # partial_fit are where training starts (one plain SGD step here).
    X = np.array([[0.5, -1.0]])
    y = np.array([2.0])
    model = RegularizedMLPRegressor(
        (1,),
        "identity",
        penalty=None,
        solver="sgd",
        momentum=0.0,
        learning_rate_init=0.1,
    )
    model.coefs_ = [np.array([[1.0], [2.0]]), np.array([[0.5]])]
    model.intercepts_ = [np.array([0.0]), np.array([0.0])]
    model.n_features_in_ = 2
    model.partial_fit(X, y)
    # f = 0.5 * (0.5 - 2) = -0.75; dL/df = 2 (f - y) = -5.5.
    assert_allclose(model.coefs_[1], [[0.5 + 0.1 * 5.5 * -1.5]])
    assert_allclose(model.intercepts_[1], [0.55])
    assert_allclose(model.coefs_[0], [[1.0 + 0.1 * 5.5 * 0.5 * 0.5], [2.0 - 0.275]])
    assert model.t_ == 1 and model.predict(X).shape == (1,)
