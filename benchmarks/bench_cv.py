"""RegularizedMLPRegressorCV against GridSearchCV over the same alphas and folds.

Run from the repository root::

    python benchmarks/bench_cv.py                    # 20 alphas, seeds 0-2
    python benchmarks/bench_cv.py --n-alphas 10
    python benchmarks/bench_cv.py --seeds 0 --case friedman

The cases of issue 14, at what a user types (the defaults of both, the
parameters each case names): the article's process (tanh (10,), l2);
Friedman #1 with 450 training rows x 20 features (relu (32,), l1, lbfgs);
and the adaptive group lasso with FISTA on the same kind of data. Friedman
data are drawn anew per seed and scored on 2000 fresh rows. For each case and
seed the CV estimator builds its automatic grid; GridSearchCV then searches
exactly ``cv.alphas_`` with the same ``KFold`` splits (shuffled by the seed)
and the same base-estimator parameters (``random_state`` = the seed). Both run
on one core (BLAS limited to one thread, ``n_jobs=1``), one after the other in
the same process, after one untimed fit of each (``warm_up``); the fastest
of ``--repeats`` interleaved runs counts. Prints, per seed, wall and CPU
times (CPU time of this process is the fairer figure on a shared machine),
solver iterations, the chosen alphas and the test MSEs; then a summary over
the seeds: the median and smallest speed-up, and the mean test MSE of each
method.

Targets (issue 14): speed-up >= 10x at the default grid (20 alphas) and >= 5x
at 10 alphas, mean test MSE within 2% of GridSearchCV's.
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sk_regnet import RegularizedMLPRegressor, RegularizedMLPRegressorCV
from sk_regnet.experiments import article_data


def _friedman(seed, n_train=450, n_features=20, n_test=2000):
    """Friedman #1 (noise 1): ``n_train`` rows, scored on ``n_test`` fresh ones.

    X and y standardised on the training rows. A new data set per seed.
    """
    X, y = make_friedman1(
        n_samples=n_train + n_test, n_features=n_features, noise=1.0, random_state=seed
    )
    X_train, X_test, y_train, y_test = (
        X[:n_train],
        X[n_train:],
        y[:n_train],
        y[n_train:],
    )
    scaler = StandardScaler().fit(X_train)
    mean, scale = y_train.mean(), y_train.std()
    return (
        scaler.transform(X_train),
        scaler.transform(X_test),
        (y_train - mean) / scale,
        (y_test - mean) / scale,
    )


def _article(seed):
    """The article's process (fixed data: its 80 training points)."""
    return article_data()


def cases():
    """(name, data(seed) -> (X_train, X_test, y_train, y_test), parameters).

    The parameters are what a user types (defaults everywhere else); both
    methods get the same ones.
    """
    yield (
        "article sin(pi x), (10,) tanh, l2",
        _article,
        {"hidden_layer_sizes": (10,), "activation": "tanh", "penalty": "l2"},
    )
    yield (
        "friedman1 450x20, (32,) relu, l1, lbfgs",
        _friedman,
        {"hidden_layer_sizes": (32,), "penalty": "l1", "solver": "lbfgs"},
    )
    yield (
        "friedman1 450x20, (32,) relu, adaptive group lasso, fista",
        _friedman,
        {
            "hidden_layer_sizes": (32,),
            "penalty": "group_lasso",
            "group_weights": "adaptive",
            "solver": "fista",
        },
    )


def timed(func, *args):
    """(wall s, CPU s of this process, solver iterations) of ``func(*args)``.

    Iterations are counted by wrapping the estimator's one training routine;
    unlike times they do not depend on the load of a shared machine.
    """
    counter = {"n_iter": 0}
    train = RegularizedMLPRegressor._train

    def counting_train(self, *args, **kwargs):
        result, objective = train(self, *args, **kwargs)
        counter["n_iter"] += result.n_iter
        return result, objective

    RegularizedMLPRegressor._train = counting_train
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        func(*args)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        RegularizedMLPRegressor._train = train
    return wall, cpu, counter["n_iter"]


def _fastest(runs):
    """(least wall, least CPU) seconds of ``timed`` results doing the same work."""
    assert len({n_iter for _, _, n_iter in runs}) == 1, "repeats differ in work"
    return min(wall for wall, _, _ in runs), min(cpu for _, cpu, _ in runs)


def test_mse(model, X, y):
    return float(np.mean((model.predict(X) - y) ** 2))


def warm_up():
    """Fit each method once, untimed, before anything is timed.

    The first fit of a process pays one-off costs (threadpoolctl's scan of
    the loaded BLAS libraries, about 17 ms; lazy imports), which would
    otherwise fall on whichever method runs first: the CV estimator, whose
    whole fit on the article's data takes about 0.1 s.
    """
    X, _, y, _ = article_data()
    params = {"hidden_layer_sizes": (3,), "max_iter": 5, "random_state": 0}
    grid = {"alpha": [1e-3, 1e-2]}
    with warnings.catch_warnings():  # two alphas, five iterations: it warns
        warnings.simplefilter("ignore")
        RegularizedMLPRegressorCV(**params, alphas=grid["alpha"], cv=2).fit(X, y)
        GridSearchCV(RegularizedMLPRegressor(**params), grid, cv=2).fit(X, y)


def run_seed(data, params, args, seed):
    """Both methods on one seed; a dict of figures."""
    X_train, X_test, y_train, y_test = data(seed)
    folds = KFold(n_splits=args.n_folds, shuffle=True, random_state=seed)
    cv_model = RegularizedMLPRegressorCV(
        **params, n_alphas=args.n_alphas, cv=folds, random_state=seed
    )
    # Interleaved repeats, the fastest of each kept: on a shared machine a
    # run is only ever slowed down by others, never sped up. Every fit starts
    # afresh, so each repeat does the same work (same iterations).
    runs_cv, runs_gs = [], []
    for _ in range(args.repeats):
        runs_cv.append(timed(cv_model.fit, X_train, y_train))
        # The CV estimator's grid, known once it has been fitted.
        search = GridSearchCV(
            RegularizedMLPRegressor(**params, random_state=seed),
            {"alpha": list(cv_model.alphas_)},
            cv=folds,
            scoring="neg_mean_squared_error",
        )
        runs_gs.append(timed(search.fit, X_train, y_train))
    (t_cv, c_cv), i_cv = _fastest(runs_cv), runs_cv[0][2]
    (t_gs, c_gs), i_gs = _fastest(runs_gs), runs_gs[0][2]
    mse_cv = test_mse(cv_model, X_test, y_test)
    mse_gs = test_mse(search, X_test, y_test)
    print(
        f"  seed {seed}: CV {t_cv:6.2f} s wall {c_cv:6.2f} s CPU {i_cv:6d} it "
        f"alpha_={cv_model.alpha_:.3g} test MSE {mse_cv:.5f} | GridSearchCV "
        f"{t_gs:6.2f} s wall {c_gs:6.2f} s CPU {i_gs:6d} it "
        f"alpha={search.best_params_['alpha']:.3g} test MSE {mse_gs:.5f} | "
        f"speed-up {t_gs / t_cv:.1f}x wall {c_gs / c_cv:.1f}x CPU "
        f"{i_gs / i_cv:.1f}x it",
        flush=True,
    )
    return {
        "wall": t_gs / t_cv,
        "cpu": c_gs / c_cv,
        "iterations": i_gs / i_cv,
        "mse_cv": mse_cv,
        "mse_gs": mse_gs,
    }


def run_case(name, data, params, args):
    print(f"\n{name}  ({args.n_alphas} alphas, {args.n_folds} folds)")
    print(f"  parameters of both: {params}")
    runs = [run_seed(data, params, args, s) for s in args.seeds]
    for key in ("wall", "cpu", "iterations"):
        values = [run[key] for run in runs]
        print(
            f"  speed-up ({key}): median {np.median(values):.2f}x, "
            f"smallest {min(values):.2f}x over {len(values)} seeds"
        )
    mse_cv = np.mean([run["mse_cv"] for run in runs])
    mse_gs = np.mean([run["mse_gs"] for run in runs])
    ratios = [run["mse_cv"] / run["mse_gs"] for run in runs]
    print(
        f"  mean test MSE: CV {mse_cv:.5f}, GridSearchCV {mse_gs:.5f}, "
        f"ratio {mse_cv / mse_gs:.3f} (per seed {min(ratios):.2f}..{max(ratios):.2f})"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--n-alphas", type=int, default=20, help="grid size (default 20, the CV's)"
    )
    parser.add_argument("--n-folds", type=int, default=5)
    parser.add_argument(
        "--seeds",
        type=lambda text: [int(s) for s in text.split(",")],
        default=[0, 1, 2],
        help="comma-separated seeds (default 0,1,2)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=2,
        help="timed fits of each method per seed, interleaved (default 2)",
    )
    parser.add_argument("--case", help="run only the case whose name contains this")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    with threadpool_limits(limits=1):
        warm_up()
        for case in cases():
            if args.case is None or args.case in case[0]:
                run_case(*case, args)


if __name__ == "__main__":
    main()
