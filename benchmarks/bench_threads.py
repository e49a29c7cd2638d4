"""BLAS threads for small and large fits, on an idle and a loaded machine (issue 13).

Run from the repository root::

    PYTHONPATH=$PWD python benchmarks/bench_threads.py              # everything
    PYTHONPATH=$PWD python benchmarks/bench_threads.py --part estimators --loads 1
    PYTHONPATH=$PWD python benchmarks/bench_threads.py --patch      # see below

Every part runs once per entry of ``--loads``: ``0`` is the machine as it is
(other users' work included: the load average is printed), ``k`` adds ``k``
busy-loop processes started by this script, each bounded to
``--load-seconds`` and killed when the part ends.

``products``: the matrix products of one network layer of fan-in ``a`` and
fan-out ``b`` on ``r`` rows, forward and backward (``(r, a) @ (a, b)``, a
``tanh``, ``(a, r) @ (r, b)``, ``(r, b) @ (b, a)``), timed with one BLAS thread
and with the BLAS's default; the rule in ``sk_regnet/_threads.py`` takes its
threshold on ``r * a * b`` from these figures.

``series``: whole fits (L-BFGS and gradient descent, 20 iterations, friedman1
with 100 features, hidden (100,)) on 100 to 30000 rows, r*a*b = 1e6 to 3e8,
with NumPy's BLAS on one thread and on the default, SciPy's own on one in
both (as the estimators run it); each repeat's ratio is filed as in
``products``.

``estimators``: real fits, each timed in three modes, interleaved:

- ``shipped``: the estimator as it is, with its own limiting
  (``sk_regnet._threads.ENABLED``);
- ``one``: inside ``threadpool_limits(1)``;
- ``default``: inside ``threadpool_limits(<the BLAS's default>)`` with the
  estimator's own limiting switched off (``ENABLED = False``).

The line ``built-in limiting`` says whether the estimators' methods carry the
wrapper of ``sk_regnet/_threads.py``. ``--patch`` applies it to them first
where they do not (as the integration does), so that ``shipped`` means the
same before and after the integration.

``overhead``: microseconds per entry and exit of each way of limiting, against
the time of one warm step of a regularization path on small data.
"""

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np
from _common import machine
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler
from threadpoolctl import ThreadpoolController, threadpool_info, threadpool_limits

import sk_regnet._cv
import sk_regnet._mlp
from sk_regnet import RegularizedMLPRegressor, RegularizedMLPRegressorCV, _threads
from sk_regnet._threads import blas_thread_limit, limit_blas_threads


def blas_threads():
    """The BLAS threads now (the smallest over the loaded BLAS libraries)."""
    counts = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    return min(counts) if counts else None


def load_average():
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def cpu_counters():
    """(busy CPU seconds of the machine, of this process, wall seconds)."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(v) for v in f.readline().split()[1:9]]
        busy = (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        busy = float("nan")
    return busy, time.process_time(), time.perf_counter()


def others_load(before, after):
    """Cores kept busy by other processes between two ``cpu_counters()``."""
    busy, own, wall = (a - b for a, b in zip(after, before))
    return max(0.0, (busy - own) / wall)


def wait_idle(max_seconds):
    """Wait (at most ``max_seconds``) for other processes to use < 0.1 core."""
    deadline = time.monotonic() + max_seconds
    while True:
        before = cpu_counters()
        time.sleep(0.5)
        if others_load(before, cpu_counters()) < 0.1:
            return True
        if time.monotonic() > deadline:
            return False


@contextlib.contextmanager
def busy_load(n_processes, seconds):
    """``n_processes`` busy loops, each ending by itself after ``seconds``."""
    code = (
        "import time\n"
        f"end = time.monotonic() + {float(seconds)}\n"
        "while time.monotonic() < end:\n"
        "    pass\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(n_processes)]
    try:
        time.sleep(0.5 if procs else 0)  # let them start spinning
        yield
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait()


# ------------------------------------------------------------------ products
def layer_step(X, W, D):
    Z = X @ W
    np.tanh(Z, out=Z)
    return Z, X.T @ D, D @ W.T


def time_per_step(X, W, D, seconds):
    """Seconds per ``layer_step``, over a block of at least ``seconds``."""
    n, start = 0, time.perf_counter()
    while True:
        layer_step(X, W, D)
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed > seconds:
            return elapsed / n


# (a, b) = (100, 1): an output layer, where NumPy calls gemv, not gemm.
PRODUCT_SHAPES = [
    (r, a, b)
    for r in (100, 200, 442, 1000, 3000, 10000, 30000)
    for a, b in ((100, 1), (10, 100), (100, 100), (300, 300))
    if r * a * b <= 1e9
]


def _median_or_dash(values, fmt):
    return format(statistics.median(values), fmt) if values else "-"


def products(default, budget, idle_wait, rounds):
    """Paired rounds per shape: a block with 1 thread, then with ``default``.

    Each round's ratio is filed by the load other processes put on the
    machine during it: under 0.3 of a core ("idle") or from 0.7 ("busy").
    """
    rng = np.random.RandomState(0)
    print(
        f"  {'r':>6} {'a':>4} {'b':>4} {'r*a*b':>9} {'1 thread':>11} "
        f"{f'{default} threads':>11}  ratio {default}/1: idle (n)   busy (n)"
    )
    for r, a, b in PRODUCT_SHAPES:
        X, W, D = rng.randn(r, a), rng.randn(a, b), rng.randn(r, b)
        t = {1: [], default: []}
        ratios = {"idle": [], "busy": []}
        for _ in range(rounds):
            if idle_wait:
                wait_idle(idle_wait)
            before = cpu_counters()
            for k in t:
                with threadpool_limits(limits=k, user_api="blas"):
                    layer_step(X, W, D)
                    t[k].append(time_per_step(X, W, D, budget / rounds))
            load = others_load(before, cpu_counters())
            state = "idle" if load < 0.3 else "busy" if load >= 0.7 else None
            if state:
                ratios[state].append(t[default][-1] / t[1][-1])
        print(
            f"  {r:>6} {a:>4} {b:>4} {r * a * b:>9.2g} "
            f"{statistics.median(t[1]) * 1e6:>8.0f} us "
            f"{statistics.median(t[default]) * 1e6:>8.0f} us  "
            + "   ".join(
                f"{_median_or_dash(ratios[s], '.2f'):>6} ({len(ratios[s])})"
                for s in ("idle", "busy")
            ),
            flush=True,
        )


# ---------------------------------------------------------------- estimators
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return X, (y - y.mean()) / y.std()


def friedman(n, d):
    X, y = make_friedman1(n_samples=n, n_features=d, noise=1.0, random_state=0)
    return StandardScaler().fit_transform(X), (y - y.mean()) / y.std()


def cases():
    """(key, label, make the estimator, data), smallest products first.

    L-BFGS is named explicitly where the issue measured it: scipy's L-BFGS-B
    makes small matrix-vector products of its own, (n_params, 2 m) with m =
    10, which OpenBLAS spreads over its threads from about 1000 parameters.
    """
    return [
        (
            "mlp",
            "lbfgs diabetes 442x10, (100,), to convergence",
            lambda: RegularizedMLPRegressor(solver="lbfgs", random_state=0),
            diabetes,
        ),
        (
            "cv",
            "RegularizedMLPRegressorCV(penalty='l2', solver='lbfgs') diabetes",
            lambda: RegularizedMLPRegressorCV(
                penalty="l2", solver="lbfgs", random_state=0
            ),
            diabetes,
        ),
        (
            "cv-default",
            "RegularizedMLPRegressorCV(penalty='l2') diabetes, default solver",
            lambda: RegularizedMLPRegressorCV(penalty="l2", random_state=0),
            diabetes,
        ),
        (
            "adam",
            "adam friedman1 20000x50, (100,100) batch 200, 2 epochs",
            lambda: RegularizedMLPRegressor(
                (100, 100), solver="adam", max_iter=2, tol=0.0, random_state=0
            ),
            lambda: friedman(20000, 50),
        ),
        (
            "medium",
            "lbfgs friedman1 3000x100, (100,), 30 iterations",
            lambda: RegularizedMLPRegressor(
                (100,), solver="lbfgs", max_iter=30, tol=0.0, random_state=0
            ),
            lambda: friedman(3000, 100),
        ),
        (
            "large",
            "lbfgs friedman1 20000x100, (256,), 15 iterations",
            lambda: RegularizedMLPRegressor(
                (256,), solver="lbfgs", max_iter=15, tol=0.0, random_state=0
            ),
            lambda: friedman(20000, 100),
        ),
        (
            "large-gd",
            "gd friedman1 20000x100, (256,), 15 steps, no penalty",
            lambda: RegularizedMLPRegressor(
                (256,),
                penalty=None,
                solver="gd",
                max_iter=15,
                tol=0.0,
                random_state=0,
            ),
            lambda: friedman(20000, 100),
        ),
    ]


@contextlib.contextmanager
def mode(name, default):
    if name == "shipped":
        yield
    elif name == "one":
        with threadpool_limits(limits=1, user_api="blas"):
            yield
    else:
        _threads.ENABLED = False
        try:
            with threadpool_limits(limits=default, user_api="blas"):
                yield
        finally:
            _threads.ENABLED = True


def timed(make, X, y, settle=0.3):
    """Wall and CPU seconds of a fit and a prediction on the training data.

    Then ``settle`` seconds of sleep, not timed: OpenBLAS's threads spin for
    a while after their last product, which would slow the next fit down.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = make()
        wall, cpu = time.perf_counter(), time.process_time()
        model.fit(X, y)
        model.predict(X)
        times = time.perf_counter() - wall, time.process_time() - cpu
    time.sleep(settle)
    return times


def estimators(keys, default, repeats, idle_wait):
    """Each case in the three modes, interleaved, ``repeats`` times (medians)."""
    modes = ("shipped", "one", "default")
    for key, label, make, data in cases():
        if key not in keys:
            continue
        X, y = data()
        times, loads, idle = {m: [] for m in modes}, [], True
        for i in range(repeats):
            if idle_wait:
                idle = wait_idle(idle_wait) and idle
            before = cpu_counters()
            for m in modes[i % 3 :] + modes[: i % 3]:  # each mode first once
                with mode(m, default):
                    times[m].append(timed(make, X, y))
            loads.append(others_load(before, cpu_counters()))
        wall = {m: statistics.median(t[0] for t in times[m]) for m in modes}
        cpu = {m: statistics.median(t[1] for t in times[m]) for m in modes}
        model = make()
        rule = _threads.threads_for_estimator(model, X, y)
        print(
            f"  ({key}) {label}: fit + predict; largest r*a*b "
            f"{_largest(model, X, y):.2g}, rule: "
            f"{'1 thread' if rule == 1 else 'threads kept'}; others' load "
            f"{statistics.median(loads):.2f}" + ("" if idle else " (never idle)")
        )
        print(
            "    wall  shipped {shipped:.3f} s  one {one:.3f} s  default "
            "{default:.3f} s".format(**wall)
            + f"  | default/one {wall['default'] / wall['one']:.2f}  shipped/one "
            f"{wall['shipped'] / wall['one']:.2f}  shipped/default "
            f"{wall['shipped'] / wall['default']:.2f}"
        )
        print(
            "    CPU   shipped {shipped:.3f} s  one {one:.3f} s  default "
            "{default:.3f} s".format(**cpu),
            flush=True,
        )


def _largest(model, X, y):
    rows = X.shape[0]
    if model.solver in ("adam", "sgd"):
        rows = min(rows, 200 if model.batch_size == "auto" else model.batch_size)
    sizes = [
        X.shape[1],
        *np.atleast_1d(model.hidden_layer_sizes),
        1 if y.ndim == 1 else y.shape[1],
    ]
    return rows * max(a * b for a, b in zip(sizes[:-1], sizes[1:]))


# -------------------------------------------------------------------- series
SERIES_ROWS = (100, 300, 1000, 3000, 10000, 30000)


def series(default, repeats, idle_wait):
    """Whole fits across the threshold: friedman1 with 100 features, (100,).

    The network's BLAS on one thread against ``default``, SciPy's own BLAS on
    one thread in both (as the estimators run it); r*a*b = rows * 1e4.
    """
    print(
        f"  {'solver':>6} {'rows':>6} {'r*a*b':>7} {'1 thread':>9} "
        f"{f'{default} threads':>10}  ratio {default}/1: idle (n)   busy (n)"
    )
    for solver in ("lbfgs", "gd"):
        for rows in SERIES_ROWS:
            X, y = friedman(rows, 100)
            t = {1: [], default: []}
            ratios = {"idle": [], "busy": []}
            for i in range(repeats):
                if idle_wait:
                    wait_idle(idle_wait)
                before = cpu_counters()
                for k in (1, default) if i % 2 == 0 else (default, 1):
                    model = RegularizedMLPRegressor(
                        (100,),
                        solver=solver,
                        penalty=None,
                        max_iter=20,
                        tol=0.0,
                        random_state=0,
                    )
                    with threadpool_limits(limits=k, user_api="blas"):
                        with blas_thread_limit(None):  # SciPy's own BLAS: 1
                            t[k].append(timed(lambda m=model: m, X, y)[0])
                load = others_load(before, cpu_counters())
                state = "idle" if load < 0.3 else "busy" if load >= 0.7 else None
                if state:
                    ratios[state].append(t[default][-1] / t[1][-1])
            print(
                f"  {solver:>6} {rows:>6} {rows * 1e4:>7.0e} "
                f"{statistics.median(t[1]):>7.3f} s "
                f"{statistics.median(t[default]):>8.3f} s  "
                + "   ".join(
                    f"{_median_or_dash(ratios[s], '.2f'):>6} ({len(ratios[s])})"
                    for s in ("idle", "busy")
                ),
                flush=True,
            )


# ------------------------------------------------------------------ overhead
def per_call(enter, n):
    enter()
    start = time.perf_counter()
    for _ in range(n):
        enter()
    return (time.perf_counter() - start) / n * 1e6


def overhead(default):
    def with_threadpool_limits():
        with threadpool_limits(limits=1, user_api="blas"):
            pass

    controller = ThreadpoolController().select(user_api="blas")

    def with_cached_controller():
        with controller.limit(limits=1, user_api="blas"):
            pass

    def with_ours():
        with blas_thread_limit(1):
            pass

    def decide():
        _threads.threads_for_estimator(model, X, y)

    X, y = diabetes()
    model = RegularizedMLPRegressor()
    with threadpool_limits(limits=default, user_api="blas"):
        print(f"  threadpool_limits(1): {per_call(with_threadpool_limits, 200):.1f} us")
        print(
            "  cached ThreadpoolController().limit(1): "
            f"{per_call(with_cached_controller, 3000):.1f} us"
        )
        print(f"  blas_thread_limit(1), outermost: {per_call(with_ours, 3000):.1f} us")
        with blas_thread_limit(1):
            print(
                "  blas_thread_limit(1), nested in another: "
                f"{per_call(with_ours, 30000):.2f} us"
            )
        print(f"  threads_for_estimator (diabetes): {per_call(decide, 30000):.2f} us")
    with threadpool_limits(limits=1, user_api="blas"):
        print(
            "  blas_thread_limit(1) under the user's threadpool_limits(1): "
            f"{per_call(with_ours, 3000):.1f} us"
        )
    # What one call is set against: a warm-started refit on small data, as
    # at each step of a path (10 L-BFGS iterations).
    with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = RegularizedMLPRegressor(
            penalty="l2", solver="lbfgs", random_state=0
        ).fit(X, y)
        model.set_params(warm_start=True, max_iter=10)
        times = []
        for alpha in np.geomspace(1e-3, 1, 20):
            model.set_params(alpha=alpha)
            start = time.perf_counter()
            model.fit(X, y)
            times.append(time.perf_counter() - start)
    print(
        "  against: one warm-started fit, diabetes (100,) l2, 10 L-BFGS "
        f"iterations (one thread): {statistics.median(times) * 1e3:.2f} ms"
    )


# ------------------------------------------------------------------- patching
WRAPPED = [
    (sk_regnet._mlp.RegularizedMLPRegressor, "fit"),
    (sk_regnet._mlp.RegularizedMLPRegressor, "_partial_fit"),
    (sk_regnet._mlp.RegularizedMLPRegressor, "predict"),
    (sk_regnet._cv.RegularizedMLPRegressorCV, "fit"),
]


def built_in():
    return all(
        getattr(getattr(cls, name), "blas_limited", False) for cls, name in WRAPPED
    )


def patch():
    """Wrap the estimators' methods as the integration does, where not yet."""
    for cls, name in WRAPPED:
        method = getattr(cls, name)
        if not getattr(method, "blas_limited", False):
            setattr(cls, name, limit_blas_threads(method))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="products,series,estimators,overhead")
    parser.add_argument(
        "--cases", default="mlp,cv,cv-default,adam,medium,large,large-gd"
    )
    parser.add_argument("--loads", default="0,1", help="busy processes added, per run")
    parser.add_argument("--load-seconds", type=float, default=1800)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--budget", type=float, default=1.0, help="seconds per product and mode"
    )
    parser.add_argument("--patch", action="store_true")
    parser.add_argument("--rounds", type=int, default=6, help="products: rounds")
    parser.add_argument(
        "--idle-wait",
        type=float,
        default=0,
        help="with no load added, wait up to this many seconds before each "
        "round (estimators: repeat) for other processes to go quiet",
    )
    args = parser.parse_args()
    parts = set(args.part.split(","))
    default = blas_threads()
    print(machine())
    print(
        f"BLAS default threads: {default}; built-in limiting: "
        f"{'yes' if built_in() else 'no'}"
        + ("; --patch: applied" if args.patch and not built_in() else "")
    )
    if args.patch:
        patch()
    if default is None:
        sys.exit("no BLAS library found by threadpoolctl")
    for n_load in (int(k) for k in args.loads.split(",")):
        with busy_load(n_load, args.load_seconds):
            for part in ("products", "series", "estimators", "overhead"):
                if part not in parts:
                    continue
                print(
                    f"[{part}] {n_load} busy process(es) added, load average "
                    f"{load_average():.2f}",
                    flush=True,
                )
                if part == "products":
                    products(
                        default,
                        args.budget,
                        args.idle_wait if n_load == 0 else 0,
                        args.rounds,
                    )
                elif part == "series":
                    series(
                        default,
                        max(args.repeats, 4),
                        args.idle_wait if n_load == 0 else 0,
                    )
                elif part == "estimators":
                    estimators(
                        set(args.cases.split(",")),
                        default,
                        args.repeats,
                        args.idle_wait if n_load == 0 else 0,
                    )
                else:
                    overhead(default)


if __name__ == "__main__":
    main()
