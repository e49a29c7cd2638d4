"""Each penalty's proximal operator against a brute-force minimisation."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import minimize

from sk_regnet._penalties import get_penalty


def brute_force_prox(penalty, coefs, step):
    """argmin_w 0.5 ||w - v||^2 + step * (P(w) - P_smooth(w)) by Nelder-Mead + Powell."""
    shapes = [W.shape for W in coefs]
    v = np.concatenate([W.ravel() for W in coefs])

    def unflatten(w):
        out, start = [], 0
        for s in shapes:
            n = int(np.prod(s))
            out.append(w[start : start + n].reshape(s))
            start += n
        return out

    def objective(w):
        parts = unflatten(w)
        nonsmooth = penalty.value(parts) - penalty.smooth_value(parts)
        return 0.5 * np.sum((w - v) ** 2) + step * nonsmooth

    res = minimize(
        objective, v, method="Powell", options={"xtol": 1e-10, "ftol": 1e-14}
    )
    return unflatten(res.x), objective


@pytest.mark.parametrize("name", ["l1", "elasticnet", "l2", None])
@pytest.mark.parametrize("step", [0.05, 0.3, 2.0])
def test_prox_is_the_minimiser(name, step):
    rng = np.random.RandomState(0)
    coefs = [rng.normal(size=(3, 2)), rng.normal(size=(2, 1))]
    penalty = get_penalty(name, l1_ratio=0.4)
    prox = penalty.prox(coefs, step)
    brute, objective = brute_force_prox(penalty, coefs, step)
    flat = lambda ws: np.concatenate([W.ravel() for W in ws])  # noqa: E731
    assert_allclose(flat(prox), flat(brute), atol=1e-5)
    # And no point does better than the closed form.
    assert objective(flat(prox)) <= objective(flat(brute)) + 1e-12


def test_prox_gives_exact_zeros_and_does_not_mutate():
    coefs = [np.array([[0.5, -0.05], [0.01, -2.0]])]
    before = coefs[0].copy()
    (out,) = get_penalty("l1").prox(coefs, 0.1)
    assert_allclose(out, [[0.4, 0.0], [0.0, -1.9]])
    assert np.count_nonzero(out == 0.0) == 2
    assert_allclose(coefs[0], before)


def test_values():
    coefs = [np.array([[1.0, -2.0]]), np.array([[3.0], [0.0]])]
    assert get_penalty(None).value(coefs) == 0.0
    assert_allclose(get_penalty("l1").value(coefs), 6.0)
    assert_allclose(get_penalty("l2").value(coefs), 14.0)
    assert_allclose(get_penalty("elasticnet", 0.25).value(coefs), 0.25 * 6 + 0.75 * 14)
    assert_allclose(
        get_penalty(lambda cs: sum((W**4).sum() for W in cs)).value(coefs), 98.0
    )


def test_unknown_penalty():
    with pytest.raises(ValueError, match="penalty"):
        get_penalty("l3")
