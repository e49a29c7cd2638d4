"""The regression comparison: the article's models, MSE, RidgeCV and LassoCV.

:data:`REGRESSION_TASK` is what :func:`~sk_regnet._compare_models.run_comparison`
does its own way for a numeric target: shuffled ``KFold`` folds, features
and target standardised around every model (:func:`scaled`), the test and
training MSE, ``RidgeCV`` and ``LassoCV`` as baselines, the adaptive group
lasso when the informative features are known, and on the article's data
the article's three models first (:func:`compare_article` reproduces them).
"""

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.linear_model import LassoCV, RidgeCV
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ._compare_models import Task, timed_fit
from ._comparison import ARTICLE_SETTING, REGRESSION_SPEC
from ._datasets import _article_draw, load_dataset
from ._mlp import RegularizedMLPRegressor

#: The blog article's three models: (penalty, alpha).
ARTICLE_MODELS = ((None, 0.0), ("l1", 0.01), ("l2", 0.01))


def scaled(estimator, features=None):
    """``estimator`` with features and target standardised around it.

    ``features``: the transformer of the features (default a
    ``StandardScaler``; see :func:`~sk_regnet.experiments.encoding` for
    categorical ones).
    """
    return TransformedTargetRegressor(
        regressor=make_pipeline(
            StandardScaler() if features is None else features, estimator
        ),
        transformer=StandardScaler(),
    )


def article_model(penalty, alpha, random_state=None):
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
        random_state=random_state,
    )


class RegressionTask(Task):
    """Regression rows: MSE, standardised target, linear baselines."""

    spec = REGRESSION_SPEC
    default_penalties = ("none", "l1", "l2")

    def folds(self, cv, seed):
        return KFold(n_splits=cv, shuffle=True, random_state=seed)

    def wrap(self, estimator, features):
        return scaled(estimator, features)

    def mean_error(self, core):
        return np.asarray(core.mse_path_).mean(axis=1)

    def scores(self, model, data):
        return {
            "test_mse": np.mean((data.y_test - model.predict(data.X_test)) ** 2),
            "train_mse": np.mean((data.y_train - model.predict(data.X_train)) ** 2),
        }

    def baselines(self, data, folds, seed):
        return [
            (
                "RidgeCV",
                "ridge",
                RidgeCV(alphas=np.geomspace(1e-3, 1e3, 13)),
                lambda core: core.alpha_,
                False,
            ),
            (
                "LassoCV",
                "lasso",
                LassoCV(cv=folds, random_state=seed),
                lambda core: core.alpha_,
                True,
            ),
        ]

    def adaptive(self, data):
        # Where the informative features are known (Friedman #1), to show
        # which features it keeps.
        return data.informative is not None

    def leading_fits(self, data, seed):
        return list(_article_fits(self, data, seed)) if data.is_article else []


REGRESSION_TASK = RegressionTask()


def _article_fits(task, data, seed):
    """The article's three models, fitted in sequence from one generator."""
    # The article fits from the global generator right after drawing the
    # data; a private generator advanced past the same draw is the same
    # stream without touching NumPy's global state.
    rng = np.random.RandomState(seed)
    _article_draw(rng)
    for penalty, alpha in ARTICLE_MODELS:
        label = f"article {'none' if penalty is None else penalty}"

        def fit(penalty=penalty, alpha=alpha, label=label):
            model = article_model(penalty, alpha, random_state=rng)
            seconds, _ = timed_fit(model, data.X_train, data.y_train)
            row = task.row(label, penalty, alpha, ARTICLE_SETTING, model, seconds, data)
            return model, row, None

        yield label, fit


def compare_article():
    """Reproduce the article's comparison.

    The three models are fitted in sequence right after the data are drawn,
    all from one generator seeded with 0, exactly as in the article.

    Returns
    -------
    rows : list of dict
        One row per model (see :class:`~sk_regnet.experiments.Comparison`).
    """
    data = load_dataset("article")
    return [fit()[1] for _, fit in _article_fits(REGRESSION_TASK, data, 0)]
