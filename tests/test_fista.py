"""The FISTA solver: on its own (convex and non-convex problems) and in the estimator."""

import autograd.numpy as anp
import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.linear_model import Lasso
from sklearn.utils import shuffle

from sk_regnet import RegularizedMLPClassifier, RegularizedMLPRegressor
from sk_regnet._network import ParameterLayout
from sk_regnet._penalties import soft_threshold
from sk_regnet._solvers import _curvature, fista, gd


def _lasso_problem(seed, n=40, p=8):
    rng = np.random.RandomState(seed)
    A = rng.randn(n, p)
    b = A[:, :3] @ np.array([1.5, -2.0, 0.7]) + 0.1 * rng.randn(n)
    return A, b


def _least_squares(A, b):
    n = A.shape[0]

    def value_and_grad(x):
        r = A @ x - b
        return 0.5 * r @ r / n, A.T @ r / n

    return value_and_grad


def _lasso_terms(lam, max_iter, tol=0.0):
    """FISTA's keywords for ``lam * ||x||_1`` (its prox and value)."""
    return dict(
        prox=lambda x, step: soft_threshold(x, lam * step),
        nonsmooth=lambda x: lam * np.sum(np.abs(x)),
        max_iter=max_iter,
        tol=tol,
        n_iter_no_change=10,
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fista_solves_lasso_like_sklearn(seed):
    A, b = _lasso_problem(seed)
    lam = 0.05
    res = fista(
        _least_squares(A, b),
        np.zeros(A.shape[1]),
        **_lasso_terms(lam, max_iter=2000, tol=1e-14),
    )
    ref = Lasso(alpha=lam, fit_intercept=False, tol=1e-12, max_iter=100000).fit(A, b)
    assert_allclose(res.x, ref.coef_, atol=1e-6)
    assert np.array_equal(res.x == 0, ref.coef_ == 0)  # exact zeros, same support
    assert res.converged and not res.diverged


def test_fista_composite_curve_never_increases_and_is_deterministic():
    A, b = _lasso_problem(3)
    lam = 0.1
    kwargs = _lasso_terms(lam, max_iter=300)
    x0 = np.random.RandomState(0).randn(A.shape[1])
    x0_copy = x0.copy()
    res = fista(_least_squares(A, b), x0, **kwargs)
    again = fista(_least_squares(A, b), x0, **kwargs)
    assert_allclose(x0, x0_copy)  # input not modified
    curve = np.array(res.loss_curve)
    assert np.all(np.diff(curve) <= 1e-12 * np.abs(curve[:-1]))
    assert res.n_iter == 300 and len(curve) == 300  # tol=0: exactly max_iter
    assert np.array_equal(res.x, again.x)


def test_fista_beats_gradient_descent_on_ill_conditioned_quadratic():
    # Acceleration: with the same budget FISTA gets much closer than GD with
    # step 1/L on a quadratic with condition number 1e3.
    d = np.logspace(0, 3, 20)

    def value_and_grad(x):
        return 0.5 * np.sum(d * x * x), d * x

    x0 = np.ones(20)
    res = fista(value_and_grad, x0, max_iter=200, tol=0.0, n_iter_no_change=10)
    plain = gd(
        value_and_grad,
        x0,
        learning_rate=1.0 / d.max(),
        max_iter=200,
        tol=0.0,
        n_iter_no_change=10,
    )
    f_fista = value_and_grad(res.x)[0]
    f_gd = value_and_grad(plain.x)[0]
    assert f_fista < 1e-2 * f_gd


def test_fista_with_restart_minimises_rosenbrock():
    # Non-convex: the restart keeps the method monotone and it reaches (1, 1).
    def value_and_grad(x):
        a, b = x
        f = (1 - a) ** 2 + 100 * (b - a * a) ** 2
        g = np.array([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)])
        return f, g

    res = fista(
        value_and_grad,
        np.array([-1.2, 1.0]),
        max_iter=20000,
        tol=0.0,
        n_iter_no_change=1,
    )
    assert_allclose(res.x, [1.0, 1.0], atol=1e-4)
    assert np.all(np.diff(res.loss_curve) <= 1e-12)


def test_fista_reports_non_finite_start_as_diverged():
    res = fista(
        lambda x: (np.nan, x), np.ones(3), max_iter=5, tol=0.0, n_iter_no_change=1
    )
    assert res.diverged and res.n_iter == 0


def test_fista_keeps_float32():
    A, b = _lasso_problem(0)
    A32, b32 = A.astype(np.float32), b.astype(np.float32)
    res = fista(
        _least_squares(A32, b32),
        np.zeros(A.shape[1], dtype=np.float32),
        max_iter=50,
        tol=0.0,
        n_iter_no_change=1,
    )
    assert res.x.dtype == np.float32
    assert res.loss_curve[-1] < 0.5 * np.mean(b**2)


# ---------------------------------------------------------------- estimator
@pytest.fixture
def small_data():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(60, 4))
    y = np.sin(2 * X[:, 0]) + np.exp(X[:, 1]) + 0.05 * rng.randn(60)
    return X, y


def _kkt_group_residuals(model, X, y):
    """Scaled KKT residuals of the group-lasso problem at the fitted model."""
    layout = ParameterLayout([X.shape[1], *model.hidden_layer_sizes, 1])
    objective = model._make_objective(layout, X, y.reshape(-1, 1), None)
    theta = layout.pack(model.coefs_, model.intercepts_)
    _, g = objective.value_and_grad_smooth(theta)
    G, W = layout.weights(g)[0], model.coefs_[0]
    alpha = model.alpha
    kept = np.any(W != 0, axis=1)
    zero_rows = np.linalg.norm(G[~kept], axis=1) / alpha  # must be <= 1
    direction = W[kept] / np.linalg.norm(W[kept], axis=1)[:, None]
    kept_rows = np.linalg.norm(G[kept] + alpha * direction, axis=1) / alpha  # -> 0
    return zero_rows, kept_rows


def test_fista_estimator_reaches_a_group_lasso_stationary_point(small_data):
    X, y = small_data
    model = RegularizedMLPRegressor(
        (6,),
        "tanh",
        penalty="group_lasso",
        alpha=0.03,
        solver="fista",
        max_iter=1500,
        tol=1e-10,
        random_state=0,
    ).fit(X, y)
    zero_rows, kept_rows = _kkt_group_residuals(model, X, y)
    assert model.n_features_selected_ == 2  # features 2, 3 are noise
    assert model.feature_importances_[2] == 0 and model.feature_importances_[3] == 0
    assert np.all(zero_rows <= 1 + 1e-6)
    assert np.all(kept_rows < 1e-3)
    assert np.all(np.diff(model.loss_curve_) <= 1e-10)


def quartic_penalty(coefs):
    return sum(anp.sum(W**4) for W in coefs)


@pytest.mark.parametrize(
    "penalty", [None, "l2", "l1", "elasticnet", "group_lasso", quartic_penalty]
)
def test_fista_fits_every_penalty(small_data, penalty):
    X, y = small_data
    model = RegularizedMLPRegressor(
        (5,),
        "tanh",
        penalty=penalty,
        alpha=0.01,
        solver="fista",
        max_iter=150,
        tol=0.0,
        random_state=0,
    ).fit(X, y)
    assert np.isfinite(model.loss_)
    assert model.loss_curve_[-1] < 0.5 * model.loss_curve_[0]
    assert_allclose(model.loss_, model.loss_curve_[-1], rtol=1e-10)
    assert np.all(np.diff(model.loss_curve_) <= 1e-10)
    if penalty in ("l1", "elasticnet"):
        assert any(np.any(W == 0) for W in model.coefs_)


def test_fista_matches_lbfgs_on_smooth_penalty(small_data):
    # Same objective, two solvers: both reach about the same minimum value.
    X, y = small_data
    common = dict(
        hidden_layer_sizes=(5,),
        activation="tanh",
        penalty="l2",
        alpha=0.01,
        random_state=0,
        max_iter=2000,
    )
    fista_model = RegularizedMLPRegressor(solver="fista", tol=1e-10, **common).fit(X, y)
    lbfgs_model = RegularizedMLPRegressor(solver="lbfgs", tol=1e-9, **common).fit(X, y)
    assert_allclose(fista_model.loss_, lbfgs_model.loss_, rtol=1e-3)


def test_lbfgs_refuses_group_lasso(small_data):
    X, y = small_data
    model = RegularizedMLPRegressor(penalty="group_lasso", solver="lbfgs")
    with pytest.raises(ValueError, match="fista"):
        model.fit(X, y)
    assert not hasattr(model, "coefs_")


def test_adam_drops_whole_features_with_group_lasso(small_data):
    # Adam passes a per-coordinate step to the prox (its diagonal metric).
    X, y = small_data
    model = RegularizedMLPRegressor(
        (6,),
        "tanh",
        penalty="group_lasso",
        alpha=0.05,
        solver="adam",
        learning_rate_init=0.01,
        max_iter=300,
        random_state=0,
    ).fit(X, y)
    W = model.coefs_[0]
    assert np.all(np.isfinite(W))
    # whole rows vanish, never only some entries of a row
    assert np.array_equal(np.any(W == 0, axis=1), np.all(W == 0, axis=1))
    assert model.feature_importances_.tolist()[2:] == [0.0, 0.0]
    assert model.n_features_selected_ == 2


def test_fista_value_only_trials_give_the_same_iterates_with_fewer_gradients():
    A, b = _lasso_problem(4)
    lam = 0.05
    counts = {"grad": 0}
    least_squares = _least_squares(A, b)

    def value_and_grad(x):
        counts["grad"] += 1
        return least_squares(x)

    kwargs = _lasso_terms(lam, max_iter=200)
    x0 = np.zeros(A.shape[1])
    plain = fista(value_and_grad, x0, **kwargs)
    grads_plain, counts["grad"] = counts["grad"], 0
    lean = fista(value_and_grad, x0, value=lambda x: least_squares(x)[0], **kwargs)
    assert_allclose(lean.x, plain.x, rtol=1e-12, atol=1e-15)
    assert_allclose(lean.loss_curve, plain.loss_curve, rtol=1e-12)
    assert counts["grad"] < 0.6 * grads_plain


def test_curvature_power_steps_reach_the_largest_eigenvalue():
    # The difference-of-gradients Hessian product, iterated, tends to the
    # largest curvature of a quadratic from below.
    rng = np.random.RandomState(0)
    Q, _ = np.linalg.qr(rng.randn(12, 12))
    eig = np.logspace(-2, 1, 12)
    H = Q @ np.diag(eig) @ Q.T

    def value_and_grad(x):
        return 0.5 * x @ H @ x, H @ x

    x = rng.randn(12)
    g = value_and_grad(x)[1]
    v, estimates = -g, []
    for _ in range(60):
        found = _curvature(value_and_grad, x, g, v)
        estimates.append(found[0])
        v = found[1]
    assert np.all(np.array(estimates) <= eig.max() * (1 + 1e-6))
    assert_allclose(estimates[-1], eig.max(), rtol=1e-3)
    assert _curvature(value_and_grad, x, g, np.zeros(12)) is None


@pytest.mark.parametrize("curvature_every", [1, 10])
def test_fista_with_a_curvature_floor_still_converges(curvature_every):
    A, b = _lasso_problem(4)
    lam = 0.05
    kwargs = _lasso_terms(lam, max_iter=3000)
    floored = fista(
        _least_squares(A, b),
        np.zeros(A.shape[1]),
        curvature_every=curvature_every,
        **kwargs,
    )
    plain = fista(_least_squares(A, b), np.zeros(A.shape[1]), **kwargs)
    assert_allclose(floored.x, plain.x, atol=1e-8)
    assert np.all(np.diff(floored.loss_curve) <= 1e-12 * np.abs(floored.loss_curve[0]))


@pytest.mark.parametrize("seed", [42, *range(10)])
@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
def test_classifier_weighted_rows_equal_repeated_rows(seed, penalty):
    # check_sample_weight_equivalence's protocol (15 separable rows, 30
    # features, 3 classes; the weighted rows shuffled) on more seeds.
    # Without FISTA's curvature floor, l1 fails on 6 of these 11 seeds (up
    # to 0.13 apart); elasticnet passed on all of them before too.
    rng = np.random.RandomState(seed)
    X = rng.rand(15, 30)
    y = rng.randint(0, 3, size=15)
    sw = rng.randint(0, 5, size=15)
    Xw, yw, sww = shuffle(X, y, sw, random_state=0)
    clf = RegularizedMLPClassifier(penalty=penalty, random_state=0)
    repeated = clone(clf).fit(X.repeat(sw, axis=0), y.repeat(sw))
    weighted = clone(clf).fit(Xw, yw, sample_weight=sww)
    assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-7)


def test_curvature_keeps_its_direction_where_the_gradient_is_flat():
    # A linear function: no curvature anywhere, the direction is kept.
    def value_and_grad(x):
        return float(np.sum(x)), np.ones_like(x)

    x = np.zeros(4)
    v = np.array([3.0, 0.0, 4.0, 0.0])
    curvature, direction = _curvature(value_and_grad, x, np.ones(4), v)
    assert curvature == 0.0
    assert_allclose(direction, v / 5.0)
