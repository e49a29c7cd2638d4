"""Out-of-core training: blocks of a memmap or a dask array through partial_fit."""

import pickle

import dask
import dask.array as da
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sk_regnet import RegularizedMLPRegressor

N_SAMPLES, N_FEATURES, BLOCK = 3000, 4, 500


def _target(X):
    return X[:, 0] - 2.0 * X[:, 1] + np.sin(3.0 * X[:, 2])


@pytest.fixture
def memmaps(tmp_path):
    """X and y written to disk, reopened read-only as numpy memmaps."""
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(N_SAMPLES, N_FEATURES))
    y = _target(X) + 0.05 * rng.randn(N_SAMPLES)
    paths = tmp_path / "X.dat", tmp_path / "y.dat"
    for path, array in zip(paths, (X, y)):
        out = np.memmap(path, dtype=np.float64, mode="w+", shape=array.shape)
        out[:] = array
        out.flush()
        del out
    X_mm = np.memmap(paths[0], dtype=np.float64, mode="r", shape=X.shape)
    y_mm = np.memmap(paths[1], dtype=np.float64, mode="r", shape=y.shape)
    return X_mm, y_mm


@pytest.fixture(scope="module")
def test_set():
    X = np.random.RandomState(1).uniform(-1, 1, size=(500, N_FEATURES))
    return X, _target(X)


def _model():
    return RegularizedMLPRegressor(
        (16,), "tanh", solver="adam", learning_rate_init=0.03, random_state=0
    )


def _stream_memmap(model, X, y, n_passes):
    for _ in range(n_passes):
        for start in range(0, X.shape[0], BLOCK):
            model.partial_fit(X[start : start + BLOCK], y[start : start + BLOCK])
    return model


def _stream_dask(model, X, y, n_passes):
    # One delayed object per chunk of rows: only one block is in memory at a time.
    X_blocks = X.to_delayed().ravel()
    y_blocks = y.to_delayed().ravel()
    assert len(X_blocks) == len(y_blocks)
    for _ in range(n_passes):
        for X_block, y_block in zip(X_blocks, y_blocks):
            X_np, y_np = dask.compute(X_block, y_block)
            model.partial_fit(X_np, y_np)
    return model


def test_streaming_memmap_blocks_learns(memmaps, test_set):
    X, y = memmaps
    X_test, y_test = test_set
    X_before, y_before = np.array(X), np.array(y)
    model = _model().partial_fit(X[:BLOCK], y[:BLOCK])
    score_after_one_block = model.score(X_test, y_test)
    _stream_memmap(model, X, y, n_passes=5)
    assert model.score(X_test, y_test) > 0.9
    assert model.score(X_test, y_test) > score_after_one_block + 0.3
    assert model.t_ == BLOCK + 5 * N_SAMPLES
    assert len(model.loss_curve_) == 1 + 5 * N_SAMPLES // BLOCK
    # Read-only memmaps are read block by block, never written.
    assert_array_equal(X, X_before)
    assert_array_equal(y, y_before)


def test_streaming_dask_blocks_equals_streaming_memmap_blocks(memmaps, test_set):
    X, y = memmaps
    X_test, y_test = test_set
    X_dask = da.from_array(X, chunks=(BLOCK, N_FEATURES))
    y_dask = da.from_array(y, chunks=BLOCK)
    from_dask = _stream_dask(_model(), X_dask, y_dask, n_passes=5)
    from_memmap = _stream_memmap(_model(), X, y, n_passes=5)
    assert from_dask.score(X_test, y_test) > 0.9
    for a, b in zip(from_dask.coefs_, from_memmap.coefs_):
        assert_allclose(a, b)
    assert from_dask.t_ == 5 * N_SAMPLES


def test_a_pickled_stream_resumes_exactly(memmaps):
    X, y = memmaps
    model = _model()
    for start in range(0, 3 * BLOCK, BLOCK):
        model.partial_fit(X[start : start + BLOCK], y[start : start + BLOCK])
    checkpoint = pickle.loads(pickle.dumps(model))
    for resumed in (model, checkpoint):
        for start in range(3 * BLOCK, N_SAMPLES, BLOCK):
            resumed.partial_fit(X[start : start + BLOCK], y[start : start + BLOCK])
    for a, b in zip(model.coefs_, checkpoint.coefs_):
        assert_array_equal(a, b)
    assert checkpoint.loss_curve_ == model.loss_curve_
    assert checkpoint.t_ == model.t_ == N_SAMPLES
