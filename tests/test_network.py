"""The network's hot path: hand-written VJPs against autograd and finite differences."""

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
import scipy.sparse as sp
from autograd.test_util import check_grads
from numpy.testing import assert_allclose, assert_array_equal

from sk_regnet import _objective, _stochastic
from sk_regnet._backprop import Network, network_output
from sk_regnet._losses import SquaredError, get_loss
from sk_regnet._network import (
    ACTIVATIONS,
    ParameterLayout,
    forward,
    initialize,
    input_dot,
)
from sk_regnet._objective import Objective, _closed_form
from sk_regnet._penalties import L2, get_penalty


def _name(p):
    return getattr(p, "__name__", str(p))


ARCHITECTURES = [(3, (4,), 1), (5, (6, 3), 2), (2, (), 1)]


def _problem(n_in, hidden, n_out, n_samples=11, seed=0, dtype=np.float64):
    rng = np.random.RandomState(seed)
    layout = ParameterLayout([n_in, *hidden, n_out])
    theta = initialize(layout, "normal", "tanh", rng, dtype) * 0.7
    # Non-zero biases, so no pre-activation is exactly 0 (relu's kink).
    theta[~layout.weight_mask] = rng.uniform(-0.5, 0.5, (~layout.weight_mask).sum())
    X = rng.randn(n_samples, n_in).astype(dtype)
    y = rng.randn(n_samples, n_out).astype(dtype)
    return layout, theta, X, y


def _plain_grad(layout, activation, theta, X, G):
    """Gradient of sum(G * output) through the plain autograd path."""

    def fun(t):
        return anp.sum(G * forward(layout.unpack(t), X, activation))

    return autograd.grad(fun)(theta)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("n_in, hidden, n_out", ARCHITECTURES)
@pytest.mark.parametrize("reuse", [False, True])
def test_network_matches_plain_autograd_path(activation, n_in, hidden, n_out, reuse):
    layout, theta, X, _ = _problem(n_in, hidden, n_out)
    net = Network(layout, activation)
    out, tape = net.forward(theta, X, keep=True, reuse=reuse)
    # Same operations in the same order as the reference: equal to the bit.
    assert_array_equal(out, forward(layout.unpack(theta), X, activation))
    G = np.random.RandomState(1).randn(*out.shape)
    grad = net.backward(tape, G)
    assert grad.shape == theta.shape
    assert_allclose(
        grad, _plain_grad(layout, activation, theta, X, G), rtol=1e-10, atol=1e-12
    )


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_network_output_primitive_gradients(activation):
    layout, theta, X, _ = _problem(3, (4, 2), 2)
    net = Network(layout, activation)
    G = np.random.RandomState(2).randn(X.shape[0], 2)

    def fused(t):
        return anp.sum(G * network_output(t, X, net) ** 2)

    def plain(t):
        return anp.sum(G * forward(layout.unpack(t), X, activation) ** 2)

    assert_allclose(
        autograd.grad(fused)(theta), autograd.grad(plain)(theta), rtol=1e-10
    )
    # And against finite differences.
    check_grads(fused, modes=["rev"], order=1)(theta)


def test_network_output_vjp_without_fresh_tape():
    """A VJP maker that does not find its own tape recomputes it."""
    layout, theta, X, _ = _problem(3, (4,), 1)
    net = Network(layout, "tanh")
    ans = network_output(theta, X, net)  # untraced: leaves a tape behind
    from sk_regnet._backprop import _network_output_vjp

    vjp = _network_output_vjp(ans.copy(), theta, X, net)
    G = np.ones_like(ans)
    assert_allclose(vjp(G), _plain_grad(layout, "tanh", theta, X, G), rtol=1e-10)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_input_dot_sparse_vjp(fmt):
    rng = np.random.RandomState(0)
    X = rng.randn(7, 5)
    X[X < 0.3] = 0.0
    Xs = sp.csr_matrix(X).asformat(fmt)
    W = rng.randn(5, 3)
    G = rng.randn(7, 3)
    assert_allclose(input_dot(Xs, W), X @ W, rtol=1e-12)

    def fun(w, inputs):
        return anp.sum(G * anp.tanh(input_dot(inputs, w)))

    g_sparse = autograd.grad(fun)(W, Xs)
    g_dense = autograd.grad(lambda w: anp.sum(G * anp.tanh(anp.dot(X, w))))(W)
    assert_allclose(g_sparse, g_dense, rtol=1e-10)
    check_grads(lambda w: fun(w, Xs), modes=["rev"], order=1)(W)


def test_tanh_vjp_uses_activation_no_overflow():
    """Huge pre-activations: tanh' from 1 - tanh**2 is 0, not nan (1/cosh**2 is)."""
    layout = ParameterLayout([1, 2, 1])
    theta = np.array([800.0, -900.0, 0.0, 0.0, 1.0, 1.0, 0.0])
    X = np.array([[1.0], [2.0]])
    net = Network(layout, "tanh")
    out, tape = net.forward(theta, X, keep=True)
    grad = net.backward(tape, np.ones_like(out))
    assert np.all(np.isfinite(grad))
    assert_allclose(grad[:4], 0.0)  # saturated units pass no gradient


def test_workspace_reuse_across_batch_sizes():
    layout, theta, X, _ = _problem(4, (5, 3), 1, n_samples=13)
    net = Network(layout, "tanh")
    G = np.random.RandomState(3).randn(13, 1)
    expected = [
        net.backward(net.forward(theta, X[rows], keep=True)[1], G[rows])
        for rows in (slice(0, 5), slice(5, 13), slice(0, 13))
    ]
    for _ in range(2):
        for rows, exp in zip((slice(0, 5), slice(5, 13), slice(0, 13)), expected):
            tape = net.forward(theta, X[rows], keep=True, reuse=True)[1]
            assert_array_equal(net.backward(tape, G[rows]), exp)
    assert len(net._workspaces) <= 2


def _plain_objective(obj, smooth):
    """J (or its smooth part) traced by autograd from end to end."""
    penalty = obj.penalty

    def fun(theta):
        raw = forward(obj.layout.unpack(theta), obj.X, obj.activation)
        value = obj.loss.value(obj.y, raw, obj.sample_weight)
        coefs = obj.layout.weights(theta)
        p = penalty.smooth_value(coefs) if smooth else penalty.value(coefs)
        return value + obj.alpha * p

    return fun


def _pnorm(coefs):
    return sum(anp.sum(anp.abs(W) ** 3) for W in coefs)


def _logcosh(y, raw, sample_weight):
    return anp.mean(anp.log(anp.cosh(raw - y)))


@pytest.mark.parametrize("penalty", [None, "l2", "l1", "elasticnet", _pnorm], ids=_name)
@pytest.mark.parametrize(
    "loss", ["squared_error", "poisson", "huber", _logcosh], ids=_name
)
@pytest.mark.parametrize("weighted", [False, True])
def test_objective_gradient_matches_autograd(penalty, loss, weighted):
    layout, theta, X, y = _problem(3, (4, 3), 2)
    sw = np.random.RandomState(5).uniform(0.1, 2, X.shape[0]) if weighted else None
    obj = Objective(
        layout, "tanh", get_loss(loss, 0.4), get_penalty(penalty, 0.3), 0.05, X, y, sw
    )
    for smooth, method in [
        (False, obj.value_and_grad_full),
        (True, obj.value_and_grad_smooth),
    ]:
        f, g = method(theta)
        f_ref, g_ref = autograd.value_and_grad(_plain_objective(obj, smooth))(theta)
        assert_allclose(f, f_ref, rtol=1e-12)
        assert_allclose(g, g_ref, rtol=1e-10, atol=1e-13)
    # On a minibatch too.
    rows = np.array([4, 0, 7])
    f, g = obj.value_and_grad_smooth(theta, rows)
    sub = Objective(
        layout,
        "tanh",
        obj.loss,
        obj.penalty,
        0.05,
        X[rows],
        y[rows],
        None if sw is None else sw[rows],
    )
    f_ref, g_ref = autograd.value_and_grad(_plain_objective(sub, True))(theta)
    assert_allclose(g, g_ref, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("penalty", ["l2", "elasticnet"])
def test_objective_gradient_matches_finite_differences(penalty):
    layout, theta, X, y = _problem(2, (3,), 1, n_samples=9)
    obj = Objective(
        layout, "tanh", get_loss("squared_error"), get_penalty(penalty), 0.1, X, y
    )
    _, g = obj.value_and_grad_smooth(theta)
    eps = 1e-6
    fd = np.empty_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = eps
        fd[i] = (
            obj.value_and_grad_smooth(theta + e)[0]
            - obj.value_and_grad_smooth(theta - e)[0]
        ) / (2 * eps)
    assert_allclose(g, fd, rtol=1e-6, atol=1e-8)


def test_closed_form_only_when_it_belongs_to_the_value():
    class Doubled(L2):
        def value(self, coefs):
            return 2 * super().value(coefs)

    class Shifted(SquaredError):
        def value(self, y, raw, sample_weight=None):
            return super().value(y, raw + 1.0, sample_weight)

    assert _closed_form(L2(), "value", "value_and_grad") is not None
    assert _closed_form(Doubled(), "value", "value_and_grad") is None
    assert _closed_form(Shifted(), "value", "value_and_grad") is None
    # The fallback (autograd) gets the subclass's gradient right.
    layout, theta, X, y = _problem(3, (4,), 1)
    obj = Objective(layout, "tanh", Shifted(), Doubled(), 0.1, X, y)
    f, g = obj.value_and_grad_full(theta)
    f_ref, g_ref = autograd.value_and_grad(_plain_objective(obj, False))(theta)
    assert_allclose(f, f_ref, rtol=1e-12)
    assert_allclose(g, g_ref, rtol=1e-10)


@pytest.mark.parametrize("name", ["poisson", "huber"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_loss_closed_forms_at_their_kinks(name, dtype):
    """Poisson beyond the exp guard, Huber at |r| = delta and r = 0: as autograd."""
    loss = get_loss(name, 0.5)
    y = np.array([[0.0, 1.0], [2.0, 0.5], [1.0, 3.0]], dtype=dtype)
    if name == "poisson":
        raw = np.array([[150.0, -2.0], [0.3, 99.0], [101.0, 1.0]], dtype=dtype)
    else:  # residuals 0, +-delta, beyond and within
        raw = y + np.array([[0.0, 0.5], [-0.5, 2.0], [-3.0, 0.1]], dtype=dtype)
    sw = np.array([1.0, 0.0, 2.5], dtype=dtype)
    for weights in (None, sw):
        value, grad = loss.value_and_grad(y, raw, weights)
        ref_value, ref_grad = autograd.value_and_grad(
            lambda r, w=weights: loss.value(y, r, w)
        )(raw)
        assert grad.dtype == dtype
        tol = 1e-12 if dtype == np.float64 else 1e-6
        assert_allclose(value, ref_value, rtol=tol)
        assert_allclose(grad, ref_grad, rtol=tol, atol=tol)
        assert np.all(np.isfinite(grad))


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("loss", ["squared_error", "poisson", "huber"])
def test_value_in_chunks_equals_one_pass(weighted, loss, monkeypatch):
    layout, theta, X, y = _problem(3, (4,), 2, n_samples=23)
    sw = None
    if weighted:
        sw = np.random.RandomState(0).uniform(0, 2, 23)
        sw[:8] = 0.0  # a chunk with no weight at all

    def objective():
        return Objective(
            layout, "tanh", get_loss(loss), get_penalty("l1"), 0.01, X, y, sw
        )

    whole = objective().value(theta)  # one pass: 23 rows fit in one chunk
    assert_allclose(whole, _plain_objective(objective(), False)(theta), rtol=1e-12)
    # Chunks of 2 rows (no training buffers yet).
    monkeypatch.setattr(_objective, "_CHUNK_ELEMENTS", 8)
    chunked = objective()
    assert chunked.network.workspace_rows(X.dtype) is None
    assert_allclose(chunked.value(theta), whole, rtol=1e-12)
    # Chunks the size of the training batches, in their buffers.
    trained = objective()
    trained.value_and_grad_smooth(theta, np.arange(5))
    assert trained.network.workspace_rows(X.dtype) == 5
    assert_allclose(trained.value(theta), whole, rtol=1e-12)
    assert max(n for n, _ in trained.network._workspaces) == 5  # nothing larger


def test_adam_in_place_step_is_the_textbook_update():
    rng = np.random.RandomState(0)
    opt = _stochastic.AdamState(
        6, learning_rate_init=0.01, beta_1=0.9, beta_2=0.999, epsilon=1e-8
    )
    x = rng.randn(6)
    m, v = np.zeros(6), np.zeros(6)
    for t in range(1, 4):
        g = rng.randn(6)
        x_new, step = opt.step(x, g)
        m = 0.9 * m + (1 - 0.9) * g
        v = 0.999 * v + (1 - 0.999) * g * g
        lr = 0.01 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        expected_step = lr / (np.sqrt(v) + 1e-8)
        assert_array_equal(x_new, x - expected_step * m)
        # The proximal metric leaves out m's bias correction.
        assert_array_equal(step, expected_step * (1 - 0.9**t))
        x = x_new


@pytest.mark.parametrize("reuse", [False, True])
def test_relu_exact_zero_preactivation_matches_autograd(reuse):
    """Zero biases on an all-zero row: autograd passes half the gradient at 0."""
    layout = ParameterLayout([3, 4, 3, 1])
    rng = np.random.RandomState(0)
    theta = initialize(layout, "normal", "relu", rng)  # biases exactly 0
    X = rng.randn(6, 3)
    X[2] = 0.0
    net = Network(layout, "relu")
    out, tape = net.forward(theta, X, keep=True, reuse=reuse)
    assert any(k is not None for k in tape.kinks)
    G = rng.randn(6, 1)
    expected = _plain_grad(layout, "relu", theta, X, G)
    assert_allclose(net.backward(tape, G), expected, rtol=1e-10, atol=1e-12)


def test_value_is_remembered_for_the_same_parameters(monkeypatch):
    layout, theta, X, y = _problem(3, (4,), 1)
    obj = Objective(
        layout, "tanh", get_loss("squared_error"), get_penalty("l2"), 0.1, X, y
    )
    calls = []
    original = obj._data_loss
    monkeypatch.setattr(obj, "_data_loss", lambda t: calls.append(1) or original(t))
    first = obj.value(theta)
    assert obj.value(theta.copy()) == first and len(calls) == 1
    theta[0] += 0.5  # same array, new values: evaluated again
    assert obj.value(theta) != first and len(calls) == 2
    assert_allclose(obj.value(theta), _plain_objective(obj, False)(theta), rtol=1e-12)


@pytest.mark.parametrize("loss", ["squared_error", "poisson", "huber"])
def test_minibatch_of_zero_weights_weighs_nothing(loss):
    """A batch whose rows all have weight 0: data loss 0, gradient 0 (not nan)."""
    layout, theta, X, y = _problem(3, (4,), 1, n_samples=10)
    sw = np.ones(10)
    sw[:4] = 0.0
    obj = Objective(
        layout, "tanh", get_loss(loss), get_penalty("l2"), 0.1, X, np.abs(y), sw
    )
    f, g = obj.value_and_grad_smooth(theta, np.arange(4))
    weights = layout.weights(theta)
    assert_allclose(f, 0.1 * sum(np.sum(W**2) for W in weights))
    expected = np.zeros_like(theta)
    for gW, W in zip(layout.weights(expected), weights):
        gW[...] = 0.2 * W
    assert_allclose(g, expected)
    # autograd's path (the loss's own value) agrees.
    assert obj.loss.value(np.abs(y[:4]), X[:4, :1], sw[:4]) == 0.0


def test_adam_with_an_all_zero_weight_batch_does_not_diverge():
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from sk_regnet import RegularizedMLPRegressor

    rng = np.random.RandomState(0)
    X, y = rng.randn(16, 3), rng.randn(16)
    sw = np.ones(16)
    sw[:4] = 0.0
    model = RegularizedMLPRegressor(
        (4,), solver="adam", batch_size=4, shuffle=False, max_iter=5, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.filterwarnings("ignore", "Solver 'adam' reached", ConvergenceWarning)
        model.fit(X, y, sample_weight=sw)
    assert all(np.all(np.isfinite(W)) for W in model.coefs_)
    assert np.all(np.isfinite(model.loss_curve_))


def _zero_penalty(coefs):
    return 0.0


def test_constant_penalty_through_autograd_is_quiet():
    """A penalty that ignores the weights: zero gradient, no autograd warning."""
    import warnings

    layout, theta, X, y = _problem(3, (4,), 1)
    loss = get_loss("squared_error")
    obj = Objective(layout, "tanh", loss, get_penalty(_zero_penalty), 0.5, X, y)
    plain = Objective(layout, "tanh", loss, get_penalty(None), 0.0, X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f, g = obj.value_and_grad_full(theta)
    f_ref, g_ref = plain.value_and_grad_full(theta)
    assert f == f_ref
    assert_array_equal(g, g_ref)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("sizes", [[5, 7, 3], [3, 6, 6, 1]])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_row_blocked_backward_matches_autograd(activation, sizes, dtype, monkeypatch):
    # Large inputs are back-propagated in blocks of rows; tiny blocks here
    # put every edge (a last, shorter block; one row) on small data.
    from sk_regnet import _backprop

    rng = np.random.RandomState(0)
    layout = ParameterLayout(sizes)
    theta = initialize(layout, "normal", activation, rng)
    X = rng.randn(41, sizes[0])
    X[::5] = 0.0  # zero rows: pre-activations at relu's kink
    G = rng.randn(41, sizes[-1])
    expected = _plain_grad(layout, activation, theta, X, G)
    monkeypatch.setattr(_backprop, "_BLOCK_ELEMENTS", 8)
    monkeypatch.setattr(_backprop, "_MIN_BLOCK_ROWS", 2)
    net = Network(layout, activation)
    for reuse in (False, True, True):  # fresh, then reused buffers
        out, tape = net.forward(
            theta.astype(dtype), X.astype(dtype), keep=True, reuse=reuse
        )
        grad = net.backward(tape, G.astype(dtype))
        assert grad.dtype == dtype
        if dtype == np.float64:
            assert_allclose(grad, expected, rtol=1e-10, atol=1e-12)
        else:
            assert_allclose(
                grad, expected, rtol=2e-4, atol=2e-4 * np.abs(expected).max()
            )
