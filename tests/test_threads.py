"""BLAS threads: the rule, the limit inside wrapped calls, the user's own limit.

tests/conftest.py limits BLAS to one thread for the whole session; the tests
that need threads to limit raise it to two inside ``threadpool_limits(2)``.
Where SciPy bundles its own BLAS (its wheels do), that library is followed
apart: the estimators always run it on one thread.
"""

import os
import threading
import warnings

import autograd.numpy as anp
import numpy as np
import pytest
import scipy
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info, threadpool_limits

from sk_regnet import (
    RegularizedMLPRegressor,
    RegularizedMLPRegressorCV,
    _threads,
    regularization_path,
)
from sk_regnet._threads import (
    MIN_WORK_FOR_THREADS,
    blas_thread_limit,
    limit_blas_threads,
    threads_for_estimator,
    threads_for_products,
)


def blas_threads():
    """The thread setting of every loaded BLAS library, as threadpoolctl reports."""
    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]


def threads_by_kind():
    """({threads of the BLAS the network uses}, {threads of SciPy's own BLAS})."""
    network, solver = set(), set()
    for info in threadpool_info():
        if info["user_api"] == "blas":
            scipy_own = _threads._is_scipy_blas(info["filepath"])
            (solver if scipy_own else network).add(info["num_threads"])
    return network, solver


def expected(network, scipy_own=1):
    """What ``threads_by_kind`` gives when the network's BLAS runs on
    ``network`` threads and SciPy's own (if loaded apart) on ``scipy_own``."""
    has_scipy_own = bool(threads_by_kind()[1])
    return {network}, {scipy_own} if has_scipy_own else set()


@pytest.fixture
def two_threads():
    """BLAS at two threads for the test (the session runs at one)."""
    with threadpool_limits(limits=2, user_api="blas"):
        threads = blas_threads()
        if not threads or set(threads) != {2}:
            pytest.skip(f"no BLAS that can run two threads: {threadpool_info()}")
        yield


# ---------------------------------------------------------------------- rule
def test_rule_small_products_get_one_thread():
    # The standardised diabetes data through the default network.
    assert threads_for_products(442, [10, 100, 1]) == 1
    assert threads_for_products(200, [50, 100, 100, 1]) == 1  # an adam batch


def test_rule_large_products_keep_their_threads():
    assert threads_for_products(20_000, [100, 256, 1]) is None
    assert threads_for_products(10, [1000, 5000, 1]) is None


def test_rule_threshold_is_on_the_largest_layer_product():
    a, b = 50, 100
    rows = MIN_WORK_FOR_THREADS // (a * b)
    assert threads_for_products(rows, [a, b, 1]) is None  # rows * a * b == threshold
    assert threads_for_products(rows - 1, [a, b, 1]) == 1
    # The order of the layers does not matter, only the largest product.
    assert threads_for_products(rows, [1, b, a]) is None
    # Many small layers do not add up.
    assert threads_for_products(rows - 1, [a, b] * 10) == 1


def test_rule_leaves_out_a_sparse_input_layer():
    # The first layer's products are scipy.sparse's, not BLAS's.
    assert threads_for_products(20_000, [100, 256, 1]) is None
    assert threads_for_products(20_000, [100, 256, 1], sparse_input=True) == 1


def test_estimator_rule_counts_rows_per_call():
    X, y = np.zeros((20_000, 100)), np.zeros(20_000)
    # Full batch: every row in each product.
    assert threads_for_estimator(RegularizedMLPRegressor((100,)), X, y) is None
    # Stochastic: one batch at a time.
    assert threads_for_estimator(RegularizedMLPRegressor((100,), solver="adam"), X, y)
    assert (
        threads_for_estimator(
            RegularizedMLPRegressor((100,), solver="sgd", batch_size=10_000), X, y
        )
        is None
    )
    # Outputs count as a layer; sparse input does not.
    assert threads_for_estimator(RegularizedMLPRegressor((2,)), X, y) == 1
    assert (
        threads_for_estimator(
            RegularizedMLPRegressor((2,)), X[:1000], np.zeros((1000, 20_000))
        )
        is None
    )
    assert threads_for_estimator(RegularizedMLPRegressor((100,)), sp.csr_matrix(X), y)


def test_estimator_rule_for_predict_reads_the_fitted_network(small_regression):
    X, y = small_regression
    model = RegularizedMLPRegressor((4,), max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert threads_for_estimator(model, X) == 1
    model.coefs_ = [np.zeros((3, 20_000)), np.zeros((20_000, 2))]
    assert threads_for_estimator(model, np.zeros((1000, 3))) is None


@pytest.mark.parametrize(
    "X, y",
    [("not an array", None), (np.zeros(5), np.zeros(5))],
)
def test_estimator_rule_without_readable_shapes_changes_nothing(X, y):
    # Unfitted (predict), 1-D X: the call itself reports the problem.
    assert threads_for_estimator(RegularizedMLPRegressor(), X, y) is None


# --------------------------------------------------------------------- limit
def test_limit_applies_and_is_restored(two_threads):
    with blas_thread_limit(1):
        assert set(blas_threads()) == {1}
    assert set(blas_threads()) == {2}
    with blas_thread_limit(None):  # SciPy's own BLAS alone, to one thread
        assert threads_by_kind() == expected(2, 1)
    assert set(blas_threads()) == {2}
    with blas_thread_limit(None, scipy_threads=None):
        assert set(blas_threads()) == {2}


def test_limit_is_restored_after_an_error(two_threads):
    with pytest.raises(RuntimeError), blas_thread_limit(1):
        raise RuntimeError
    assert set(blas_threads()) == {2}


def test_limit_never_raises_the_users_limit(two_threads):
    with threadpool_limits(limits=1, user_api="blas"):
        with blas_thread_limit(2):
            assert set(blas_threads()) == {1}
        with blas_thread_limit(1):
            assert set(blas_threads()) == {1}
        assert set(blas_threads()) == {1}
    assert set(blas_threads()) == {2}


def test_nested_limits_restore_only_at_the_outermost(two_threads):
    with blas_thread_limit(1):
        with blas_thread_limit(1):
            pass
        assert set(blas_threads()) == {1}
        with blas_thread_limit(None):
            assert set(blas_threads()) == {1}
    assert set(blas_threads()) == {2}


def test_limit_can_be_switched_off(two_threads, monkeypatch):
    monkeypatch.setattr(_threads, "ENABLED", False)
    with blas_thread_limit(1):
        assert set(blas_threads()) == {2}


def test_scipy_own_blas_is_told_apart_by_its_directory():
    scipy_dir = os.path.dirname(scipy.__file__)
    assert _threads._is_scipy_blas(os.path.join(scipy_dir + ".libs", "libblas.so"))
    assert _threads._is_scipy_blas(os.path.join(scipy_dir, ".dylibs", "libblas.dylib"))
    assert not _threads._is_scipy_blas(
        os.path.join(os.path.dirname(np.__file__) + ".libs", "libblas.so")
    )
    assert not _threads._is_scipy_blas(scipy_dir + "_extra/libblas.so")
    assert not _threads._is_scipy_blas(None)


def test_another_thread_leaves_the_held_limit_alone(two_threads):
    # The setting is process-wide: a second thread must neither set nor
    # restore it while the first holds it, whatever the order of exits.
    entered, release = threading.Event(), threading.Event()
    errors = []

    def other():
        try:
            with blas_thread_limit(1):
                entered.set()
                release.wait(10)
        except Exception as exc:  # reported in the main thread
            errors.append(exc)

    with blas_thread_limit(1):
        worker = threading.Thread(target=other)
        worker.start()
        assert entered.wait(10)
    assert set(blas_threads()) == {2}  # the other thread is still inside
    release.set()
    worker.join(10)
    assert not errors
    assert set(blas_threads()) == {2}
    assert _threads._HOLDER == {"thread": None, "depth": 0, "limiter": None}


# ------------------------------------------------------------- wrapped calls
class Recorder:
    """A stand-in estimator whose methods record the BLAS threads inside."""

    def __init__(self, hidden_layer_sizes=(4,), solver="lbfgs"):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.solver = solver
        self.batch_size = "auto"

    @limit_blas_threads
    def fit(self, X, y, sample_weight=None):
        self.coefs_ = [np.zeros((X.shape[1], 4)), np.zeros((4, 1))]
        self.seen_ = threads_by_kind()
        return self

    @limit_blas_threads
    def predict(self, X):
        self.seen_ = threads_by_kind()
        return np.zeros(len(X))


def test_wrapped_calls_run_with_the_threads_the_rule_gives(two_threads, monkeypatch):
    X, y = np.zeros((50, 3)), np.zeros(50)
    model = Recorder()
    assert model.fit(X, y).seen_ == expected(1)  # small: one thread
    assert model.predict(X) is not None and model.seen_ == expected(1)
    assert set(blas_threads()) == {2}
    monkeypatch.setattr(_threads, "MIN_WORK_FOR_THREADS", 10)  # now "large"
    assert model.fit(X, y).seen_ == expected(2)  # SciPy's own BLAS still at 1
    assert model.predict(X) is not None and model.seen_ == expected(2)
    assert set(blas_threads()) == {2}


def test_wrapped_calls_keep_the_users_tighter_limit(two_threads, monkeypatch):
    monkeypatch.setattr(_threads, "MIN_WORK_FOR_THREADS", 10)
    X, y = np.zeros((50, 3)), np.zeros(50)
    with threadpool_limits(limits=1, user_api="blas"):
        assert set(Recorder().fit(X, y).seen_[0]) == {1}
        assert set(blas_threads()) == {1}
    assert set(blas_threads()) == {2}


def test_wrapped_method_keeps_its_name_and_says_it_is_limited():
    assert Recorder.fit.__name__ == "fit"
    assert Recorder.fit.blas_limited


# ------------------------------------------------------ the shipped estimators
def _probing_loss(seen):
    def loss(y_true, y_pred, sample_weight):
        seen.append(threads_by_kind())
        return anp.mean((y_true - y_pred) ** 2)

    return loss


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize(
    "how",
    [
        "fit",
        "partial_fit",
        "cv",
        "predict",
        "path",
    ],
)
def test_estimators_limit_their_fits_and_predictions(
    small_regression, two_threads, monkeypatch, how, large
):
    X, y = small_regression
    if large:
        monkeypatch.setattr(_threads, "MIN_WORK_FOR_THREADS", 10)
    seen = []
    params = dict(hidden_layer_sizes=(4,), max_iter=3, loss=_probing_loss(seen))
    with warnings.catch_warnings():
        # Three iterations on a two-alpha grid: not what is tested.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", "The best mean validation score", UserWarning)
        if how == "fit":
            RegularizedMLPRegressor(solver="lbfgs", **params).fit(X, y)
        elif how == "partial_fit":
            RegularizedMLPRegressor(solver="adam", **params).partial_fit(X, y)
        elif how == "cv":
            RegularizedMLPRegressorCV(n_alphas=2, cv=2, **params).fit(X, y)
        elif how == "path":
            regularization_path(X, y, alphas=[1e-3, 1e-2], solver="lbfgs", **params)
        else:
            model = RegularizedMLPRegressor((4,), max_iter=3).fit(X, y)
            predict_with = model._predict_with

            def probing_predict_with(*args):
                seen.append(threads_by_kind())
                return predict_with(*args)

            model._predict_with = probing_predict_with
            model.predict(X)
    assert seen
    assert all(threads == expected(2 if large else 1) for threads in seen), seen
    assert set(blas_threads()) == {2}
