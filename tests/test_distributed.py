"""The cross-validation folds on a dask cluster, through joblib's dask backend."""

import re

import joblib
import numpy as np
import pytest
from distributed import Client, LocalCluster, get_task_stream
from numpy.testing import assert_array_equal

from sk_regnet import RegularizedMLPRegressorCV

# Short fits (max_iter=15) on a two-alpha grid: they stop short, and the best
# alpha is at an end of the grid; neither is what the test is about.
pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.filterwarnings(
        "ignore:The best mean validation score is at the:UserWarning"
    ),
]


def test_folds_run_on_a_local_dask_cluster():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = X[:, 0] - X[:, 1]
    params = dict(
        hidden_layer_sizes=(2,),
        alphas=[1e-3, 1e-1],
        cv=3,
        max_iter=15,
        random_state=0,
    )
    expected = RegularizedMLPRegressorCV(**params, n_jobs=1).fit(X, y)

    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",
        ) as cluster,
        Client(cluster) as client,
    ):
        workers = set(client.scheduler_info()["workers"])
        with get_task_stream(client) as stream:
            with joblib.parallel_config(backend="dask"):
                model = RegularizedMLPRegressorCV(**params).fit(X, y)

    fold_tasks = [t for t in stream.data if "_fold_path_scores" in str(t["key"])]
    # joblib sends batches named "batch_of__fold_path_scores_<n>_calls-...":
    # the three folds all ran on workers of the cluster.
    calls = [
        int(re.search(r"_(\d+)_calls", str(t["key"])).group(1)) for t in fold_tasks
    ]
    assert sum(calls) == 3
    assert {t["worker"] for t in fold_tasks} <= workers
    assert_array_equal(model.mse_path_, expected.mse_path_)
    assert_array_equal(model.coefs_[0], expected.coefs_[0])
