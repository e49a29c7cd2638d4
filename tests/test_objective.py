"""The assembled objective: autograd gradients against finite differences."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sk_regnet._losses import get_loss
from sk_regnet._network import ACTIVATIONS, ParameterLayout, initialize
from sk_regnet._objective import Objective
from sk_regnet._penalties import get_penalty


def central_differences(f, x, eps=1e-6):
    grad = np.empty_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = eps
        grad[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return grad


def _objective(activation, penalty, sample_weight=False, alpha=0.05):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(12, 3))
    y = rng.normal(size=(12, 2))
    sw = rng.uniform(0.5, 2.0, size=12) if sample_weight else None
    layout = ParameterLayout([3, 4, 3, 2])
    theta = initialize(layout, "normal", activation, rng)
    obj = Objective(
        layout,
        activation,
        get_loss("squared_error"),
        get_penalty(penalty, l1_ratio=0.3),
        alpha,
        X,
        y,
        sw,
    )
    return obj, theta


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("penalty", [None, "l1", "l2", "elasticnet"])
@pytest.mark.parametrize("sample_weight", [False, True])
def test_gradient_matches_finite_differences(activation, penalty, sample_weight):
    obj, theta = _objective(activation, penalty, sample_weight)
    f, g = obj.value_and_grad_full(theta)
    assert_allclose(f, obj.value(theta))
    assert_allclose(g, central_differences(obj.value, theta), rtol=1e-5, atol=1e-8)
    _, g_smooth = obj.value_and_grad_smooth(theta)
    smooth = lambda t: obj.value_and_grad_smooth(t)[0]  # noqa: E731
    assert_allclose(g_smooth, central_differences(smooth, theta), rtol=1e-5, atol=1e-8)


def test_objective_is_the_article_formula():
    obj, theta = _objective("tanh", "l1", alpha=0.01)
    (W1, b1), (W2, b2), (W3, b3) = obj.layout.unpack(theta)
    hidden = np.tanh(np.tanh(obj.X @ W1 + b1) @ W2 + b2)
    y_pred = hidden @ W3 + b3
    expected = np.mean((obj.y - y_pred) ** 2) + 0.01 * sum(
        np.abs(W).sum() for W in (W1, W2, W3)
    )
    assert_allclose(obj.value(theta), expected, rtol=1e-12)


def test_biases_are_not_penalized():
    obj, theta = _objective("relu", "l2", alpha=10.0)
    bumped = theta.copy()
    bumped[~obj.layout.weight_mask] += 1.0
    unpenalized = _objective("relu", None)[0]
    diff_pen = obj.value(bumped) - obj.value(theta)
    diff_none = unpenalized.value(bumped) - unpenalized.value(theta)
    assert_allclose(diff_pen, diff_none, rtol=1e-12)


@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
def test_split_problem_gradient_and_value(penalty):
    obj, theta = _objective("tanh", penalty)
    vg, z0, bounds, to_theta = obj.split_problem(theta)
    assert_allclose(to_theta(z0), theta)
    assert bounds.lb.shape == (z0.size,)
    mask = obj.layout.weight_mask
    # U and V are non-negative, the biases free.
    assert_array_equal(bounds.lb[: theta.size][~mask], -np.inf)
    assert_array_equal(bounds.lb[: theta.size][mask], 0)
    assert_array_equal(bounds.lb[theta.size :], 0)
    assert np.all(bounds.ub == np.inf)
    f0, g0 = vg(z0)
    # At z0 (U, V never both positive) the split value is J itself.
    assert_allclose(f0, obj.value(theta), rtol=1e-12)
    z = z0 + np.random.RandomState(1).uniform(0, 0.1, size=z0.size)
    assert_allclose(
        vg(z)[1], central_differences(lambda t: vg(t)[0], z), rtol=1e-5, atol=1e-8
    )


def test_prox_moves_weights_only():
    obj, theta = _objective("tanh", "l1", alpha=1.0)
    out = obj.prox(theta, 0.5)
    mask = obj.layout.weight_mask
    assert_allclose(out[~mask], theta[~mask])
    expected = np.sign(theta[mask]) * np.maximum(np.abs(theta[mask]) - 0.5, 0)
    assert_allclose(out[mask], expected)
    # Per-coordinate steps, as Adam passes them.
    steps = np.linspace(0.1, 1.0, theta.size)
    out = obj.prox(theta, steps)
    thr = steps[mask]
    assert_allclose(
        out[mask], np.sign(theta[mask]) * np.maximum(np.abs(theta[mask]) - thr, 0)
    )


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("sparse", [False, True])
def test_output_bound_holds_on_every_row_and_corner(activation, sparse):
    import scipy.sparse as sp

    from sk_regnet._network import forward, output_bound

    rng = np.random.RandomState(0)
    layout = ParameterLayout([4, 6, 5, 2])
    theta = initialize(layout, "normal", activation, rng) * 3
    X = rng.uniform(-2, 2, size=(200, 4)) * [1, 10, 0.1, 5]
    box = np.abs(X).max(axis=0)
    # The data, and every corner of the input box.
    corners = np.array(np.meshgrid(*[[-b, b] for b in box])).reshape(4, -1).T
    for inputs in (X, corners):
        inputs = sp.csr_matrix(inputs) if sparse else inputs
        raw = forward(layout.unpack(theta), inputs, activation)
        bound = output_bound(layout.unpack(theta), box, activation)
        assert np.all(np.abs(raw) <= bound * (1 + 1e-12))
    if activation == "identity":
        # Without hidden non-linearity and one layer, the bound is attained.
        one = ParameterLayout([4, 1])
        params = one.unpack(rng.normal(size=one.n_params))
        best = np.max(np.abs(forward(params, corners, "identity")))
        assert_allclose(output_bound(params, box, "identity"), [best])


def test_output_bound_is_infinite_when_a_hidden_layer_could_overflow():
    from sk_regnet._network import output_bound

    layout = ParameterLayout([2, 2, 1])
    theta = np.zeros(layout.n_params)
    (W1, b1), (W2, b2) = layout.unpack(theta)
    W1[:] = [[1e150, -1e150], [1e150, 1e150]]
    W2[:] = 0.0  # the output ignores the hidden layer...
    b2[:] = 1.0
    box = np.array([1e100, 1e100])
    # ... but its pre-activations (up to 2e250) would overflow a dtype whose
    # largest number is 1e200 (inf - inf = nan in the forward pass), so
    # nothing is vouched for there.
    assert np.all(np.isinf(output_bound(layout.unpack(theta), box, "tanh", 1e200)))
    assert_allclose(output_bound(layout.unpack(theta), box, "tanh"), [1.0])


# The test evaluates the objective at overflowing points on purpose.
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_surely_finite_shows_ordinary_points_and_refuses_doubtful_ones():
    obj, theta = _objective("tanh", "l2")
    assert obj.surely_finite(theta)
    # Huge output weights: the bound overflows, J is not shown finite (it is
    # in fact inf here).
    huge = theta.copy()
    huge[obj.layout.weight_mask] *= 1e200
    assert not obj.surely_finite(huge)
    assert not np.isfinite(obj.value(huge))
    # A user's loss has no known bound.
    custom = Objective(
        obj.layout,
        "tanh",
        get_loss(lambda y, raw, sw: ((y - raw) ** 2).mean()),
        obj.penalty,
        obj.alpha,
        obj.X,
        obj.y,
        None,
    )
    assert not custom.surely_finite(theta)


# The test evaluates the objective at overflowing points on purpose.
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.parametrize("loss", ["squared_error", "poisson", "huber"])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_surely_finite_never_vouches_for_an_infinite_objective(loss, activation):
    rng = np.random.RandomState(0)
    layout = ParameterLayout([2, 3, 1])
    X = rng.uniform(0, 1, size=(20, 2)) * [1, 1e3]
    y = rng.poisson(3, size=(20, 1)).astype(float)
    obj = Objective(
        layout, activation, get_loss(loss), get_penalty("l2"), 0.1, X, y, None
    )
    theta = initialize(layout, "normal", activation, rng)
    shown = []
    for scale in np.logspace(0, 300, 61):
        scaled = theta * scale
        shown.append(obj.surely_finite(scaled))
        if shown[-1]:
            with np.errstate(all="ignore"):
                assert np.isfinite(obj.value(scaled)), scale
    # Neither always yes nor always no.
    assert any(shown) and not all(shown)
