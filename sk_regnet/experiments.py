"""Experiments behind the ``sk-regnet`` command; they return rows and print nothing."""

import time

import numpy as np
from sklearn.model_selection import train_test_split

from ._mlp import RegularizedMLPRegressor

#: The blog article's three models: (penalty, alpha).
ARTICLE_MODELS = ((None, 0.0), ("l1", 0.01), ("l2", 0.01))


def article_data():
    """The article's data: noisy ``sin(pi x)`` on [-1, 1], its 80/20 split.

    Draws from the global NumPy generator seeded with 0, as the article does.

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
    """
    np.random.seed(0)
    X = np.random.rand(100, 1) * 2 - 1
    y = np.sin(np.pi * X).squeeze() + np.random.randn(100) * 0.1
    return train_test_split(X, y, test_size=0.2, random_state=0)


def article_model(penalty, alpha):
    """The article's network and training loop as an estimator."""
    return RegularizedMLPRegressor(
        hidden_layer_sizes=(10,),
        activation="tanh",
        penalty=penalty,
        alpha=alpha,
        solver="gd",
        learning_rate_init=0.01,
        max_iter=500,
        tol=0.0,
        weight_init="normal",
        random_state=None,
    )


def compare_article():
    """Reproduce the article's comparison.

    The three models are fitted in sequence right after the data are drawn,
    all from the global NumPy generator, exactly as in the article.

    Returns
    -------
    rows : list of dict
        One row per model: penalty, alpha, test_mse, train_mse, fit_time,
        nonzero_weights.
    """
    X_train, X_test, y_train, y_test = article_data()
    rows = []
    for penalty, alpha in ARTICLE_MODELS:
        model = article_model(penalty, alpha)
        start = time.perf_counter()
        model.fit(X_train, y_train)
        fit_time = time.perf_counter() - start
        rows.append(
            {
                "penalty": "none" if penalty is None else penalty,
                "alpha": alpha,
                "test_mse": float(np.mean((y_test - model.predict(X_test)) ** 2)),
                "train_mse": float(np.mean((y_train - model.predict(X_train)) ** 2)),
                "fit_time": fit_time,
                "nonzero_weights": int(sum(np.count_nonzero(W) for W in model.coefs_)),
            }
        )
    return rows
