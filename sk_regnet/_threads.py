"""BLAS threads: one for the small matrix products of small fits (issue 13).

A multithreaded BLAS pays for its threads on every product: waking them,
splitting the work, waiting for the slowest. On a busy machine a thread that
waits for a core holds up the whole product for a scheduler time slice
(milliseconds), far longer than a small product takes. Measured on a 2-core
machine (benchmarks/bench_threads.py, figures in benchmarks/README.md), an
L-BFGS fit on the standardised diabetes data took 9-15 times as long with
OpenBLAS's two threads as with one while other processes kept the cores
busy. There the culprit is not the network's products (OpenBLAS runs a
matrix product of fewer than about 5e5 multiply-adds on one thread anyway)
but scipy's L-BFGS-B, whose own small BLAS calls wake SciPy's OpenBLAS
threads at every iteration, whatever the size of the network (100
iterations with 121 parameters: 0.76 s with two threads, 14 ms with one).

The estimators therefore run their fits and predictions inside
:func:`blas_thread_limit`, with the number of threads chosen by
:func:`threads_for_products` from the size of the largest matrix product of
one call: one thread below :data:`MIN_WORK_FOR_THREADS`, the BLAS's own
setting (never more) from it. SciPy's own BLAS, where its wheels bundle one
apart from NumPy's, runs on one thread in every call: only L-BFGS-B uses it
during a fit, on vectors of the parameters' length, and its threads then
fight NumPy's for the cores even on an idle machine (a 20000 x 100 fit with
a (256,) layer: 2.7 s with both libraries on two threads, 2.1 s with both on
one, 1.4 s with NumPy's on two and SciPy's on one).
"""

import functools
import os
import sys
import threading

import numpy as np
from threadpoolctl import ThreadpoolController

#: Rows x fan-in x fan-out of a network's largest layer product, per call,
#: from which BLAS threads are left as they are. Below it, one thread.
#: Measured with benchmarks/bench_threads.py on a 2-core machine (figures in
#: benchmarks/README.md), on whole fits (L-BFGS and gradient descent, 20
#: iterations, 100 features, hidden (100,), 100 to 30000 rows): a second
#: thread made them
#:
#: - on an idle machine: 1.0x faster at 1e6, 1.1-1.2x at 3e6-1e7, 1.2-1.3x
#:   at 3e7, 1.3-1.4x at 1e8-3e8;
#: - with one core kept busy by another process: 6-29x slower at 1e6-3e6,
#:   4-6x at 1e7, then about 2x (1.8-2.4x) from 3e7 to 3e8.
#:
#: The threshold is that knee: below it a busy machine loses 4-30x for at
#: most 1.2x gained on an idle one; from it, about 2x against 1.2-1.4x. (The
#: products alone gain more on an idle machine, 1.5x from 2e6; the rest of a
#: fit does not.) On a busy machine, run larger fits inside
#: ``threadpoolctl.threadpool_limits(1)``.
MIN_WORK_FOR_THREADS = 30_000_000

#: Set to False to leave BLAS threads alone in every fit and prediction (the
#: benchmark does, to time the default threads).
ENABLED = True

# Solvers that multiply one minibatch at a time (all others: every row).
_STOCHASTIC_SOLVERS = ("adam", "sgd")


def threads_for_products(n_rows, layer_sizes, *, sparse_input=False):
    """BLAS threads for the matrix products of a network: 1, or None (as set).

    Every layer ``k`` of fan-in ``a`` and fan-out ``b`` makes three products
    per call on ``r = n_rows`` rows, each of ``r * a * b`` multiply-adds:
    ``A @ W`` (forward), ``A.T @ delta`` and ``delta @ W.T`` (backward). The
    rule looks at the largest of them:

    - ``n_rows * max_k(a_k * b_k) < MIN_WORK_FOR_THREADS``: one thread;
    - otherwise ``None``: the BLAS keeps its threads (the user's limit or its
      default).

    Parameters
    ----------
    n_rows : int
        Rows per call: the batch size for ``'adam'`` and ``'sgd'``; all the
        rows for the other solvers (full batch) and for predictions.
    layer_sizes : sequence of int
        ``[n_features, *hidden_layer_sizes, n_outputs]``.
    sparse_input : bool, default=False
        Whether the input is a scipy.sparse matrix: its layer's products are
        then scipy's, not BLAS's, and do not count.

    Returns
    -------
    n_threads : 1 or None
        ``1``: run on one thread; ``None``: leave the threads as they are.

    Examples
    --------
    >>> from sk_regnet._threads import threads_for_products
    >>> threads_for_products(442, [10, 100, 1])  # diabetes, default network
    1
    >>> threads_for_products(20_000, [100, 256, 1]) is None
    True
    """
    sizes = [int(s) for s in layer_sizes]
    pairs = list(zip(sizes[:-1], sizes[1:]))
    if sparse_input:
        pairs = pairs[1:]
    largest = max((a * b for a, b in pairs), default=0)
    return 1 if int(n_rows) * largest < MIN_WORK_FOR_THREADS else None


def _shape(a):
    shape = getattr(a, "shape", None)
    return tuple(shape) if shape is not None else np.shape(a)


def threads_for_estimator(estimator, X, y=None):
    """:func:`threads_for_products` for ``estimator`` fitted on, or predicting, X.

    With ``y``: a fit, on the architecture ``hidden_layer_sizes`` sets, with
    as many rows per call as the solver uses (the batch for ``'adam'`` and
    ``'sgd'``). Without: a prediction of the fitted network on all of ``X``.

    Parameters
    ----------
    estimator : RegularizedMLPRegressor
        Its parameters (fit) or fitted ``coefs_`` (prediction).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The data of the call.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        The targets of a fit; None for a prediction.

    Returns
    -------
    n_threads : 1 or None
        As :func:`threads_for_products`; None too when the shapes cannot be
        read (the call then reports the problem itself).
    """
    try:
        n_rows, n_features = _shape(X)
        sparse = hasattr(X, "tocsr")  # scipy.sparse, without importing it
        if y is None:
            coefs = estimator.coefs_
            sizes = [W.shape[0] for W in coefs] + [coefs[-1].shape[1]]
        else:
            hidden = estimator.hidden_layer_sizes
            hidden = list(hidden) if np.iterable(hidden) else [hidden]
            y_shape = _shape(y)
            sizes = [n_features, *hidden, y_shape[1] if len(y_shape) > 1 else 1]
            if estimator.solver in _STOCHASTIC_SOLVERS:
                batch = estimator.batch_size
                n_rows = min(200 if batch == "auto" else int(batch), n_rows)
        return threads_for_products(n_rows, sizes, sparse_input=sparse)
    except Exception:
        return None


def _scipy_blas_dirs():
    """Where SciPy keeps the libraries it bundles (wheels: ``scipy.libs``)."""
    scipy = sys.modules.get("scipy")
    if scipy is None or not getattr(scipy, "__file__", None):
        return ()
    base = os.path.realpath(os.path.dirname(scipy.__file__))
    return (base + os.sep, base + ".libs" + os.sep)


def _is_scipy_blas(filepath, dirs=None):
    """Whether a BLAS library is SciPy's own (not shared with NumPy)."""
    dirs = _scipy_blas_dirs() if dirs is None else dirs
    return bool(filepath) and os.path.realpath(filepath).startswith(tuple(dirs))


def _blas_controller():
    """The loaded BLAS libraries and SciPy's own among them.

    Found again only after an import: finding them
    (``threadpoolctl.ThreadpoolController()``) takes about 2 ms, and a
    regularization path fits hundreds of times. A library loaded without an
    import (``ctypes``) is missed until the next import.

    Returns
    -------
    controller : threadpoolctl.ThreadpoolController
    scipy_paths : frozenset of str
        ``filepath`` of the libraries that :func:`_is_scipy_blas`.
    """
    global _CONTROLLER
    n_modules, controller, scipy_paths = _CONTROLLER
    if n_modules != len(sys.modules):
        n_modules = len(sys.modules)
        controller = ThreadpoolController().select(user_api="blas")
        dirs = _scipy_blas_dirs()
        scipy_paths = frozenset(
            lib.filepath
            for lib in controller.lib_controllers
            if _is_scipy_blas(lib.filepath, dirs)
        )
        _CONTROLLER = n_modules, controller, scipy_paths
    return controller, scipy_paths


_CONTROLLER = (-1, None, frozenset())
# The limit is process-wide (OpenBLAS's pthreads pool): one thread holds it at
# a time, entered and restored in that thread, outermost call first.
_LOCK = threading.Lock()
_HOLDER = {"thread": None, "depth": 0, "limiter": None}


class blas_thread_limit:
    """Context manager: at most ``n_threads`` BLAS threads inside the block.

    And SciPy's own BLAS library, where it has one apart from NumPy's, at
    most ``scipy_threads``. A limit only ever lowers the number of threads:
    where a BLAS already runs on fewer (the user's own
    ``threadpoolctl.threadpool_limits``, ``OPENBLAS_NUM_THREADS``), nothing
    changes. The previous setting is restored on leaving the block.

    Cheap to nest: only the outermost block of a thread sets and restores the
    limit (about 15 us, against 2 ms for ``threadpool_limits``, which looks
    for the libraries every time); the others cost about 1 us. The BLAS
    setting is process-wide, so while one thread holds a limit, blocks
    entered by other threads leave it to that thread (they neither set nor
    restore it).

    With :data:`ENABLED` False, the block changes nothing.

    Parameters
    ----------
    n_threads : int or None
        The limit; None leaves the threads as they are.
    scipy_threads : int or None, default=1
        The limit of SciPy's own BLAS (L-BFGS-B's); None: as ``n_threads``.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_regnet._threads import blas_thread_limit
    >>> with blas_thread_limit(1):
    ...     product = np.ones((3, 2)) @ np.ones((2, 4))
    >>> product.shape
    (3, 4)
    """

    def __init__(self, n_threads, *, scipy_threads=1):
        self.n_threads = n_threads
        self.scipy_threads = n_threads if scipy_threads is None else scipy_threads
        self._held = False

    def __enter__(self):
        if not ENABLED or (self.n_threads is None and self.scipy_threads is None):
            return self
        me = threading.get_ident()
        with _LOCK:
            if _HOLDER["thread"] == me:
                _HOLDER["depth"] += 1
                self._held = True
                return self
            if _HOLDER["thread"] is not None:
                return self
            _HOLDER["thread"], _HOLDER["depth"] = me, 1
        self._held = True
        try:
            controller, scipy_paths = _blas_controller()
            limits = {}
            for lib in controller.lib_controllers:
                cap = (
                    self.scipy_threads
                    if lib.filepath in scipy_paths
                    else self.n_threads
                )
                if cap is not None and (lib.num_threads or 0) > cap:
                    limits[lib.filepath] = cap
            if limits:
                limiter = controller.limit(limits=limits)
                limiter.__enter__()
                _HOLDER["limiter"] = limiter
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        if self._held:
            self._release()
        return False

    def _release(self):
        self._held = False
        with _LOCK:
            _HOLDER["depth"] -= 1
            if _HOLDER["depth"] > 0:
                return
        limiter, _HOLDER["limiter"] = _HOLDER["limiter"], None
        try:
            if limiter is not None:
                limiter.__exit__(None, None, None)
        finally:
            with _LOCK:
                _HOLDER["thread"] = None


def limit_blas_threads(method):
    """Decorate an estimator method ``method(self, X, y=None, ...)``.

    The call runs inside :func:`blas_thread_limit` with the threads
    :func:`threads_for_estimator` chooses: a fit when the method receives a
    ``y`` (second positional argument or keyword), a prediction otherwise.

    Parameters
    ----------
    method : callable
        The method to wrap.

    Returns
    -------
    wrapper : callable
        The method, limited; ``wrapper.blas_limited`` is True.
    """

    @functools.wraps(method)
    def wrapper(estimator, X, *args, **kwargs):
        y = args[0] if args else kwargs.get("y")
        with blas_thread_limit(threads_for_estimator(estimator, X, y)):
            return method(estimator, X, *args, **kwargs)

    wrapper.blas_limited = True
    return wrapper
