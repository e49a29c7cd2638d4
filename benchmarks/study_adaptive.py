"""How often the adaptive group lasso with CV keeps exactly Friedman #1's features.

Run from the repository root::

    python benchmarks/study_adaptive.py

Ten Friedman #1 variants (seeds 0-9; 400 to 2000 rows, 20 to 100 features,
noise 0.5 to 2; only features 0-4 matter), X and y standardised on the
training rows (75%), scored on the other 25%. Each fits
``RegularizedMLPRegressorCV(penalty="group_lasso", group_weights="adaptive",
solver="fista")`` with its automatic grid and default network, nothing tuned
per variant. Prints, per variant, the features kept, the test R2 next to the
noise's bound (var f / (var f + noise**2), var f about 24), and ``alpha_``'s
place in the grid; then how many variants kept exactly 0-4 and the mean R2
(issue 14: at least 9 of 10, mean R2 >= 0.9).
"""

import time
import warnings

import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sk_regnet import RegularizedMLPRegressorCV

#: (seed, rows, features, noise)
VARIANTS = [
    (0, 400, 20, 1.0),
    (1, 1000, 50, 0.5),
    (2, 2000, 100, 2.0),
    (3, 600, 30, 1.0),
    (4, 800, 80, 1.5),
    (5, 1500, 20, 0.5),
    (6, 500, 100, 1.0),
    (7, 1200, 60, 2.0),
    (8, 700, 40, 0.5),
    (9, 2000, 50, 1.5),
]


def main():
    exact, scores = 0, []
    for seed, n, d, noise in VARIANTS:
        X, y = make_friedman1(n, d, noise=noise, random_state=seed)
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=seed)
        scaler = StandardScaler().fit(X_train)
        mean, scale = y_train.mean(), y_train.std()
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        y_train, y_test = (y_train - mean) / scale, (y_test - mean) / scale
        model = RegularizedMLPRegressorCV(
            penalty="group_lasso",
            group_weights="adaptive",
            solver="fista",
            random_state=seed,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            model.fit(X_train, y_train)
            seconds = time.perf_counter() - start
        kept = np.flatnonzero(model.feature_importances_).tolist()
        score = model.score(X_test, y_test)
        exact += kept == [0, 1, 2, 3, 4]
        scores.append(score)
        position = int(np.searchsorted(model.alphas_, model.alpha_)) + 1
        print(
            f"seed {seed} {n}x{d} noise {noise}: kept {kept}, test R2 {score:.3f} "
            f"(bound {24 / (24 + noise**2):.3f}), alpha_ {position} of "
            f"{model.alphas_.size}, {seconds:.1f} s",
            flush=True,
        )
    print(
        f"exactly 0-4 in {exact} of {len(VARIANTS)}; mean test R2 {np.mean(scores):.3f}"
    )


if __name__ == "__main__":
    main()
