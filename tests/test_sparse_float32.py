"""Sparse inputs (never densified) and float32 end to end."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from sk_regnet import RegularizedMLPRegressor, _backprop
from sk_regnet._backprop import Network
from sk_regnet._losses import SquaredError

SOLVERS = ["gd", "lbfgs", "adam", "sgd"]


def _data(seed=0, n=40, p=7, density_cut=0.4):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    X[np.abs(X) < density_cut] = 0.0
    y = X @ rng.randn(p) + 0.1 * rng.randn(n)
    return X, y


def _model(solver, **kw):
    params = dict(
        hidden_layer_sizes=(5,),
        activation="tanh",
        solver=solver,
        max_iter=15,
        batch_size=8,
        learning_rate_init=0.01,
        penalty="l1",
        alpha=1e-3,
        random_state=0,
    )
    params.update(kw)
    return RegularizedMLPRegressor(**params)


def _fit(model, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y, **kw)


@pytest.fixture
def record_inputs(monkeypatch):
    """Record the type of every X the network's forward pass sees."""
    seen = []
    original = Network.forward

    def spy(self, theta, X, *args, **kwargs):
        seen.append(X)
        return original(self, theta, X, *args, **kwargs)

    monkeypatch.setattr(Network, "forward", spy)
    return seen


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_fit_predict_equal_dense(solver, fmt, record_inputs):
    X, y = _data()
    Xs = sp.csr_matrix(X).asformat(fmt)
    Xs_before = Xs.copy()
    dense = _fit(_model(solver), X, y)
    record_inputs.clear()
    sparse = _fit(_model(solver), Xs, y)
    # Training never saw a dense X (minibatches are sparse rows of X).
    assert record_inputs and all(sp.issparse(x) for x in record_inputs)
    for W_s, W_d in zip(sparse.coefs_, dense.coefs_):
        assert_allclose(W_s, W_d, rtol=1e-8, atol=1e-10)
    assert_allclose(sparse.predict(Xs), dense.predict(X), rtol=1e-8, atol=1e-10)
    assert_allclose(sparse.predict(Xs), sparse.predict(X), rtol=1e-8, atol=1e-10)
    # The user's matrix is untouched.
    assert Xs.format == fmt
    assert_array_equal(Xs.toarray(), Xs_before.toarray())


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_sparse_warm_start_equals_dense(solver):
    X, y = _data(seed=1)
    Xs = sp.csr_matrix(X)
    dense = _model(solver, warm_start=True, max_iter=3)
    sparse = _model(solver, warm_start=True, max_iter=3)
    for _ in range(3):
        _fit(dense, X, y)
        _fit(sparse, Xs, y)
    assert_allclose(sparse.predict(Xs), dense.predict(X), rtol=1e-8, atol=1e-10)


def test_sparse_with_sample_weight_and_early_stopping():
    X, y = _data(seed=2, n=60)
    sw = np.random.RandomState(0).uniform(0.5, 2.0, 60)
    kw = dict(early_stopping=True, validation_fraction=0.2, max_iter=8)
    dense = _fit(_model("adam", **kw), X, y, sample_weight=sw)
    sparse = _fit(_model("adam", **kw), sp.csc_matrix(X), y, sample_weight=sw)
    assert_allclose(sparse.predict(X), dense.predict(X), rtol=1e-8, atol=1e-10)


def test_other_sparse_formats_are_converted():
    X, y = _data(seed=3)
    model = _fit(_model("lbfgs"), sp.coo_matrix(X), y)
    dense = _fit(_model("lbfgs"), X, y)
    assert_allclose(model.predict(sp.lil_matrix(X)), dense.predict(X), rtol=1e-8)


def test_sparse_tag():
    assert RegularizedMLPRegressor().__sklearn_tags__().input_tags.sparse


@pytest.fixture
def record_dtypes(monkeypatch):
    """Record the dtype of the hot path's intermediate arrays."""
    seen = set()
    forward, backward = Network.forward, Network.backward
    loss_vg = SquaredError.value_and_grad

    def spy_forward(self, theta, X, *args, **kwargs):
        out, tape = forward(self, theta, X, *args, **kwargs)
        seen.update({theta.dtype, X.dtype, out.dtype})
        if tape is not None:
            seen.update(a.dtype for a in tape.activations)
        return out, tape

    def spy_backward(self, tape, g_out):
        grad = backward(self, tape, g_out)
        seen.update({g_out.dtype, grad.dtype})
        return grad

    def spy_loss(self, y, raw, sample_weight=None):
        value, g = loss_vg(self, y, raw, sample_weight)
        seen.update({np.asarray(value).dtype, g.dtype})
        return value, g

    monkeypatch.setattr(Network, "forward", spy_forward)
    monkeypatch.setattr(Network, "backward", spy_backward)
    monkeypatch.setattr(SquaredError, "value_and_grad", spy_loss)
    return seen


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("sparse_input", [False, True])
def test_float32_end_to_end(solver, sparse_input, record_dtypes):
    X, y = _data(seed=4)
    X32 = X.astype(np.float32)
    X_in = sp.csr_matrix(X32) if sparse_input else X32
    model = _fit(_model(solver, penalty="l2", alpha=1e-2), X_in, y)
    assert all(W.dtype == np.float32 for W in model.coefs_)
    assert all(b.dtype == np.float32 for b in model.intercepts_)
    assert model.predict(X_in).dtype == np.float32
    # Arithmetic stayed in float32 (lbfgs hands scipy float64, converted back).
    assert record_dtypes == {np.dtype(np.float32)}
    # And it is the same model as in float64, up to float32 rounding.
    model64 = _fit(_model(solver, penalty="l2", alpha=1e-2), X, y)
    assert model64.coefs_[0].dtype == np.float64
    assert_allclose(model.predict(X32), model64.predict(X), rtol=2e-3, atol=2e-3)


def test_float32_warm_start_keeps_dtype():
    X, y = _data(seed=5)
    model = _model("adam", warm_start=True, max_iter=2)
    for _ in range(2):
        _fit(model, X.astype(np.float32), y)
    assert model.coefs_[0].dtype == np.float32
    assert model.predict(X.astype(np.float32)).dtype == np.float32


def test_input_dot_used_for_sparse_first_layer(monkeypatch):
    calls = []
    # Training's forward pass (Network's) names input_dot in _backprop.
    original = _backprop.input_dot

    def spy(X, W):
        calls.append(sp.issparse(X))
        return original(X, W)

    monkeypatch.setattr(_backprop, "input_dot", spy)
    X, y = _data(seed=6)
    _fit(_model("gd", max_iter=2), sp.csr_matrix(X), y)
    assert calls and all(calls)


def test_sparse_sample_weight_equals_repeated_rows():
    X, y = _data(seed=7, n=20)
    sw = np.random.RandomState(0).randint(0, 4, 20)
    sw[0] = 1
    kw = dict(max_iter=30, penalty="l2")
    weighted = _fit(_model("gd", **kw), sp.csr_matrix(X), y, sample_weight=sw)
    repeated = _fit(
        _model("gd", **kw), sp.csr_matrix(X.repeat(sw, axis=0)), y.repeat(sw)
    )
    assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-10, atol=1e-12)


def test_csc_minibatches_select_rows_from_one_csr_copy():
    from sk_regnet._losses import get_loss
    from sk_regnet._network import ParameterLayout, initialize
    from sk_regnet._objective import Objective
    from sk_regnet._penalties import get_penalty

    X, y = _data(seed=8)
    Xc = sp.csc_matrix(X)
    layout = ParameterLayout([X.shape[1], 4, 1])
    theta = initialize(layout, "glorot_uniform", "tanh", np.random.RandomState(0))

    def objective(inputs):
        return Objective(
            layout,
            "tanh",
            get_loss("squared_error"),
            get_penalty("l2"),
            0.01,
            inputs,
            y.reshape(-1, 1),
        )

    sparse, dense = objective(Xc), objective(X)
    rows = np.array([5, 1, 30, 2])
    for _ in range(2):
        f_s, g_s = sparse.value_and_grad_smooth(theta, rows)
        f_d, g_d = dense.value_and_grad_smooth(theta, rows)
        assert_allclose(f_s, f_d, rtol=1e-12)
        assert_allclose(g_s, g_d, rtol=1e-10, atol=1e-14)
    assert sparse._X_csr.format == "csr"
    assert sparse.X is Xc and Xc.format == "csc"


@pytest.mark.parametrize("solver", ["adam", "sgd"])
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_partial_fit_equals_dense(solver, fmt, record_inputs):
    X, y = _data(seed=9)
    Xs = sp.csr_matrix(X).asformat(fmt)
    dense, sparse = _model(solver), _model(solver)
    record_inputs.clear()
    for _ in range(3):
        dense.partial_fit(X, y)
        sparse.partial_fit(Xs, y)
    assert sparse.t_ == dense.t_ == 3 * X.shape[0]
    assert_allclose(sparse.predict(Xs), dense.predict(X), rtol=1e-8, atol=1e-10)
    assert any(sp.issparse(x) for x in record_inputs)


def test_float32_partial_fit_keeps_dtype():
    X, y = _data(seed=10)
    model = _model("adam")
    for _ in range(2):
        model.partial_fit(X.astype(np.float32), y)
    assert model.coefs_[0].dtype == np.float32
    assert model.predict(X.astype(np.float32)).dtype == np.float32


# The float64 max_iter=5 fit only has to be accepted: it stops short.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_float32_rejects_targets_beyond_its_range():
    X = np.random.RandomState(0).normal(size=(20, 3)).astype(np.float32)
    y = X[:, 0].astype(np.float64) * 1e50  # finite in float64, inf in float32
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning from the cast
        with pytest.raises(ValueError, match="y has values beyond the range"):
            RegularizedMLPRegressor((3,), max_iter=5).fit(X, y)
    # In float64 the same targets are accepted.
    RegularizedMLPRegressor((3,), max_iter=5).fit(X.astype(np.float64), y)


# Short (max_iter=20) fits compared with each other: they stop short.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_float32_accepts_weights_beyond_its_range():
    # Weights are validated and normalised in float64, then cast: only their
    # ratios matter, so 1e300 everywhere is the same as 1 everywhere.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 3)).astype(np.float32)
    y = X[:, 0] - X[:, 1]
    params = dict(hidden_layer_sizes=(3,), max_iter=20, random_state=0)
    big = RegularizedMLPRegressor(**params).fit(X, y, sample_weight=np.full(20, 1e300))
    plain = RegularizedMLPRegressor(**params).fit(X, y)
    assert big.coefs_[0].dtype == np.float32
    for W_big, W_plain in zip(big.coefs_, plain.coefs_):
        assert_allclose(W_big, W_plain, rtol=1e-4, atol=1e-6)
