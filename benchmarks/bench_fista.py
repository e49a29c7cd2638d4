"""FISTA against the other solvers on the same objective (Friedman #1, 750 x 50).

Prints, per penalty, each solver's fit time, final objective J, non-zero
weights and selected input features, and the time ratio to 'fista'.
Run: ``python benchmarks/bench_fista.py``.
"""

import time
import warnings

import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sk_regnet import RegularizedMLPRegressor

CASES = {
    "l1": ("fista", "lbfgs", "adam"),
    "group_lasso": ("fista", "adam", "sgd"),
}


def main(n_repeats=3):
    X, y = make_friedman1(n_samples=750, n_features=50, noise=1.0, random_state=0)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    print(
        f"{'penalty':12} {'solver':6} {'time s':>7} {'ratio':>6} {'J':>9} "
        f"{'nonzero W':>9} {'features':>8}"
    )
    for penalty, solvers in CASES.items():
        reference = None
        for solver in solvers:
            model = RegularizedMLPRegressor(
                (16,),
                "relu",
                penalty=penalty,
                alpha=0.01,
                solver=solver,
                learning_rate_init=0.003,
                max_iter=300,
                tol=1e-6,
                random_state=0,
            )
            times = []
            for _ in range(n_repeats):
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    model.fit(X, y)
                times.append(time.perf_counter() - start)
            best = min(times)
            reference = reference or best
            nonzero = sum(int(np.count_nonzero(W)) for W in model.coefs_)
            print(
                f"{penalty:12} {solver:6} {best:7.2f} {best / reference:6.2f} "
                f"{model.loss_:9.5f} {nonzero:9d} {model.n_features_selected_:8d}"
            )


if __name__ == "__main__":
    main()
