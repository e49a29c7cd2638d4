"""Ours versus scikit-learn's MLPClassifier: time per iteration (issue 15).

Run from the repository root::

    PYTHONPATH=$PWD python benchmarks/bench_classifier.py [--repeats N] [--only a,b]

Two data sets, both standardised, with MLPClassifier's default network
(hidden (100,), relu):

- small: scikit-learn's breast cancer data (569 x 30, binary: one logistic
  output on our side, as MLPClassifier);
- medium: ``make_classification(10000, 50)``, 10 informative features, 4
  classes (softmax).

Each comparison fits the same architecture with the same solver, batch size
and iteration budget (``tol=0``: no early stop), alternating ours and
theirs ``repeats`` times in one process, and prints the median seconds per
iteration (L-BFGS) or epoch (adam) over the whole ``fit`` call and the ratio
ours / theirs, wall-clock and CPU. Target (issue 15): <= 0.7 for (a) to (d):

- (a) small, L-BFGS, 100 iterations;
- (b) small, adam, batch 200, 50 epochs;
- (c) medium, L-BFGS, 50 iterations;
- (d) medium, adam, batch 200, 5 epochs.

Our side runs ``penalty='l2'`` at the ``alpha`` of MLPClassifier's objective:
its log-loss plus ``alpha_sk / (2 n) ||W||^2`` (``n`` the rows, or the batch
size for adam) is ours with ``alpha = alpha_sk / (2 n)``.

(e) and (f), figures only: our default ``solver='auto'`` (FISTA) with
``penalty='l1'`` and ``'group_lasso'`` (each feature a group) at
``alpha=1e-3``, per FISTA iteration (a line search may evaluate the smooth
part several times), against MLPClassifier's L-BFGS iteration on the same
data.
"""

import argparse
import datetime
import os
import statistics

from _common import interleaved, machine, timed_fit
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.metrics import log_loss
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sk_regnet import RegularizedMLPClassifier

ALPHA_SK = 1e-4
BATCH = 200


def small_data():
    """Breast cancer, standardised: 569 x 30, binary."""
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def medium_data():
    """make_classification(10000, 50), 4 classes, standardised."""
    X, y = make_classification(
        n_samples=10000,
        n_features=50,
        n_informative=10,
        n_redundant=10,
        n_classes=4,
        random_state=0,
    )
    return StandardScaler().fit_transform(X), y


def makers(X, solver, max_iter):
    """Model makers of a matched comparison: ours (l2) and MLPClassifier."""
    common = dict(
        hidden_layer_sizes=(100,),
        activation="relu",
        solver=solver,
        max_iter=max_iter,
        tol=0.0,
        random_state=0,
    )
    if solver == "adam":
        common.update(batch_size=BATCH, n_iter_no_change=10**9)
    # MLPClassifier divides its penalty by the rows of each gradient: all of
    # them for L-BFGS, a batch for adam.
    n = min(BATCH, X.shape[0]) if solver == "adam" else X.shape[0]

    def ours():
        return RegularizedMLPClassifier(
            penalty="l2", alpha=ALPHA_SK / (2 * n), **common
        )

    def theirs():
        return MLPClassifier(alpha=ALPHA_SK, **common)

    return ours, theirs


def training_log_loss(c, X, y):
    """Training log-losses of the last fitted models, ours and theirs."""
    return log_loss(y, c.ours.predict_proba(X)), log_loss(y, c.theirs.predict_proba(X))


def matched(key, name, data, solver, max_iter, repeats, unit, scale):
    X, y = data
    ours, theirs = makers(X, solver, max_iter)
    c = interleaved(ours, theirs, X, y, repeats, lambda m: m.n_iter_)
    print(c.line(f"({key}) {name} {solver}", unit, scale, 0.7, theirs="MLPClassifier"))
    lo, lt = training_log_loss(c, X, y)
    print(
        f"    iterations ours {c.ours.n_iter_}, MLPClassifier {c.theirs.n_iter_}; "
        f"training log-loss ours {lo:.4g}, MLPClassifier {lt:.4g}"
    )


def fista_info(key, name, data, repeats, unit, scale):
    """Ours at solver='auto' (FISTA), l1 and group lasso, per iteration."""
    X, y = data
    max_iter = 100
    _, theirs = makers(X, "lbfgs", max_iter)
    makes = {
        penalty: (
            lambda penalty=penalty: RegularizedMLPClassifier(
                hidden_layer_sizes=(100,),
                activation="relu",
                penalty=penalty,
                alpha=1e-3,
                max_iter=max_iter,
                tol=0.0,
                random_state=0,
            )
        )
        for penalty in ("l1", "group_lasso")
    }
    times = {side: [] for side in (*makes, "theirs")}
    fitted = {}
    for _ in range(repeats):
        for side, make in (*makes.items(), ("theirs", theirs)):
            m = make()
            cpu = timed_fit(m, X, y)[1]
            times[side].append(cpu / m.n_iter_)
            fitted[side] = m
    t = statistics.median(times["theirs"])
    for penalty in makes:
        o = statistics.median(times[penalty])
        m = fitted[penalty]
        print(
            f"({key}) {name} fista {penalty} alpha=1e-3, CPU per iteration: ours "
            f"{o * scale:.1f} {unit}, MLPClassifier lbfgs {t * scale:.1f} {unit}, "
            f"ratio {o / t:.3f} (figures only; {m.n_iter_} iterations, "
            f"{m.n_features_selected_} of {X.shape[1]} features kept)"
        )


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
        print(f"{_now()}, load average {_load()}")
        run(only, args.repeats)
        print(f"{_now()}, load average {_load()}")


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run(only, repeats):
    """Run the comparisons named in ``only`` and print their lines."""
    small = small_data() if only & {"a", "b", "e"} else None
    medium = medium_data() if only & {"c", "d", "f"} else None
    s_name, m_name = (
        "breast cancer 569x30 (100,) relu",
        "4 classes 10000x50 (100,) relu",
    )
    if "a" in only:
        matched("a", s_name, small, "lbfgs", 100, repeats, "us/iter", 1e6)
    if "b" in only:
        matched("b", s_name, small, "adam", 50, repeats, "us/epoch", 1e6)
    if "c" in only:
        matched("c", m_name, medium, "lbfgs", 50, repeats, "ms/iter", 1e3)
    if "d" in only:
        matched("d", m_name, medium, "adam", 5, repeats, "ms/epoch", 1e3)
    if "e" in only:
        fista_info("e", s_name, small, repeats, "us", 1e6)
    if "f" in only:
        fista_info("f", m_name, medium, max(3, repeats // 2), "ms", 1e3)


if __name__ == "__main__":
    main()
