"""Shared helpers of the benchmark scripts: data, timing, machine description."""

import os
import platform
import statistics
import time
import tracemalloc
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning


def article_train_data():
    """The blog article's 80 training rows (noisy sin(pi x))."""
    from sk_regnet.experiments import article_data

    X_train, _, y_train, _ = article_data()
    return X_train, y_train


def timed_fit(model, X, y):
    """Seconds taken by ``model.fit(X, y)`` (convergence warnings silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X, y)
        return time.perf_counter() - start


def interleaved(make_ours, make_theirs, X, y, repeats, per_iter):
    """Median seconds per unit of work, ours and theirs, fits interleaved.

    ``per_iter(model)`` gives the number of units (iterations, epochs) a
    fitted model ran. Returns ``(ours, theirs, last_ours, last_theirs)``.
    """
    ours, theirs = [], []
    for _ in range(repeats):
        m = make_ours()
        ours.append(timed_fit(m, X, y) / per_iter(m))
        s = make_theirs()
        theirs.append(timed_fit(s, X, y) / per_iter(s))
    return statistics.median(ours), statistics.median(theirs), m, s


def peak_memory(model, X, y):
    """Peak bytes traced by tracemalloc while ``model.fit(X, y)`` runs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tracemalloc.start()
        try:
            model.fit(X, y)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def machine():
    """One line describing the machine and the BLAS in use."""
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    blas = ""
    try:
        from threadpoolctl import threadpool_info

        infos = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if infos:
            i = infos[0]
            blas = f", BLAS {i['internal_api']} {i.get('version')} {i.get('architecture')} x{i['num_threads']}"
    except ImportError:
        pass
    env = {
        k: os.environ[k]
        for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
        if k in os.environ
    }
    return f"{cpu}, nproc={os.cpu_count()}, numpy {np.__version__}{blas}" + (
        f", env {env}" if env else ""
    )
