"""The group-lasso penalty: value, safe norm gradient, proximal operators, groups."""

import autograd.numpy as anp
import numpy as np
import pytest
import scipy.optimize
from autograd import grad
from autograd.test_util import check_grads
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from sk_regnet import RegularizedMLPRegressor
from sk_regnet._penalties import (
    L1,
    ElasticNet,
    GroupLasso,
    check_groups,
    get_penalty,
    group_norms,
    group_soft_threshold,
)


def _brute_force_prox(penalty_value, V, step):
    """argmin_W sum (W - V)**2 / (2 step) + P(W) by derivative-free search."""

    def objective(w):
        W = w.reshape(V.shape)
        return np.sum((W - V) ** 2 / (2 * step)) + penalty_value(W)

    best = None
    # Start from V and from 0: the minimiser may sit on the kink at zero.
    for start in (V.ravel(), np.zeros(V.size)):
        res = scipy.optimize.minimize(
            objective,
            start,
            method="Powell",
            options={"xtol": 1e-10, "ftol": 1e-14, "maxiter": 200000},
        )
        if best is None or res.fun < best.fun:
            best = res
    return best.x.reshape(V.shape), best.fun, objective


STEPS = {
    "scalar": lambda rng, shape: 0.7,
    "array": lambda rng, shape: rng.uniform(0.1, 2.0, size=shape),
}


@pytest.mark.parametrize("step_kind", sorted(STEPS))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_group_prox_matches_brute_force(step_kind, seed):
    rng = np.random.RandomState(seed)
    V = rng.randn(4, 3)
    V[2] *= 0.1  # a group that the prox should zero
    ids, n_groups = check_groups([[0], [1, 2], [3]], 4)
    step = STEPS[step_kind](rng, V.shape)

    def value(W):
        return np.sum(group_norms(W, ids, n_groups))

    W_prox = group_soft_threshold(V, step, ids, n_groups)
    W_brute, f_brute, objective = _brute_force_prox(value, V, step)
    assert objective(W_prox.ravel()) <= f_brute + 1e-9
    assert_allclose(W_prox, W_brute, atol=1e-5)


def test_group_prox_zeroes_exactly_and_skips_ungrouped_rows():
    V = np.array([[0.3, 0.4], [3.0, 4.0], [0.01, 0.0]])
    ids, n_groups = check_groups([[0], [1]], 3)  # row 2 in no group
    out = group_soft_threshold(V, 1.0, ids, n_groups)
    assert np.all(out[0] == 0)  # ||(0.3, 0.4)|| = 0.5 <= 1
    assert_allclose(out[1], np.array([3.0, 4.0]) * (1 - 1 / 5.0))
    assert_allclose(out[2], V[2])  # unpenalised, unchanged
    # an array step constant within each group is the scalar formula
    out_arr = group_soft_threshold(V, np.full(V.shape, 1.0), ids, n_groups)
    assert_allclose(out_arr, out, rtol=1e-12)
    assert np.all(out_arr[0] == 0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_weighted_group_prox_scalar_step_is_the_constant_array_step(seed):
    # A scalar step takes the closed form, also with group weights (the
    # FISTA steps of the adaptive group lasso); an array step, Newton's
    # method. Constant within the groups, both solve the same problem.
    rng = np.random.RandomState(seed)
    W = rng.randn(7, 3)
    ids, n_groups = check_groups([[0, 1], [2], [3, 4, 5]], 7)  # row 6: none
    weights = rng.uniform(0.05, 20.0, size=n_groups)
    for step in (0.01, 0.3, 2.0):
        closed = group_soft_threshold(W, step, ids, n_groups, group_weights=weights)
        newton = group_soft_threshold(
            W, np.full(W.shape, step), ids, n_groups, group_weights=weights
        )
        assert_allclose(closed, newton, rtol=1e-12, atol=1e-15)
        assert_array_equal(closed == 0, newton == 0)
        assert_allclose(closed[6], W[6])


def test_group_prox_array_step_zero_condition():
    # zero iff ||V / step|| <= 1, exactly
    V = np.array([[0.5, 1.0]])
    ids, n_groups = check_groups(None, 1)
    step = np.array([[1.0, 2.0]])  # ||V/step|| = sqrt(0.5) < 1
    assert np.all(group_soft_threshold(V, step, ids, n_groups) == 0)
    step = np.array([[0.4, 2.0]])  # ||V/step|| > 1
    assert np.all(group_soft_threshold(V, step, ids, n_groups) != 0)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("penalty", [L1(), ElasticNet(0.3)])
def test_l1_type_prox_matches_brute_force(penalty, seed):
    rng = np.random.RandomState(seed)
    V = rng.randn(3, 2)
    for step in (0.5, rng.uniform(0.1, 1.5, size=V.shape)):

        def value(W):
            return float(penalty.value([W]) - penalty.smooth_value([W]))

        W_prox = penalty.prox([V], [step] if np.ndim(step) else step)[0]
        W_brute, f_brute, objective = _brute_force_prox(value, V, step)
        assert objective(W_prox.ravel()) <= f_brute + 1e-9
        assert_allclose(W_prox, W_brute, atol=1e-5)


def test_group_lasso_value():
    W1 = np.array([[3.0, 4.0], [0.0, 0.0], [1.0, 0.0]])
    W2 = np.array([[1.0], [2.0]])
    assert_allclose(GroupLasso().value([W1, W2]), 5.0 + 0.0 + 1.0)
    assert_allclose(GroupLasso(deep_l2=0.5).value([W1, W2]), 6.0 + 0.5 * 5.0)
    # Nothing goes through the gradient: deep_l2 is applied by the prox too.
    assert GroupLasso(deep_l2=0.5).smooth_value([W1, W2]) == 0.0
    ids, _ = check_groups([[0, 1]], 3)  # row 2 unpenalised
    assert_allclose(GroupLasso(ids).value([W1, W2]), 5.0)
    # the deeper layers shrink by 1 / (1 + 2 t deep_l2); the first layer's
    # rows by group soft-thresholding
    new = GroupLasso(deep_l2=1.0).prox([W1, W2], 0.5)
    assert_allclose(new[1], W2 / 2.0)
    assert_allclose(new[0][0], W1[0] * (1 - 0.5 / 5.0))


def test_group_norms_gradient():
    rng = np.random.RandomState(0)
    ids, n_groups = check_groups([[0, 2], [1]], 4)
    W = rng.randn(4, 3)
    weights = rng.randn(n_groups)

    def f(W):
        return anp.sum(weights * group_norms(W, ids, n_groups))

    check_grads(f, modes=["rev"], order=1)(W)
    # float32 in, float32 out
    assert group_norms(W.astype(np.float32), ids, n_groups).dtype == np.float32


def test_group_norms_gradient_at_zero_is_zero_subgradient():
    ids, n_groups = check_groups(None, 3)
    W = np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 0.0]])
    g = grad(lambda W: anp.sum(group_norms(W, ids, n_groups)))(W)
    assert np.all(np.isfinite(g))
    assert_allclose(g, [[0, 0], [0.6, 0.8], [0, 0]])


def test_gd_on_group_lasso_never_returns_nan():
    # 'gd' differentiates the norm as written; rows at exactly zero must not
    # produce nan (autograd's sqrt would).
    rng = np.random.RandomState(0)
    X = rng.randn(30, 3)
    y = X[:, 0] - X[:, 1]
    model = RegularizedMLPRegressor(
        (4,),
        "tanh",
        penalty="group_lasso",
        alpha=0.1,
        solver="gd",
        learning_rate_init=0.05,
        max_iter=30,
        tol=0.0,
        random_state=0,
    ).fit(X, y)
    model.coefs_[0][2] = 0.0  # a feature exactly at the kink
    model.set_params(warm_start=True).fit(X, y)
    assert all(np.all(np.isfinite(W)) for W in model.coefs_)
    assert np.all(np.isfinite(model.loss_curve_))


@pytest.mark.parametrize(
    "groups, match",
    [
        ([[0, 1], [1, 2]], "disjoint"),
        ([[0, 5]], "out of range"),
        ([[0, -1]], "out of range"),
        ([[]], "empty"),
        ([], "no column would be penalised"),
        ((), "no column would be penalised"),
        ([[0.5]], "integer"),
        ([0, 1], "list of column indices"),
        ("ab", "list of lists"),
    ],
)
def test_check_groups_rejects_bad_groups(groups, match):
    with pytest.raises(ValueError, match=match):
        check_groups(groups, 3)


def test_bad_groups_raise_in_fit():
    X = np.random.RandomState(0).randn(10, 3)
    model = RegularizedMLPRegressor(
        (2,), penalty="group_lasso", solver="fista", groups=[[0, 1], [1]]
    )
    with pytest.raises(ValueError, match="groups"):
        model.fit(X, X[:, 0])


def test_check_groups_ids():
    ids, n_groups = check_groups([[2], np.array([0, 3])], 5)
    assert n_groups == 2
    assert ids.tolist() == [1, -1, 0, 1, -1]
    ids, n_groups = check_groups(None, 3)
    assert ids.tolist() == [0, 1, 2] and n_groups == 3


def test_get_penalty_group_lasso():
    penalty = get_penalty("group_lasso", group_ids=np.array([0, 0, -1]), deep_l2=2.0)
    assert isinstance(penalty, GroupLasso)
    assert penalty.deep_l2 == 2.0
    assert penalty.l1_coef is None


@pytest.mark.parametrize("step_kind", sorted(STEPS))
def test_weighted_group_prox_matches_brute_force(step_kind):
    rng = np.random.RandomState(5)
    V = rng.randn(4, 2)
    ids, n_groups = check_groups([[0, 3], [1], [2]], 4)
    weights = np.array([0.5, 3.0, 1.0])
    penalty = GroupLasso(ids, deep_l2=0.0, group_weights=weights)
    step = STEPS[step_kind](rng, V.shape)

    def value(W):
        return float(penalty.value([W]))

    W_prox = penalty.prox([V], [step] if np.ndim(step) else step)[0]
    W_brute, f_brute, objective = _brute_force_prox(value, V, step)
    assert objective(W_prox.ravel()) <= f_brute + 1e-9
    assert_allclose(W_prox, W_brute, atol=1e-5)
    assert_allclose(value(V), np.sum(weights * group_norms(V, ids, n_groups)))


def test_objective_gradient_with_group_lasso_matches_finite_differences():
    from sk_regnet._losses import get_loss
    from sk_regnet._network import ParameterLayout, initialize
    from sk_regnet._objective import Objective

    rng = np.random.RandomState(0)
    X, y = rng.randn(15, 3), rng.randn(15, 1)
    layout = ParameterLayout([3, 4, 1])
    theta = initialize(layout, "normal", "tanh", rng)
    ids, _ = check_groups([[0, 2]], 3)
    penalty = GroupLasso(ids, deep_l2=0.7, group_weights=np.array([2.0]))
    objective = Objective(layout, "tanh", get_loss("squared_error"), penalty, 0.3, X, y)
    for vg in (objective.value_and_grad_full, objective.value_and_grad_smooth):
        _, g = vg(theta)
        eps = 1e-6
        fd = np.array(
            [
                (vg(theta + eps * e)[0] - vg(theta - eps * e)[0]) / (2 * eps)
                for e in np.eye(theta.size)
            ]
        )
        assert_allclose(g, fd, rtol=1e-5, atol=1e-7)


def test_deep_l2_removes_the_rescaling_escape():
    # relu is positively homogeneous: (c W1, c b1, W2 / c) predicts the same.
    # With deep_l2=0 the penalty then goes to 0 as c -> 0, so the group lasso
    # alone does not constrain the network; deep_l2 > 0 makes it grow again.
    rng = np.random.RandomState(0)
    W1, b1, W2 = rng.randn(3, 4), rng.randn(4), rng.randn(4, 1)
    X = rng.randn(5, 3)

    def predict(W1, b1, W2):
        return np.maximum(X @ W1 + b1, 0) @ W2

    for c in (0.5, 0.1):
        assert_allclose(predict(c * W1, c * b1, W2 / c), predict(W1, b1, W2))
    pure, with_l2 = GroupLasso(deep_l2=0.0), GroupLasso(deep_l2=1.0)
    values = [pure.value([c * W1, W2 / c]) for c in (1.0, 0.1, 0.01)]
    assert values[2] < values[1] < values[0] and values[2] < 0.02 * values[0]
    values = [with_l2.value([c * W1, W2 / c]) for c in (1.0, 0.1, 0.01)]
    assert values[2] > values[1] > values[0]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**31 - 1),
    n_rows=st.integers(1, 6),
    n_cols=st.integers(1, 4),
    scale=st.floats(0.01, 10.0),
    array_step=st.booleans(),
    weighted=st.booleans(),
)
def test_group_prox_satisfies_optimality_conditions(
    seed, n_rows, n_cols, scale, array_step, weighted
):
    # For any input, the output is the exact minimiser: a zero group iff
    # ||W[g] / t[g]|| <= 1, else (V - W) / t + V / ||V[g]|| = 0 on the group,
    # with t the step times the group's weight.
    rng = np.random.RandomState(seed)
    W = scale * rng.randn(n_rows, n_cols)
    ids = rng.randint(-1, 3, size=n_rows)
    n_groups = 3
    t = rng.uniform(0.05, 3.0, size=W.shape) if array_step else 0.7
    weights = rng.uniform(0.1, 5.0, size=n_groups) if weighted else None
    V = group_soft_threshold(W, t, ids, n_groups, group_weights=weights)
    row_weights = np.ones(n_rows) if weights is None else weights[ids]
    t_full = np.broadcast_to(t, W.shape) * row_weights[:, None]
    assert_allclose(V[ids < 0], W[ids < 0])
    for g in range(n_groups):
        rows = ids == g
        if not rows.any():
            continue
        Wg, Vg, tg = W[rows], V[rows], t_full[rows]
        if np.linalg.norm(Wg / tg) <= 1 - 1e-9:
            assert np.all(Vg == 0)
        elif np.linalg.norm(Wg / tg) > 1 + 1e-9:
            norm = np.linalg.norm(Vg)
            assert norm > 0
            residual = (Vg - Wg) / tg + Vg / norm
            assert_allclose(residual, 0, atol=1e-8 * max(1.0, np.abs(Wg / tg).max()))
