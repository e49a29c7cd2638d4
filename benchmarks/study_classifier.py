"""The classifier's acceptance table (issue 15): anchors and our CV rows, side by side.

Run from the repository root::

    python benchmarks/study_classifier.py            # the anchors table
    python benchmarks/study_classifier.py --variants # exact selection on variants

The table: three data sets, a 25% test split (``random_state=0``; stratified
for breast cancer), features standardised on the training rows. Anchors:
``LogisticRegressionCV`` (l2; l1 with saga), ``MLPClassifier((32,))`` in a
``GridSearchCV`` over ``alpha`` (``neg_log_loss``, 5 folds), and
``HistGradientBoostingClassifier``. Ours: ``RegularizedMLPClassifierCV``
with ``hidden_layer_sizes=(32,)``, only the penalty (and adaptive weights)
set: automatic grid, 5 stratified folds, log-loss. Each row prints test
log-loss, accuracy and the features kept (non-zero first-layer rows, or
non-zero coefficients for the linear models).

The variants: XOR of features 0 and 1 among Gaussian noise features (5% of
labels flipped) and ``make_classification`` with 5 informative features
first (no redundant ones, 3 classes), over seeds, sizes and widths; each
fits the adaptive group lasso CV at its defaults and reports whether it kept
exactly the informative features.
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sk_regnet import RegularizedMLPClassifierCV


def xor_data(seed, n=1000, p=20, flip=0.05):
    """XOR of the signs of features 0 and 1 among ``p`` Gaussian features."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, p))
    y = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)
    flipped = rng.rand(n) < flip
    y[flipped] = 1 - y[flipped]
    return X, y


def split(X, y, seed=0, stratify=False):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=seed, stratify=y if stratify else None
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def anchors():
    """The anchors of the issue's table, with the same settings."""
    return {
        # Their defaults (accuracy as the CV score), stated so that
        # scikit-learn 1.9's transition warnings stay quiet.
        "LogisticRegressionCV l2": LogisticRegressionCV(
            l1_ratios=(0.0,), scoring=None, use_legacy_attributes=False, max_iter=5000
        ),
        "LogisticRegressionCV l1": LogisticRegressionCV(
            l1_ratios=(1.0,),
            solver="saga",
            scoring=None,
            use_legacy_attributes=False,
            max_iter=5000,
        ),
        "MLPClassifier (32,) GridSearchCV": GridSearchCV(
            MLPClassifier((32,), max_iter=500, random_state=0),
            {"alpha": np.logspace(-5, 1, 7)},
            scoring="neg_log_loss",
        ),
        "HistGradientBoosting": HistGradientBoostingClassifier(random_state=0),
    }


def ours(**penalty):
    return RegularizedMLPClassifierCV((32,), random_state=0, **penalty)


OURS = {
    "ours l2": dict(penalty="l2"),
    "ours l1": dict(penalty="l1"),
    "ours group lasso": dict(penalty="group_lasso"),
    "ours adaptive group lasso": dict(penalty="group_lasso", group_weights="adaptive"),
}


def kept_features(model):
    if hasattr(model, "feature_importances_") and hasattr(model, "coefs_"):
        return np.flatnonzero(model.feature_importances_).tolist()
    estimator = getattr(model, "best_estimator_", model)
    if hasattr(estimator, "coef_"):
        return np.flatnonzero(np.any(estimator.coef_ != 0, axis=0)).tolist()
    return None


def show(features):
    if features is None:
        return "-"
    if len(features) > 8:
        return f"{len(features)} features"
    return f"{features}"


def table():
    data = {
        "breast cancer": split(*load_breast_cancer(return_X_y=True), stratify=True),
        "make_classification 1000x50": split(
            *make_classification(
                1000, 50, n_informative=5, shuffle=False, random_state=0
            )
        ),
        "XOR 1000x20": split(*xor_data(0)),
    }
    for name, (X_train, X_test, y_train, y_test) in data.items():
        print(
            f"\n{name}: {X_train.shape[0]} training rows, {X_train.shape[1]} features"
        )
        models = {**anchors(), **{k: ours(**v) for k, v in OURS.items()}}
        for label, model in models.items():
            start = time.perf_counter()
            model.fit(X_train, y_train)
            seconds = time.perf_counter() - start
            proba = model.predict_proba(X_test)
            print(
                f"  {label:34s} log-loss {log_loss(y_test, proba):.3f}  "
                f"accuracy {accuracy_score(y_test, model.predict(X_test)):.3f}  "
                f"kept {show(kept_features(model)):>12s}  {seconds:5.1f} s",
                flush=True,
            )


#: (kind, seed, rows, features)
VARIANTS = [
    ("xor", 0, 1000, 20),
    ("xor", 1, 600, 30),
    ("xor", 2, 2000, 50),
    ("xor", 3, 800, 10),
    ("xor", 4, 1500, 40),
    ("classes", 0, 1000, 50),
    ("classes", 1, 500, 20),
    ("classes", 2, 2000, 30),
    ("classes", 3, 800, 40),
]


def variants():
    exact = 0
    for kind, seed, n, p in VARIANTS:
        if kind == "xor":
            X, y = xor_data(seed, n, p)
            informative = [0, 1]
        else:
            X, y = make_classification(
                n,
                p,
                n_informative=5,
                n_redundant=0,
                n_classes=3,
                shuffle=False,
                random_state=seed,
            )
            informative = [0, 1, 2, 3, 4]
        X_train, X_test, y_train, y_test = split(X, y, seed, stratify=True)
        model = ours(penalty="group_lasso", group_weights="adaptive")
        model.set_params(random_state=seed)
        start = time.perf_counter()
        model.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        kept = kept_features(model)
        exact += kept == informative
        position = int(np.searchsorted(model.alphas_, model.alpha_)) + 1
        print(
            f"{kind} seed {seed} {n}x{p}: kept {show(kept)}, accuracy "
            f"{model.score(X_test, y_test):.3f}, log-loss "
            f"{log_loss(y_test, model.predict_proba(X_test)):.3f}, alpha_ "
            f"{position} of {model.alphas_.size}, {seconds:.1f} s",
            flush=True,
        )
    print(f"exactly the informative features in {exact} of {len(VARIANTS)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", action="store_true")
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        variants() if args.variants else table()


if __name__ == "__main__":
    main()
