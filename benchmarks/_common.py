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
    """Wall-clock and CPU seconds taken by ``model.fit(X, y)``.

    Convergence warnings are silenced. CPU time (``time.process_time``) is
    the steadier figure on a shared machine: it leaves out the time spent
    waiting for a core.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        wall, cpu = time.perf_counter(), time.process_time()
        model.fit(X, y)
        return time.perf_counter() - wall, time.process_time() - cpu


class Comparison:
    """Medians of interleaved timings, ours and theirs, per unit of work."""

    def __init__(self, ours_wall, ours_cpu, theirs_wall, theirs_cpu, ours, theirs):
        self.ours_wall = statistics.median(ours_wall)
        self.ours_cpu = statistics.median(ours_cpu)
        self.theirs_wall = statistics.median(theirs_wall)
        self.theirs_cpu = statistics.median(theirs_cpu)
        self.ours = ours
        self.theirs = theirs

    def line(self, label, unit, scale, target, theirs="MLPRegressor"):
        """One printable line: absolute figures and both ratios."""
        return (
            f"{label}: wall ours {self.ours_wall * scale:.1f} {unit}, {theirs} "
            f"{self.theirs_wall * scale:.1f} {unit}, ratio "
            f"{self.ours_wall / self.theirs_wall:.3f} | CPU ours "
            f"{self.ours_cpu * scale:.1f} {unit}, {theirs} "
            f"{self.theirs_cpu * scale:.1f} {unit}, ratio "
            f"{self.ours_cpu / self.theirs_cpu:.3f} (target <= {target})"
        )


def interleaved(make_ours, make_theirs, X, y, repeats, per_iter):
    """Time ``repeats`` fits of each side, alternating, per unit of work.

    ``per_iter(model)`` gives the number of units (iterations, epochs) a
    fitted model ran. Returns a :class:`Comparison` holding the medians and
    the last fitted models.
    """
    times = {"ow": [], "oc": [], "tw": [], "tc": []}
    for _ in range(repeats):
        m = make_ours()
        wall, cpu = timed_fit(m, X, y)
        times["ow"].append(wall / per_iter(m))
        times["oc"].append(cpu / per_iter(m))
        s = make_theirs()
        wall, cpu = timed_fit(s, X, y)
        times["tw"].append(wall / per_iter(s))
        times["tc"].append(cpu / per_iter(s))
    return Comparison(times["ow"], times["oc"], times["tw"], times["tc"], m, s)


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
