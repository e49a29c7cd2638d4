"""Ours versus scikit-learn's MLPRegressor: time per iteration and peak memory.

Run from the repository root::

    PYTHONPATH=$PWD python benchmarks/bench_mlp.py [--repeats N] [--only a,b,c,d]

Each comparison fits the same architecture with the same solver, batch size and
iteration budget, alternating ours and theirs ``repeats`` times in one
process, and prints the median seconds per iteration (or epoch) and the ratio
ours / theirs, for wall-clock and CPU time. Targets (issue 7): (a) <= 0.7,
(b) <= 0.9, (c) <= 0.7 with a final training loss no worse, (d) <= 1.3.
(b') is (b) per additional epoch (fixed costs of a fit left out, both
sides). (e) float32 and (f) sparse input have no target: figures only.
"""

import argparse
import statistics

import numpy as np
from _common import (
    article_train_data,
    interleaved,
    machine,
    peak_memory,
    timed_fit,
)
from sklearn.datasets import make_friedman1
from sklearn.neural_network import MLPRegressor
from threadpoolctl import threadpool_limits

from sk_regnet import RegularizedMLPRegressor


def small_gd(repeats):
    """(a) The article's data, hidden (10,), tanh, 500 full-batch steps."""
    X, y = article_train_data()
    n = X.shape[0]

    def ours():
        return RegularizedMLPRegressor(
            hidden_layer_sizes=(10,),
            activation="tanh",
            penalty="l2",
            alpha=0.01,
            solver="gd",
            learning_rate_init=0.01,
            max_iter=500,
            tol=0.0,
            random_state=0,
        )

    def theirs():
        # Same objective up to a factor 2: 1/2 MSE + alpha_sk / (2n) ||W||^2.
        return MLPRegressor(
            hidden_layer_sizes=(10,),
            activation="tanh",
            alpha=0.01 * n * 2,
            solver="sgd",
            batch_size=n,
            learning_rate_init=0.02,
            momentum=0.0,
            nesterovs_momentum=False,
            shuffle=False,
            max_iter=500,
            tol=0.0,
            n_iter_no_change=10**9,
            random_state=0,
        )

    return interleaved(ours, theirs, X, y, repeats, lambda m: m.n_iter_)


def medium_data(n_samples=20000):
    """Data and model makers of (b)."""
    X, y = make_friedman1(n_samples=n_samples, n_features=50, random_state=0)
    n = X.shape[0]
    common = dict(
        hidden_layer_sizes=(100, 100),
        activation="tanh",
        solver="adam",
        batch_size=200,
        learning_rate_init=1e-3,
        max_iter=3,
        tol=0.0,
        n_iter_no_change=10**9,
        random_state=0,
    )

    def ours():
        return RegularizedMLPRegressor(penalty="l2", alpha=1e-4 / n, **common)

    def theirs():
        return MLPRegressor(alpha=1e-4, **common)

    return X, y, ours, theirs


def medium_adam(repeats, n_samples=20000):
    """(b) make_friedman1(20000, 50), hidden (100, 100), tanh, adam, batch 200."""
    X, y, ours, theirs = medium_data(n_samples)
    return interleaved(ours, theirs, X, y, repeats, lambda m: m.n_iter_), (
        X,
        y,
        ours,
        theirs,
    )


def medium_marginal(repeats, n_samples=20000):
    """(b') (b) per additional epoch: (fit of 4 epochs - fit of 1 epoch) / 3.

    Leaves out what a fit costs once (validation, initialisation), on both
    sides.
    """
    X, y, ours, theirs = medium_data(n_samples)
    times = {"ours": [], "theirs": []}
    for _ in range(repeats):
        for side, make in (("ours", ours), ("theirs", theirs)):
            short, long = make().set_params(max_iter=1), make().set_params(max_iter=4)
            t1 = timed_fit(short, X, y)[1]
            t4 = timed_fit(long, X, y)[1]
            times[side].append((t4 - t1) / 3)
    return statistics.median(times["ours"]), statistics.median(times["theirs"])


def medium_float32(repeats, n_samples=20000):
    """(e) (b) with float32 inputs: both sides compute in float32."""
    X, y, ours, theirs = medium_data(n_samples)
    X32 = X.astype(np.float32)
    return interleaved(ours, theirs, X32, y, repeats, lambda m: m.n_iter_)


def sparse_adam(repeats):
    """(f) Sparse CSR input, 5000 x 2000 at 1% density, hidden (100,), adam."""
    import scipy.sparse as sp

    rng = np.random.RandomState(0)
    X = sp.random(5000, 2000, density=0.01, format="csr", random_state=rng)
    y = X @ rng.randn(2000) + 0.1 * rng.randn(5000)
    common = dict(
        hidden_layer_sizes=(100,),
        activation="relu",
        solver="adam",
        batch_size=200,
        max_iter=3,
        tol=0.0,
        n_iter_no_change=10**9,
        random_state=0,
    )

    def ours():
        return RegularizedMLPRegressor(penalty="l2", alpha=1e-4 / 5000, **common)

    def theirs():
        return MLPRegressor(alpha=1e-4, **common)

    return interleaved(ours, theirs, X, y, repeats, lambda m: m.n_iter_)


def small_lbfgs(repeats):
    """(c) The article's data, hidden (10,), tanh, L-BFGS, 300 iterations."""
    X, y = article_train_data()

    def ours():
        return RegularizedMLPRegressor(
            hidden_layer_sizes=(10,),
            activation="tanh",
            penalty=None,
            alpha=0.0,
            solver="lbfgs",
            max_iter=300,
            tol=0.0,
            random_state=0,
        )

    def theirs():
        return MLPRegressor(
            hidden_layer_sizes=(10,),
            activation="tanh",
            alpha=0.0,
            solver="lbfgs",
            max_iter=300,
            tol=0.0,
            random_state=0,
        )

    return interleaved(ours, theirs, X, y, repeats, lambda m: m.n_iter_)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", default="a,b,c,d,e,f")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="BLAS threads for both sides (default 1: stable on a shared machine)",
    )
    args = parser.parse_args()
    only = set(args.only.split(","))
    with threadpool_limits(limits=args.threads, user_api="blas"):
        print(machine())
        run(only, args.repeats)


def run(only, repeats):
    """Run the comparisons named in ``only`` and print one line each."""
    if "a" in only:
        c = small_gd(repeats)
        print(c.line("(a) gd 80x1 (10,) tanh, 500 steps", "us/iter", 1e6, 0.7))
    if "b" in only or "d" in only:
        c, (X, y, ours, theirs) = medium_adam(repeats if "b" in only else 1)
        if "b" in only:
            print(
                c.line(
                    "(b) adam friedman1 20000x50 (100,100) tanh batch 200",
                    "ms/epoch",
                    1e3,
                    0.9,
                )
            )
        if "b" in only:
            o, t = medium_marginal(max(3, repeats // 2))
            print(
                f"(b') as (b), CPU time per additional epoch: ours {o * 1e3:.1f} "
                f"ms, MLPRegressor {t * 1e3:.1f} ms, ratio {o / t:.3f}"
            )
        if "d" in only:
            po, pt = peak_memory(ours(), X, y), peak_memory(theirs(), X, y)
            print(
                f"(d) tracemalloc peak during (b): ours {po / 2**20:.2f} MiB, "
                f"MLPRegressor {pt / 2**20:.2f} MiB, ratio {po / pt:.3f} "
                "(target <= 1.3)"
            )
    if "e" in only:
        c = medium_float32(repeats)
        print(c.line("(e) as (b), float32 X", "ms/epoch", 1e3, "-"))
        print(f"    coefs_ dtype ours {c.ours.coefs_[0].dtype}")
    if "f" in only:
        c = sparse_adam(repeats)
        print(
            c.line(
                "(f) adam, sparse CSR 5000x2000 1%, (100,) relu", "ms/epoch", 1e3, "-"
            )
        )
    if "c" in only:
        c = small_lbfgs(repeats)
        X, y = article_train_data()
        mse_o = float(np.mean((c.ours.predict(X) - y) ** 2))
        mse_t = float(np.mean((c.theirs.predict(X) - y) ** 2))
        print(c.line("(c) lbfgs 80x1 (10,) tanh, 300 iterations", "us/iter", 1e6, 0.7))
        print(
            f"    iterations ours {c.ours.n_iter_}, MLPRegressor {c.theirs.n_iter_}; "
            f"final training MSE ours {mse_o:.6g}, MLPRegressor {mse_t:.6g} "
            f"({'no worse' if mse_o <= mse_t else 'WORSE'})"
        )


if __name__ == "__main__":
    main()
