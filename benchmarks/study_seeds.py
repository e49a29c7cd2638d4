"""How often the cross-validated networks beat the other rows, over many splits.

``sk-regnet compare`` reports one split. On small test sets (20 rows for the
article's data, 89 for diabetes) which model wins a close race changes with
the split, so this script runs ``sk_regnet.experiments.compare`` for several
seeds (each seed draws new data where the data are generated, a new split, new
folds and new initial weights) and reports, per dataset and cross-validated
penalty:

- ``vs linear``: test MSE over the better of RidgeCV and LassoCV;
- ``vs none``: test MSE over the unpenalised network's;
- ``truth vs none`` (data with a known noise-free target only): mean squared
  distance to the true function, over the unpenalised network's. For the
  article's one-dimensional data it is taken on a dense grid of [-1, 1]; for
  Friedman #1 on the test inputs. It is free of the test set's noise.

Each ratio is summarised as how many seeds it was below 1 ("won"), its mean
and its range. Accuracy, not speed: nothing here is timed.

Run from the repository root::

    PYTHONPATH=$PWD python benchmarks/study_seeds.py            # seeds 0-9
    PYTHONPATH=$PWD python benchmarks/study_seeds.py --seeds 5 --datasets diabetes
"""

import argparse
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sk_regnet.experiments import CLASSIFICATION_DATASETS, DATASETS, compare

PENALTIES = ("l1", "l2")


def _truth_inputs(comparison):
    """Inputs on which to measure the distance to the true function, or None."""
    data = comparison.dataset
    if data.truth is None:
        return None
    if data.is_article:
        return np.linspace(-1.0, 1.0, 2001)[:, None]
    return data.X_test


def _ratios(comparison):
    """Per penalty, the three ratios of one run (None where not defined)."""
    mse = {row["model"]: row["test_mse"] for row in comparison.rows}
    linear = min(mse["RidgeCV"], mse["LassoCV"])
    inputs = _truth_inputs(comparison)

    def truth_error(name):
        prediction = comparison.models[name].predict(inputs)
        return float(np.mean((prediction - comparison.dataset.truth(inputs)) ** 2))

    ratios = {}
    for penalty in PENALTIES:
        name = f"network {penalty}"
        ratios[penalty] = {
            "vs linear": mse[name] / linear,
            "vs none": mse[name] / mse["network none"],
            "truth vs none": None
            if inputs is None
            else truth_error(name) / truth_error("network none"),
        }
    return ratios


def _summary(values):
    values = np.asarray(values)
    return (
        f"won {int(np.sum(values < 1))}/{values.size}, mean {values.mean():.3f}, "
        f"range {values.min():.3f}-{values.max():.3f}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1")
    parser.add_argument(
        "--datasets",
        # Test MSE is what it compares: the regression data sets.
        default=",".join(d for d in DATASETS if d not in CLASSIFICATION_DATASETS),
        help="comma-separated names (regression data sets)",
    )
    args = parser.parse_args(argv)
    for dataset in args.datasets.split(","):
        runs = []
        for seed in range(args.seeds):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                runs.append(_ratios(compare(dataset, seed=seed)))
        print(f"{dataset}, seeds 0-{args.seeds - 1}:")
        for penalty in PENALTIES:
            for measure in ("vs linear", "vs none", "truth vs none"):
                values = [run[penalty][measure] for run in runs]
                if values[0] is not None:
                    print(f"  {penalty:2s} {measure:13s} {_summary(values)}")


if __name__ == "__main__":
    main()
