"""The classification comparison: log-loss, accuracy, LogisticRegressionCV.

:data:`CLASSIFICATION_TASK` is what
:func:`~sk_regnet._compare_models.run_comparison` does its own way for class
labels: shuffled ``StratifiedKFold`` folds, the features standardised (or
one-hot encoded) in a pipeline before every model, the test log-loss and
accuracy and the training log-loss, ``LogisticRegressionCV`` with the L2
and the L1 penalty as baselines (chosen by the log-loss, as the networks
are), and the adaptive group lasso among the networks.
"""

import numpy as np
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline

from ._compare_models import Task
from ._comparison import CLASSIFICATION_SPEC
from ._datasets import check_classes

#: Values of ``C`` each ``LogisticRegressionCV`` baseline tries (log-spaced
#: from 1e-4 to 1e4, scikit-learn's default).
N_CS = 10


def logistic_cv(penalty, folds, seed):
    """``LogisticRegressionCV`` with the L1 or L2 penalty, chosen by log-loss.

    The L2 penalty is solved by lbfgs, the L1 penalty by saga (liblinear,
    the other L1 solver, is one-vs-rest only and, on breast_cancer's
    near-separable folds at large ``C``, took from 0.2 s to a minute); both
    with up to 1000 iterations. The penalty is given as ``l1_ratios`` where
    scikit-learn has it (1.8 on), else as ``penalty``.
    """
    params = {
        "Cs": N_CS,
        "cv": folds,
        "scoring": "neg_log_loss",
        "solver": "saga" if penalty == "l1" else "lbfgs",
        "max_iter": 1000,
        "random_state": seed,
    }
    defaults = LogisticRegressionCV().get_params()
    if defaults.get("penalty") == "deprecated":
        params["l1_ratios"] = (1.0 if penalty == "l1" else 0.0,)
    else:
        params["penalty"] = penalty
    if "use_legacy_attributes" in defaults:
        params["use_legacy_attributes"] = False
    return LogisticRegressionCV(**params)


def _strength(penalty, n_samples):
    """``alpha`` of a fitted ``LogisticRegressionCV``, on this package's scale.

    scikit-learn minimises ``C * sum(loss) + |w|_1`` (L1) or ``C * sum(loss)
    + |w|^2 / 2`` (L2); divided by ``C * n`` that is the mean log-loss plus
    ``alpha * P(w)`` with ``P`` as here (``|w|_1``, ``|w|^2``) and
    ``alpha = 1 / (C n)`` (L1) or ``1 / (2 C n)`` (L2).
    """
    factor = 1.0 if penalty == "l1" else 2.0

    def alpha(core):
        return 1.0 / (factor * float(np.ravel(core.C_)[0]) * n_samples)

    return alpha


class ClassificationTask(Task):
    """Classification rows: log-loss and accuracy, logistic baselines."""

    spec = CLASSIFICATION_SPEC
    default_penalties = ("l2", "l1", "group_lasso")

    def check(self, data, cv):
        check_classes(
            data.y_train,
            cv,
            target=data.target_name,
            why=f" among the training rows, one for each of the {cv} stratified "
            "folds (pass a smaller --cv)",
        )

    def folds(self, cv, seed):
        return StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)

    def wrap(self, estimator, features):
        return make_pipeline(features, estimator)

    def mean_error(self, core):
        # scores_path_ is minus the log-loss (higher is better).
        return -np.asarray(core.scores_path_).mean(axis=1)

    def scores(self, model, data):
        classes = model.classes_
        return {
            "test_log_loss": log_loss(
                data.y_test, model.predict_proba(data.X_test), labels=classes
            ),
            "test_accuracy": accuracy_score(data.y_test, model.predict(data.X_test)),
            "train_log_loss": log_loss(
                data.y_train, model.predict_proba(data.X_train), labels=classes
            ),
        }

    def baselines(self, data, folds, seed):
        n_train = data.X_train.shape[0]
        return [
            (
                f"LogisticRegressionCV {penalty}",
                penalty,
                logistic_cv(penalty, folds, seed),
                _strength(penalty, n_train),
                penalty == "l1",
            )
            for penalty in ("l2", "l1")
        ]

    def adaptive(self, data):
        # Selection is the point of the classification comparison.
        return True


CLASSIFICATION_TASK = ClassificationTask()
