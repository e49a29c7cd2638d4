"""Tests of the solver helpers (``_solvers``, ``_stochastic``, ``_solver_base``)
that the estimator tests do not reach, and of the L-BFGS-B wrapper against
scipy's L-BFGS-B called directly."""

import numpy as np
import pytest
import scipy.optimize
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import Lasso

from sk_regnet import RegularizedMLPRegressor, _solvers, _stochastic
from sk_regnet._solver_base import _all_finite
from sk_regnet._solvers import lbfgs


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_all_finite(dtype):
    g = np.linspace(-3, 3, 7).astype(dtype)
    assert _all_finite(1.0, g)
    assert not _all_finite(np.inf, g)
    assert not _all_finite(np.nan, g)
    for bad in (np.inf, -np.inf, np.nan):
        h = g.copy()
        h[3] = bad
        assert not _all_finite(1.0, h)
    # Finite entries whose squares overflow: still finite. (The estimator
    # trains with floating-point errors ignored, as here.)
    huge = np.full(5, np.finfo(dtype).max / 2, dtype=dtype)
    with np.errstate(over="ignore"):
        assert _all_finite(1.0, huge)
        huge[0] = np.inf
        assert not _all_finite(1.0, huge)


def _quadratic(n=6, seed=0):
    rng = np.random.RandomState(seed)
    A = rng.normal(size=(n, n))
    A = A @ A.T + 0.1 * np.eye(n)
    b = rng.normal(size=n)

    def value_and_grad(x):
        g = A @ x - b
        return 0.5 * float(x @ (A @ x)) - float(b @ x), g

    return value_and_grad, rng.normal(size=n)


def test_lbfgs_evaluates_each_point_once_and_follows_scipy():
    value_and_grad, x0 = _quadratic()
    points = []

    def counted(x):
        points.append(x.tobytes())
        return value_and_grad(x)

    result = lbfgs(counted, x0, max_iter=50, max_fun=1000, tol=1e-10)
    # scipy asks for the value and the gradient separately; one evaluation
    # serves both.
    assert len(points) == len(set(points))
    reference = scipy.optimize.minimize(
        value_and_grad,
        x0,
        method="L-BFGS-B",
        jac=True,
        options={"maxiter": 50, "maxfun": 1000, "gtol": 1e-10},
    )
    assert len(points) == reference.nfev
    assert result.n_iter == reference.nit
    assert_array_equal(result.x, reference.x)
    assert result.loss_curve[-1] == reference.fun


def _bounded_quadratic(seed, n=12):
    """A convex quadratic, its value-and-gradient, and box bounds."""
    rng = np.random.RandomState(seed)
    A = rng.normal(size=(n, n))
    H = A @ A.T + n * np.eye(n)
    b = rng.normal(size=n) * 5

    def value_and_grad(x):
        return 0.5 * x @ H @ x - b @ x, H @ x - b

    lower = np.where(np.arange(n) % 2 == 0, 0.0, -np.inf)
    return value_and_grad, scipy.optimize.Bounds(lower, np.inf)


def _scipy_reference(value_and_grad, x0, bounds, tol, max_iter=100):
    return scipy.optimize.minimize(
        value_and_grad,
        x0,
        method="L-BFGS-B",
        jac=True,
        bounds=bounds,
        options={"maxiter": max_iter, "gtol": tol},
    )


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("bounded", [True, False])
def test_lbfgs_follows_scipy_from_a_cold_start(seed, bounded):
    vg, bounds = _bounded_quadratic(seed)
    bounds = bounds if bounded else None
    x0 = np.random.RandomState(seed + 10).normal(size=12)
    ours = _solvers.lbfgs(vg, x0, max_iter=100, max_fun=15000, tol=1e-8, bounds=bounds)
    ref = _scipy_reference(vg, x0, bounds, 1e-8)
    assert ours.n_iter == ref.nit > 0
    assert_array_equal(ours.x, ref.x)
    assert ours.converged


@pytest.mark.parametrize("bounded", [True, False])
def test_lbfgs_at_a_solution_takes_no_step(bounded, monkeypatch):
    vg, bounds = _bounded_quadratic(0)
    bounds = bounds if bounded else None
    solution = _scipy_reference(vg, np.zeros(12), bounds, 1e-12, max_iter=500).x
    if bounded:
        # Some coordinates sit on their bound with the gradient pushing out.
        active = (solution == 0) & (vg(solution)[1] > 1e-6)
        assert active.any()
    ref = _scipy_reference(vg, solution, bounds, 1e-4)
    ours = _solvers.lbfgs(
        vg, solution, max_iter=100, max_fun=15000, tol=1e-4, bounds=bounds
    )
    assert ref.nit == ours.n_iter == 0
    assert ours.converged and not ours.diverged
    assert_array_equal(ours.x, ref.x)
    assert ours.x is not solution  # a new array, as scipy's
    # ... and decided before scipy is called at all (its set-up is the cost).
    calls = []
    monkeypatch.setattr(
        scipy.optimize, "minimize", lambda *a, **k: calls.append(1) or ref
    )
    _solvers.lbfgs(vg, solution, max_iter=100, max_fun=15000, tol=1e-4, bounds=bounds)
    assert calls == []


def test_projected_gradient_ignores_only_blocked_directions():
    bounds = scipy.optimize.Bounds(np.array([0.0, 0.0, -np.inf]), np.inf)
    x = np.array([0.0, 0.0, 1.0])
    # Coordinate 0 at its bound, gradient pushes out: ignored. Coordinate 1
    # at its bound, gradient pulls in: counts. Coordinate 2 free.
    g = np.array([5.0, -2.0, 0.5])
    assert _solvers._projected_gradient_norm(x, g, bounds) == 2.0
    assert _solvers._projected_gradient_norm(x, g, None) == 5.0
    # Inside the box, a step of at most the distance to the bound.
    x = np.array([0.25, 1.0, 0.0])
    assert _solvers._projected_gradient_norm(x, g, bounds) == 2.0
    g = np.array([5.0, 0.0, 0.0])
    assert _solvers._projected_gradient_norm(x, g, bounds) == 0.25


def test_lbfgs_start_outside_the_box_is_projected_first():
    vg, bounds = _bounded_quadratic(1)
    x0 = np.full(12, -1.0)
    ours = _solvers.lbfgs(vg, x0, max_iter=100, max_fun=15000, tol=1e-8, bounds=bounds)
    ref = _scipy_reference(vg, x0, bounds, 1e-8)
    assert_array_equal(ours.x, ref.x)
    assert np.all(ours.x >= bounds.lb)
    assert_allclose(x0, -1.0)  # the caller's start is not modified


# ------------------------------------------ proximal steps of sgd and adam
@pytest.fixture(scope="module")
def lasso_problem():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 6))
    X[:, 1] += 0.8 * X[:, 0]
    y = X @ np.array([1.5, 0, -2, 0, 0.3, 0]) + 0.5 + 0.3 * rng.normal(size=80)
    return X, y


# tol=0 runs every one of the max_iter epochs, so the fit always 'stops short'.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("momentum, nesterov", [(0.9, True), (0.9, False), (0.5, True)])
def test_sgd_with_momentum_solves_the_l1_problem_as_written(
    lasso_problem, momentum, nesterov
):
    # No hidden layer: J = mean (y - Xw - b)^2 + alpha |w|_1 is sklearn's Lasso
    # at alpha / 2. Full batches, so the fixed point is exact. Before the
    # proximal move was added to the velocity, momentum 0.9 converged to the
    # Lasso at alpha * (1 - 0.9) / 2.
    X, y = lasso_problem
    alpha = 0.05
    reference = Lasso(alpha=alpha / 2, tol=1e-14, max_iter=100_000).fit(X, y)
    assert np.count_nonzero(reference.coef_) == 5
    model = RegularizedMLPRegressor(
        (),
        penalty="l1",
        alpha=alpha,
        solver="sgd",
        momentum=momentum,
        nesterovs_momentum=nesterov,
        batch_size=len(y),
        learning_rate_init=0.01,
        max_iter=3000,
        tol=0.0,
        n_iter_no_change=10**6,
        random_state=0,
    ).fit(X, y)
    assert_allclose(model.coefs_[0].ravel(), reference.coef_, atol=1e-6)
    assert_allclose(model.intercepts_[0], [reference.intercept_], atol=1e-6)
    assert_array_equal(model.coefs_[0].ravel() == 0, reference.coef_ == 0)


def test_adam_proximal_metric_leaves_out_the_bias_correction_of_m():
    # After the first step, the threshold per unit of alpha is
    # lr * sqrt(1 - beta_2) / (sqrt(v) + eps): the preconditioner of the bias
    # corrected moments, without m's 1 / (1 - beta_1) factor.
    opt = _stochastic.AdamState(
        3, learning_rate_init=0.01, beta_1=0.9, beta_2=0.999, epsilon=1e-8
    )
    g = np.array([2.0, -0.5, 0.0])
    x_new, step = opt.step(np.zeros(3), g)
    v = (1 - 0.999) * g**2
    assert_allclose(step, 0.01 * np.sqrt(1 - 0.999) / (np.sqrt(v) + 1e-8))
    # The gradient step itself is Adam's: lr * m_hat / (sqrt(v_hat) + eps_hat).
    assert_allclose(x_new, -0.01 * np.sign(g), rtol=1e-6)
