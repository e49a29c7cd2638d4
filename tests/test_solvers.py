"""The L-BFGS-B wrapper against scipy's L-BFGS-B called directly."""

import numpy as np
import pytest
import scipy.optimize
from numpy.testing import assert_allclose, assert_array_equal

from sk_regnet import _solvers


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
def test_lbfgs_at_a_solution_takes_no_step(bounded):
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
