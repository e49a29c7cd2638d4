"""What a user gets with the defaults (issue 13): the solver 'auto' picks, a
dominant penalty's constant model, one convergence warning per call, a path
step as an estimator."""

import warnings

import numpy as np
import pytest
from conftest import standardized_split
from numpy.testing import assert_allclose
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LassoCV, RidgeCV
from sklearn.preprocessing import scale

from sk_regnet import (
    RegularizedMLPRegressor,
    RegularizedMLPRegressorCV,
    regularization_path,
)
from sk_regnet._network import ParameterLayout


@pytest.fixture(scope="module")
def shifted_data():
    """Targets with mean 3: a constant model must find it through the biases."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 4))
    y = 3.0 + np.sin(X[:, 0]) + 0.3 * rng.normal(size=200)
    return X, y


@pytest.mark.parametrize(
    "penalty, solver",
    [("l2", "fista"), ("l1", "fista"), ("elasticnet", "fista")]
    + [("group_lasso", "fista"), (None, "lbfgs")],
)
def test_auto_picks_a_solver_for_every_penalty(penalty, solver):
    model = RegularizedMLPRegressor(penalty=penalty)
    assert model.solver == "auto"
    assert model._solver() == solver


def test_group_lasso_fits_at_its_defaults(shifted_data):
    X, y = shifted_data
    model = RegularizedMLPRegressor(penalty="group_lasso", alpha=0.05, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    # Exact zeros: the default solver applies the group prox.
    assert 1 <= model.n_features_selected_ < X.shape[1]


FULL_BATCH = [
    (penalty, solver, alpha)
    for solver in ("lbfgs", "fista")
    for penalty in ("l2", "l1", "group_lasso")
    for alpha in (30.0, 1e6, 1e10)
    if (penalty, solver) != ("group_lasso", "lbfgs")  # refused by design
]


@pytest.mark.parametrize("penalty, solver, alpha", FULL_BATCH)
def test_dominant_penalty_gives_the_best_constant_full_batch(
    shifted_data, penalty, solver, alpha
):
    X, y = shifted_data
    sw = np.linspace(0.5, 2.0, len(y))
    model = RegularizedMLPRegressor(
        (10,), penalty=penalty, solver=solver, alpha=alpha, random_state=0
    ).fit(X, y, sample_weight=sw)
    pred = model.predict(X)
    # Within the solvers' first-order tolerance (tol=1e-4) of the weighted mean.
    assert_allclose(pred, np.average(y, weights=sw), atol=model.tol)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
@pytest.mark.parametrize("penalty", ["l2", "l1", "group_lasso"])
def test_dominant_penalty_gives_the_best_constant_stochastic(
    shifted_data, penalty, solver
):
    # A fixed step size: sgd's L2 term goes through the gradient (as in
    # MLPRegressor), stable while 2 * alpha * learning_rate_init < 2; ten
    # minibatches an epoch give the biases steps enough to reach the mean.
    X, y = shifted_data
    model = RegularizedMLPRegressor(
        (10,),
        penalty=penalty,
        solver=solver,
        alpha=30.0,
        learning_rate_init=0.01,
        batch_size=20,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    pred = model.predict(X)
    assert np.ptp(pred) < 0.05
    assert abs(pred.mean() - y.mean()) < 0.05


def test_output_intercept_refit_is_a_no_op_after_a_converged_fit(shifted_data):
    X, y = shifted_data
    model = RegularizedMLPRegressor(
        (5,),
        "tanh",
        penalty="l2",
        solver="lbfgs",
        alpha=1e-3,
        max_iter=2000,
        random_state=0,
    ).fit(X, y)
    assert model._converged
    layout = ParameterLayout([4, 5, 1])
    theta = layout.pack(model.coefs_, model.intercepts_)
    objective = model._make_objective(layout, X, y.reshape(-1, 1), None)
    # Converged: the gradient in the output bias is within tol, nothing moves.
    assert objective.refit_output_intercepts(theta, model.tol) is theta
    # Biases off by 1: put back at the optimum, J lower.
    shifted = theta.copy()
    shifted[layout.bias_slices[-1]] += 1.0
    refit = objective.refit_output_intercepts(shifted, model.tol)
    assert objective.value(refit) < objective.value(shifted)
    bias = layout.bias_slices[-1]
    assert_allclose(refit[bias], theta[bias], atol=1e-4)  # theta: within tol


def test_path_steps_are_fitted_estimators():
    X, y = load_diabetes(return_X_y=True)
    X, y = scale(X), scale(y)
    X_train, y_train, X_val, y_val = X[:300], y[:300], X[300:], y[300:]
    alphas, coefs, intercepts, steps = regularization_path(
        X_train,
        y_train,
        alphas=[1e-3, 1e-2, 1e-1],
        hidden_layer_sizes=(8,),
        penalty="l1",
        random_state=0,
    )
    for i, step in enumerate(steps):
        model = step.estimator
        assert isinstance(model, RegularizedMLPRegressor)
        assert model.alpha == alphas[i] and not model.warm_start
        for k, W in enumerate(model.coefs_):
            assert_allclose(W, coefs[k][i])
        hidden = np.maximum(X_val @ coefs[0][i] + intercepts[0][i], 0)
        expected = (hidden @ coefs[1][i] + intercepts[1][i]).ravel()
        assert_allclose(model.predict(X_val), expected, rtol=1e-10)
    # Each step is its own copy.
    assert steps[0].estimator.coefs_[0] is not steps[1].estimator.coefs_[0]
    # Validation-set selection in one line.
    best = max(steps, key=lambda s: s.estimator.score(X_val, y_val))
    scores = [s.estimator.score(X_val, y_val) for s in steps]
    assert best.estimator.score(X_val, y_val) == max(scores)


def _convergence_warnings(record):
    return [w for w in record if issubclass(w.category, ConvergenceWarning)]


def test_cv_fit_warns_once_naming_what_did_not_converge():
    X, y = make_friedman1(120, 5, random_state=0)
    model = RegularizedMLPRegressorCV(
        (8,), penalty="l2", n_alphas=4, cv=3, max_iter=5, random_state=0
    )
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        model.fit(X, y)
    found = _convergence_warnings(record)
    assert len(found) == 1
    message = str(found[0].message)
    assert "fold 0" in message and "fold 2" in message
    assert "final network" in message and "max_iter=5" in message


def test_regularization_path_warns_once():
    X, y = make_friedman1(80, 5, random_state=0)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        regularization_path(
            X,
            y,
            alphas=[1e-3, 1e-2, 1e-1],
            hidden_layer_sizes=(8,),
            max_iter=5,
            max_iter_warm=2,
        )
    assert len(_convergence_warnings(record)) == 1


def test_cv_without_penalty_fits_one_network():
    X, y = make_friedman1(60, 5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = RegularizedMLPRegressorCV((4,), penalty=None, cv=3, random_state=0)
        model.fit(X, y)
    assert_allclose(model.alphas_, [0.0])
    assert model.alpha_ == 0.0 and model.mse_path_.shape == (1, 3)


def _diabetes_split(seed):
    return standardized_split(*load_diabetes(return_X_y=True), seed)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_cv_defaults_match_the_linear_baselines_on_diabetes():
    # Nothing but the penalty set: the automatic grid brackets the optimum,
    # and on a nearly linear target the network matches the better of
    # RidgeCV and LassoCV (issue 14; measured over these five splits: l2
    # 0.985-1.001, mean 0.992; l1 0.982-1.069, mean 1.019).
    ratios = {"l2": [], "l1": []}
    for seed in range(5):
        X_train, X_test, y_train, y_test = _diabetes_split(seed)
        linear = min(
            np.mean((m.fit(X_train, y_train).predict(X_test) - y_test) ** 2)
            for m in (RidgeCV(alphas=np.logspace(-3, 3, 30)), LassoCV())
        )
        for penalty in ratios:
            model = RegularizedMLPRegressorCV(penalty=penalty, random_state=seed)
            model.fit(X_train, y_train)
            mse = np.mean((model.predict(X_test) - y_test) ** 2)
            ratios[penalty].append(mse / linear)
            position = np.searchsorted(model.alphas_, model.alpha_)
            assert 0 < position < len(model.alphas_) - 1
    assert np.mean(ratios["l2"]) <= 1.0 and max(ratios["l2"]) <= 1.05
    assert np.mean(ratios["l1"]) <= 1.03 and max(ratios["l1"]) <= 1.1


def test_cv_counts_the_fits_it_warns_about():
    # The final path's cold first step and its polished last step are two fits.
    X, y = make_friedman1(120, 5, random_state=0)
    model = RegularizedMLPRegressorCV(
        (8,), penalty="l2", alphas=[1e-4, 1e-3, 1e-2], cv=3, max_iter=5, random_state=0
    )
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        model.fit(X, y)
    (found,) = _convergence_warnings(record)
    reported, total = str(found.message).split(" fits")[0].split(" of ")
    assert int(reported) <= int(total) == 3 + min(len(model.path_), 2)
