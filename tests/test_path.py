"""Tests of regularization_path and the per-fold path scoring."""

import autograd.numpy as anp
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.metrics import mean_poisson_deviance

from sk_regnet import RegularizedMLPRegressor, regularization_path
from sk_regnet._cv_folds import SquaredErrorScore, _fold_path_scores
from sk_regnet._grid import null_deviance as _null_loss
from sk_regnet._groups import input_moments
from sk_regnet._path import PathStep
from sk_regnet._penalties import get_penalty

# Tiny budgets keep these tests fast; not converging is expected.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture
def sparse_linear_data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 5))
    y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.normal(size=60)
    return X, y


def test_path_shapes_order_and_records(sparse_linear_data):
    X, y = sparse_linear_data
    alphas, coefs, intercepts, steps = regularization_path(
        X,
        y,
        alphas=[1e-1, 1e-3, 1e-2],
        hidden_layer_sizes=(4,),
        max_iter=50,
        random_state=0,
    )
    assert_array_equal(alphas, [1e-3, 1e-2, 1e-1])  # dense to sparse
    assert [c.shape for c in coefs] == [(3, 5, 4), (3, 4, 1)]
    assert [b.shape for b in intercepts] == [(3, 4), (3, 1)]
    assert all(isinstance(s, PathStep) for s in steps)
    assert [s.alpha for s in steps] == [1e-3, 1e-2, 1e-1]
    assert [s.warm_start for s in steps] == [False, True, True]
    # The first step is a plain cold fit at the smallest alpha.
    cold = RegularizedMLPRegressor((4,), alpha=1e-3, max_iter=50, random_state=0).fit(
        X, y
    )
    assert_allclose(coefs[0][0], cold.coefs_[0])
    assert steps[0].n_iter == cold.n_iter_
    # Records agree with the stored parameters: J = L + alpha * P.
    for i, step in enumerate(steps):
        P = get_penalty("l2").value([c[i] for c in coefs])
        assert_allclose(step.loss, step.data_loss + step.alpha * P)
        assert step.n_nonzero == sum(np.count_nonzero(c[i]) for c in coefs)


@pytest.mark.parametrize(
    "case",
    [
        dict(penalty="l1"),
        dict(penalty="l2", weighted=True),
        dict(penalty="l1", sparse=True, weighted=True),
        dict(penalty="l2", dtype=np.float32, multi_output=True),
        dict(penalty="l2", solver="adam", early_stopping=True, batch_size=16),
        dict(penalty="l1", solver="sgd", learning_rate_init=0.01, pandas=True),
        dict(penalty="group_lasso", solver="fista"),
        dict(penalty="l2", solver="gd", learning_rate_init=0.05),
    ],
    ids=str,
)
def test_path_is_a_sequence_of_public_warm_started_fits(sparse_linear_data, case):
    # The path validates the data once, refits through a private entry and
    # draws a random generator only when a fit uses one; the result must be
    # what the public API gives step by step.
    case = dict(case)
    X, y = sparse_linear_data
    sw = (
        np.random.RandomState(1).uniform(0.5, 3, len(y))
        if case.pop("weighted", 0)
        else None
    )
    if case.pop("multi_output", False):
        y = np.column_stack([y, -y])
    X = X.astype(case.pop("dtype", np.float64))
    if case.pop("sparse", False):
        X = sp.csr_matrix(np.where(np.abs(X) > 0.5, X, 0))
    if case.pop("pandas", False):
        X = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    alphas = [1e-3, 1e-2, 1e-1]
    params = dict(hidden_layer_sizes=(4,), max_iter=30, **case)
    _, coefs, intercepts, steps = regularization_path(
        X, y, alphas=alphas, sample_weight=sw, random_state=0, max_iter_warm=7, **params
    )
    model = RegularizedMLPRegressor(**params, random_state=0)
    for i, alpha in enumerate(alphas):
        model.set_params(alpha=alpha, warm_start=i > 0, max_iter=30 if i == 0 else 7)
        model.fit(X, y, sample_weight=sw)
        for k in range(2):
            assert_array_equal(coefs[k][i], model.coefs_[k])
            assert_array_equal(intercepts[k][i], model.intercepts_[k])
        assert steps[i].n_iter == model.n_iter_
        # The input moments a path step keeps are those of its data.
        assert_allclose(steps[i].estimator.group_importances_, model.group_importances_)


def test_path_computes_the_input_moments_once(sparse_linear_data, monkeypatch):
    # Every step refits the same data: one pass over X for its moments, not
    # one per alpha (a fifth of a one-iteration warm step's time).
    import sk_regnet._base as base

    calls = []
    monkeypatch.setattr(
        base,
        "input_moments",
        lambda *args, **kwargs: calls.append(1) or input_moments(*args, **kwargs),
    )
    X, y = sparse_linear_data
    regularization_path(
        X, y, alphas=[1e-3, 1e-2, 1e-1], hidden_layer_sizes=(4,), max_iter=20
    )
    assert len(calls) == 1


@pytest.mark.parametrize("early_stopping", [False, True])
def test_stochastic_path_records_the_objective_at_each_solution(
    sparse_linear_data, early_stopping
):
    # The stochastic solvers' loss_ is an average over their last epoch;
    # the path records J itself, at the solution, on the path's data.
    X, y = sparse_linear_data
    alphas, coefs, intercepts, steps = regularization_path(
        X,
        y,
        alphas=[1e-3, 1e-2],
        hidden_layer_sizes=(4,),
        activation="tanh",
        solver="adam",
        learning_rate_init=0.01,
        batch_size=16,
        early_stopping=early_stopping,
        max_iter=20,
        random_state=0,
    )
    for i, step in enumerate(steps):
        hidden = np.tanh(X @ coefs[0][i] + intercepts[0][i])
        pred = (hidden @ coefs[1][i] + intercepts[1][i]).ravel()
        assert_allclose(step.data_loss, np.mean((y - pred) ** 2), rtol=1e-10)
        P = get_penalty("l2").value([c[i] for c in coefs])
        assert_allclose(step.loss, step.data_loss + step.alpha * P)


def test_warm_steps_take_fewer_iterations_than_cold_fits():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(40, 2))
    y = np.sin(2 * X[:, 0]) + X[:, 1]
    params = dict(
        hidden_layer_sizes=(3,),
        activation="tanh",
        solver="lbfgs",
        tol=1e-6,
        max_iter=500,
        random_state=0,
    )
    alphas = np.geomspace(1e-4, 1e-1, 4)
    # Same budget for warm and cold fits: only the start point differs.
    _, _, _, steps = regularization_path(
        X, y, alphas=alphas, max_iter_warm=500, **params
    )
    warm = [s.n_iter for s in steps[1:]]
    cold = [
        RegularizedMLPRegressor(alpha=a, **params).fit(X, y).n_iter_ for a in alphas[1:]
    ]
    assert sum(warm) < 0.8 * sum(cold)


def test_default_warm_budget_caps_later_steps(sparse_linear_data):
    X, y = sparse_linear_data
    _, _, _, steps = regularization_path(
        X,
        y,
        alphas=[1e-3, 1e-2],
        hidden_layer_sizes=(3,),
        max_iter=400,
        random_state=0,
    )
    assert steps[1].n_iter <= 400 // 8


def test_l1_nonzero_weights_grow_as_alpha_shrinks(sparse_linear_data):
    X, y = sparse_linear_data
    _, coefs, _, steps = regularization_path(
        X,
        y,
        n_alphas=6,
        hidden_layer_sizes=(6,),
        activation="relu",
        penalty="l1",
        max_iter=300,
        random_state=0,
    )
    nonzero = np.array([s.n_nonzero for s in steps])
    features = np.array([s.n_features for s in steps])
    # Steps go from small to large alpha: fewer and fewer non-zero weights.
    # (A feature's row can come back on a non-convex path, so only the ends of
    # the feature count are compared.)
    assert np.all(np.diff(nonzero) <= 0)
    assert nonzero[0] > 2 * nonzero[-1]
    assert features[0] == 5 and features[-1] < 5
    assert nonzero[-1] == sum(np.count_nonzero(c[-1]) for c in coefs)


def test_group_lasso_drops_whole_features_as_alpha_grows(sparse_linear_data):
    X, y = sparse_linear_data
    _, coefs, _, steps = regularization_path(
        X,
        y,
        alphas=np.geomspace(1e-3, 1.0, 5),
        hidden_layer_sizes=(4,),
        activation="tanh",
        penalty="group_lasso",
        solver="fista",
        max_iter=200,
        random_state=0,
    )
    features = np.array([s.n_features for s in steps])
    assert features[0] == 5 and features[-1] < features[0]
    assert np.all(np.diff([s.n_nonzero for s in steps]) <= 0)
    # A dropped feature loses its whole first-layer row.
    rows = np.abs(coefs[0][-1]).sum(axis=1)
    assert np.count_nonzero(rows) == features[-1]


def test_alpha_grid_top_from_the_loss_gradient(sparse_linear_data):
    # Squared error: r = 2 (c - y) / n at the best constant c = mean(y).
    X, y = sparse_linear_data
    G = X.T @ (2 * (y.mean() - y) / len(y))
    params = dict(hidden_layer_sizes=(3,), max_iter=60, random_state=0)
    for penalty, top in (
        ("l1", 1.25 * np.max(np.abs(G))),
        ("group_lasso", 1.25 * np.max(np.abs(G))),  # one feature per group
        ("l2", np.linalg.norm(G)),
        ("elasticnet", min(1.25 * np.max(np.abs(G)) / 0.5, np.linalg.norm(G) / 0.5)),
    ):
        alphas, *_ = regularization_path(
            X, y, n_alphas=4, eps=1e-2, penalty=penalty, **params
        )
        assert_allclose(alphas, np.geomspace(1e-2 * top, top, 4), rtol=1e-6)


def test_callable_penalty_grid_from_the_dense_fit(sparse_linear_data):
    X, y = sparse_linear_data
    params = dict(hidden_layer_sizes=(3,), max_iter=60, random_state=0)

    def l1(coefs):
        return sum(anp.sum(anp.abs(W)) for W in coefs)

    alphas, _, _, steps = regularization_path(
        X, y, n_alphas=4, eps=1e-2, penalty=l1, **params
    )
    dense = RegularizedMLPRegressor(alpha=0.0, penalty=l1, **params).fit(X, y)
    alpha_max = np.var(y) / get_penalty("l1").value(dense.coefs_)
    assert_allclose(alphas, np.geomspace(1e-2 * alpha_max, alpha_max, 4), rtol=1e-6)
    # The path continued from the dense fit: every step is warm.
    assert all(s.warm_start for s in steps)


def test_null_loss_is_the_deviance_of_the_best_constant():
    rng = np.random.RandomState(0)
    y = rng.poisson(3.0, size=50).astype(float)
    w = rng.uniform(0.5, 2, size=50)
    mean = np.average(y, weights=w)
    assert_allclose(
        _null_loss("squared_error", 1.0, y, w), np.average((y - mean) ** 2, weights=w)
    )
    # Poisson (log link): the best constant is the mean; its half deviance.
    for counts in (y, 20 * y):  # means below and above e
        mean = np.average(counts, weights=w)
        expected = 0.5 * mean_poisson_deviance(
            counts, np.full_like(counts, mean), sample_weight=w
        )
        assert_allclose(_null_loss("poisson", 1.0, counts, w), expected, rtol=1e-6)
    # A constant target has no deviance, whatever the loss.
    for loss in ("squared_error", "poisson", "huber"):
        for c in (0.0, 1.0, 50.0):
            assert 0.0 <= _null_loss(loss, 1.0, np.full(20, c), None) <= 1e-9


def test_poisson_alpha_grid_from_the_loss_gradient():
    # Counts with a mean far above e: the best constant is log(mean) and the
    # half deviance's gradient in the raw output is (exp(raw) - y) / n.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = rng.poisson(np.exp(3.0 + 0.5 * X[:, 0])).astype(float)
    params = dict(hidden_layer_sizes=(3,), loss="poisson", max_iter=60, random_state=0)
    alphas, *_ = regularization_path(X, y, n_alphas=3, eps=1e-2, penalty="l2", **params)
    top = np.linalg.norm(X.T @ ((y.mean() - y) / len(y)))
    assert top > 1e-3
    assert_allclose(alphas, np.geomspace(1e-2 * top, top, 3), rtol=1e-5)


def test_fold_scores_are_validation_mse(sparse_linear_data):
    X, y = sparse_linear_data
    train, test = np.arange(40), np.arange(40, 60)
    params = dict(hidden_layer_sizes=(3,), max_iter=40, random_state=3)
    fold = _fold_path_scores(
        RegularizedMLPRegressor,
        params,
        X,
        y,
        None,
        train,
        test,
        np.array([1e-2]),
        None,
        SquaredErrorScore(),
    )
    model = RegularizedMLPRegressor(alpha=1e-2, **params).fit(X[train], y[train])
    assert_allclose(fold.errors, [np.mean((model.predict(X[test]) - y[test]) ** 2)])
    assert fold.n_nonzero[0] == 5 * 3 + 3 and fold.n_features[0] == 5
    assert fold.support.tolist() == [[True] * 5]
    assert fold.n_steps == 1


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"alphas": [-1.0, 0.1]}, ValueError, "non-negative"),
        ({"alphas": [[0.1, 0.2]]}, ValueError, "1-D"),
        ({"alpha": 0.1}, TypeError, "alpha"),
        ({"warm_start": True}, TypeError, "warm_start"),
        ({"penalty": None}, ValueError, "penalty"),
        ({"n_alphas": 0}, ValueError, "n_alphas"),
    ],
)
def test_bad_input(sparse_linear_data, kwargs, error, match):
    X, y = sparse_linear_data
    with pytest.raises(error, match=match):
        regularization_path(X, y, hidden_layer_sizes=(2,), max_iter=5, **kwargs)


def test_inputs_not_mutated(sparse_linear_data):
    X, y = sparse_linear_data
    X_copy, y_copy = X.copy(), y.copy()
    alphas = np.array([0.1, 0.01])
    regularization_path(X, y, alphas=alphas, hidden_layer_sizes=(2,), max_iter=5)
    assert_array_equal(X, X_copy)
    assert_array_equal(y, y_copy)
    assert_array_equal(alphas, [0.1, 0.01])


def test_callable_loss_alpha_grid_matches_its_builtin_twin(sparse_linear_data):
    # A callable loss is measured from its value at y_pred = y (identity link).
    X, y = sparse_linear_data

    def squared_error_plus_one(y_true, y_pred, sample_weight):
        return anp.mean((y_true - y_pred) ** 2) + 1.0

    params = dict(hidden_layer_sizes=(3,), max_iter=40, random_state=0)
    ours, *_ = regularization_path(
        X, y, n_alphas=3, penalty="l2", loss=squared_error_plus_one, **params
    )
    builtin, *_ = regularization_path(X, y, n_alphas=3, penalty="l2", **params)
    assert_allclose(ours, builtin, rtol=1e-5)
