"""Shared, seeded data for the tests."""

import os

# scikit-learn's array-API check (numpy namespace) runs only when scipy was
# imported with this set; without it the check skips.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from sk_regnet.experiments import article_data  # noqa: E402

# The test networks are tiny: a multithreaded BLAS spends more time starting
# threads than multiplying (measured: a 10-step path 1.8 s with default threads,
# 0.23 s with one), and pytest-xdist workers already use both cores.
_blas_limit = threadpool_limits(limits=1)


@pytest.fixture
def article():
    """The article's train/test split of noisy sin(pi x)."""
    return article_data()


@pytest.fixture
def small_regression():
    """A small smooth 3-feature, 2-output regression problem."""
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(40, 3))
    y = np.column_stack([np.sin(2 * X[:, 0]) + X[:, 1], X[:, 1] * X[:, 2]])
    return X, y


def standardized_split(X, y, seed):
    """A 75/25 split by ``seed``, X and y standardised on the training rows."""
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=seed)
    scaler = StandardScaler().fit(X_train)
    mean, scale = y_train.mean(), y_train.std()
    return (
        scaler.transform(X_train),
        scaler.transform(X_test),
        (y_train - mean) / scale,
        (y_test - mean) / scale,
    )
