"""Tests of the solver helpers in ``_solvers`` that the estimator tests do not reach."""

import numpy as np
import pytest
import scipy.optimize
from numpy.testing import assert_array_equal

from sk_regnet._solvers import _all_finite, lbfgs


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
