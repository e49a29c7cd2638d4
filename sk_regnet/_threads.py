"""BLAS threads: one for the small matrix products of small fits (issue 13).

A multithreaded BLAS pays for its threads on every product: waking them,
splitting the work, waiting for the slowest. On the products of a small
network that costs more than it saves, and on a busy machine much more (a
thread that waits for a core holds up the whole product; OpenBLAS's idle
threads spin, taking a core from the main thread). Measured on a 2-core
machine (benchmarks/bench_threads.py, figures in benchmarks/README.md):
``RegularizedMLPRegressorCV(penalty='l2').fit`` on the standardised diabetes
data took 4.9-8.0 s with OpenBLAS's default threads and 0.6-0.7 s with one.

The estimators therefore run their fits and predictions inside
:func:`blas_thread_limit`, with the number of threads chosen by
:func:`threads_for_products` from the size of the largest matrix product of
one call: one thread below :data:`MIN_WORK_FOR_THREADS`, the BLAS's own
setting (never more) above it.
"""

import functools
import sys
import threading

import numpy as np
from threadpoolctl import ThreadpoolController

#: Rows x fan-in x fan-out of a network's largest layer product, per call,
#: from which BLAS threads are left as they are. Below it, one thread.
#: Measured (benchmarks/bench_threads.py --part products): a layer's
#: forward and backward products, ``(r, a) @ (a, b)``, ``(a, r) @ (r, b)`` and
#: ``(r, b) @ (b, a)``, gained from a second thread on an idle machine only
#: from about 3e7 (1.3-1.8x faster above 1e8), while on a loaded machine the
#: second thread made them slower at every size (2-14x below 1e7, 1.3-1.5x
#: above 1e8).
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


def _blas_controller():
    """The loaded BLAS libraries, found again only after an import.

    Finding them (``threadpoolctl.ThreadpoolController()``) takes about 2 ms;
    a regularization path fits hundreds of times. A library loaded without
    an import (``ctypes``) is missed until the next import.
    """
    global _CONTROLLER
    n_modules, controller = _CONTROLLER
    if n_modules != len(sys.modules):
        n_modules = len(sys.modules)
        controller = ThreadpoolController().select(user_api="blas")
        _CONTROLLER = n_modules, controller
    return controller


_CONTROLLER = (-1, None)
# The limit is process-wide (OpenBLAS's pthreads pool): one thread holds it at
# a time, entered and restored in that thread, outermost call first.
_LOCK = threading.Lock()
_HOLDER = {"thread": None, "depth": 0, "limiter": None}


class blas_thread_limit:
    """Context manager: at most ``n_threads`` BLAS threads inside the block.

    A limit only ever lowers the number of threads: where the BLAS already
    runs on fewer (the user's own ``threadpoolctl.threadpool_limits``,
    ``OPENBLAS_NUM_THREADS``), nothing changes. The previous setting is
    restored on leaving the block.

    Cheap to nest: only the outermost block of a thread sets and restores the
    limit (about 15 us, against 2 ms for ``threadpool_limits``, which looks
    for the libraries every time); the others cost about 1 us. The BLAS
    setting is process-wide, so while one thread holds a limit, blocks
    entered by other threads leave it to that thread (they neither set nor
    restore it).

    Parameters
    ----------
    n_threads : int or None
        The limit; None does nothing (as :data:`ENABLED` = False).

    Examples
    --------
    >>> import numpy as np
    >>> from sk_regnet._threads import blas_thread_limit
    >>> with blas_thread_limit(1):
    ...     product = np.ones((3, 2)) @ np.ones((2, 4))
    >>> product.shape
    (3, 4)
    """

    def __init__(self, n_threads):
        self.n_threads = n_threads
        self._held = False

    def __enter__(self):
        if self.n_threads is None or not ENABLED:
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
            controller = _blas_controller()
            limits = {
                lib.filepath: self.n_threads
                for lib in controller.lib_controllers
                if (lib.num_threads or 0) > self.n_threads
            }
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
