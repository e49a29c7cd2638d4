"""The adaptive group lasso with cross-validation at scale (issue 14, item 6).

Run from the repository root::

    python benchmarks/bench_scale.py            # seed 0
    python benchmarks/bench_scale.py --seed 1

Friedman #1 with 20,000 training rows and 50 features (noise 1; only
features 0-4 matter), X and y standardised on the training rows, scored on
5,000 fresh rows. ``RegularizedMLPRegressorCV(hidden_layer_sizes=(32,),
penalty="group_lasso", group_weights="adaptive", solver="fista")`` with its
automatic grid and every other parameter at its default. Prints the wall
time of the fit, the features kept, the test R2 and where ``alpha_`` lies in
the grid. Targets: exactly features 0-4, test R2 >= 0.95, at most 60 s on a
2-core machine.
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sk_regnet import RegularizedMLPRegressorCV


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    X, y = make_friedman1(25_000, 50, noise=1.0, random_state=args.seed)
    X_train, X_test, y_train, y_test = X[:20_000], X[20_000:], y[:20_000], y[20_000:]
    scaler = StandardScaler().fit(X_train)
    mean, scale = y_train.mean(), y_train.std()
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    y_train, y_test = (y_train - mean) / scale, (y_test - mean) / scale
    model = RegularizedMLPRegressorCV(
        hidden_layer_sizes=(32,),
        penalty="group_lasso",
        group_weights="adaptive",
        solver="fista",
        random_state=args.seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X_train, y_train)
        seconds = time.perf_counter() - start
    kept = np.flatnonzero(model.feature_importances_).tolist()
    position = int(np.searchsorted(model.alphas_, model.alpha_)) + 1
    print(
        f"seed {args.seed}: fit {seconds:.1f} s, kept {kept} "
        f"({'exactly 0-4' if kept == [0, 1, 2, 3, 4] else 'NOT exactly 0-4'}), "
        f"test R2 {model.score(X_test, y_test):.4f}, alpha_ {model.alpha_:.3g} "
        f"({position} of {model.alphas_.size})"
    )


if __name__ == "__main__":
    main()
