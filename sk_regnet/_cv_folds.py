"""One cross-validation fold's path: its scores, its early stop, its continuation.

The fold scores (an error, lower is better: the weighted mean squared error,
the classifier's log-loss, or minus a scikit-learn scorer's value), the walk
along the grid on the fold's training rows with a score on its held-out rows
after each step (``_fold_path_scores``), the rule that stops a fold's path
past its minimum, and the mean over the folds that tells where a stopped
fold must continue (``_mean_error``, ``_continue_fold_path``). The CV
estimators' ``fit`` (``_cv_base``) runs these in parallel.
"""

from typing import NamedTuple

import numpy as np

from ._network import forward
from ._path import _follow_path
from ._threads import blas_thread_limit, threads_for_estimator


# ------------------------------------------------------------- fold scores
# Module-level classes (not closures): joblib pickles them to its workers.
class SquaredErrorScore:
    """Weighted mean squared error of the fold's network (the regressor's)."""

    name = "MSE"

    def __call__(self, estimator, X, y, sample_weight):
        # X is validated by the caller: predict without checking it again.
        layers = list(zip(estimator.coefs_, estimator.intercepts_))
        pred = estimator._predict_with(layers, X).reshape(X.shape[0], -1)
        errors = np.mean((y.reshape(pred.shape) - pred) ** 2, axis=1)
        return float(np.average(errors, weights=sample_weight))


class LogLossScore:
    """The classifier's own log-loss on held-out labels (its default score).

    The loss it trains on, without the penalty: the cross-entropy for
    multiclass labels, the binary log-loss for two classes, and the binary
    log-loss averaged over the labels for multilabel targets. Computed from
    the network's raw output (no probability is clipped).
    """

    name = "log-loss"

    def __call__(self, estimator, X, y, sample_weight):
        layers = list(zip(estimator.coefs_, estimator.intercepts_))
        raw = forward(layers, X, estimator.activation)
        Y = estimator._label_binarizer.transform(y).astype(raw.dtype, copy=False)
        return float(estimator._get_loss().value(Y, raw, sample_weight))


class ScorerScore:
    """Minus a scorer's value (scorers are higher-is-better).

    ``weighted``: whether the scorer takes ``sample_weight`` (scikit-learn's
    own do; a user's ``scorer(estimator, X, y)`` is called without it).
    """

    def __init__(self, scorer, name, weighted=True):
        self.scorer = scorer
        self.name = name
        self.weighted = weighted

    def __call__(self, estimator, X, y, sample_weight):
        if self.weighted and sample_weight is not None:
            return -float(self.scorer(estimator, X, y, sample_weight=sample_weight))
        return -float(self.scorer(estimator, X, y))


#: A fold's path stops once its validation error has stayed more than
#: ``_RISE`` (relative to the minimum's size) above its minimum for
#: ``_PATIENCE`` consecutive alphas: the larger alphas cannot be its best, and
#: the steps there cost the most (past its minimum the network shrinks, and a
#: warm step takes its whole budget). Past their minimum the folds' errors
#: rise steeply (typically by 20-80% within two alphas of a 20-alpha grid):
#: stopping at the first error 20% above the minimum chose the same alpha as
#: whole paths on bench_cv's three cases, and took fewer warm iterations
#: than waiting three alphas at 10% (the rule before). A fold that stopped
#: does not rule out the alphas it did not reach (``_mean_error``; a fold
#: whose held-out rows are almost perfectly predicted rises by 20% early, by
#: a tiny amount): if the mean is lowest there, its path continues
#: (``_continue_fold_path``).
_RISE = 0.2
_PATIENCE = 1


def _past_minimum(errors):
    """Whether the last ``_PATIENCE`` errors all lie clearly above the minimum.

    Relative to the minimum's magnitude, so that errors of either sign (minus
    an accuracy is negative) are judged alike.
    """
    if len(errors) <= _PATIENCE:
        return False
    best = np.min(errors[:-_PATIENCE])
    return bool(np.all(errors[-_PATIENCE:] > best + _RISE * abs(best)))


class FoldPath(NamedTuple):
    """One fold's path: what ``_fold_path_scores`` returns.

    Arrays have one row per alpha of the grid; past ``n_steps`` (where the
    path stopped) they hold NaN (``support``: False).
    """

    #: Validation error after each step (``inf`` if not finite).
    errors: np.ndarray
    #: Non-zero weights and selected input features after each step.
    n_nonzero: np.ndarray
    n_features: np.ndarray
    #: Convergence messages of the steps trained to ``max_iter`` (for the
    #: caller to report once).
    warnings: list
    #: Which input features each step kept.
    support: np.ndarray
    #: The fold's estimator after its last step, to continue the path from.
    estimator: object
    #: Steps fitted.
    n_steps: int


def _fold_path_scores(
    estimator_class,
    params,
    X,
    y,
    sample_weight,
    train,
    test,
    alphas,
    max_iter_warm,
    score,
    classes=None,
):
    """Score a warm-started path on one cross-validation fold.

    Fits the path of ``estimator_class(**params)`` on ``train`` and, after
    each step, measures ``score`` (an error, lower is better) on ``test``,
    until the error has clearly risen past its minimum (``_past_minimum``).
    ``params`` fix everything, including the fold's own ``random_state``, so
    the result does not depend on which worker runs it or when. ``classes``
    (a classifier's): all the labels, so that a fold missing one still has
    an output for it.

    Returns
    -------
    FoldPath
        The fold's scores, sparsity and network (see ``FoldPath``).
    """
    estimator = estimator_class(**params)
    if classes is not None:
        # Read by the classifier's every fit, as at a first partial_fit: the
        # labels stay those of all the data at each warm step, also when a
        # stopped path is continued (a fold missing a class would otherwise
        # fail warm_start's check that the classes did not change).
        estimator._first_classes = classes
    n_alphas = len(alphas)
    fold = FoldPath(
        # NaN: not computed (the path stopped past its minimum).
        errors=np.full(n_alphas, np.nan),
        n_nonzero=np.full(n_alphas, np.nan),
        n_features=np.full(n_alphas, np.nan),
        warnings=[],
        support=np.zeros((n_alphas, X.shape[1]), dtype=bool),
        estimator=estimator,
        n_steps=0,
    )
    return _walk_fold(
        fold, X, y, sample_weight, train, test, alphas, max_iter_warm, score
    )


def _continue_fold_path(
    fold, X, y, sample_weight, train, test, alphas, target, max_iter_warm, score
):
    """Continue a fold's path where it stopped, up to ``alphas[target]``.

    The same warm steps the path would have taken had it not stopped (its
    network is where the path left it), scored alike, without stopping.
    """
    return _walk_fold(
        fold,
        X,
        y,
        sample_weight,
        train,
        test,
        alphas[: target + 1],
        max_iter_warm,
        score,
        stop_past_minimum=False,
    )


def _walk_fold(
    fold,
    X,
    y,
    sample_weight,
    train,
    test,
    alphas,
    max_iter_warm,
    score,
    stop_past_minimum=True,
):
    """Fit and score ``fold``'s path from step ``fold.n_steps`` on.

    Returns the updated ``FoldPath`` (new arrays: joblib hands a worker
    large arrays as read-only memmaps, as a continued fold's support of
    many features).
    """
    fold = fold._replace(
        errors=fold.errors.copy(),
        n_nonzero=fold.n_nonzero.copy(),
        n_features=fold.n_features.copy(),
        support=fold.support.copy(),
        warnings=list(fold.warnings),
    )
    estimator = fold.estimator
    sw_train = None if sample_weight is None else sample_weight[train]
    sw_test = None if sample_weight is None else sample_weight[test]
    X_test, y_test = X[test], y[test]
    errors, first = fold.errors, fold.n_steps
    i = first - 1
    path = _follow_path(
        estimator, X[train], y[train], sw_train, alphas[first:], max_iter_warm
    )
    # In a worker process the CV fit's own BLAS limit does not reach here.
    with blas_thread_limit(threads_for_estimator(estimator, X[train], y[train])):
        for i, step in enumerate(path, start=first):
            fold.support[i] = np.any(estimator.coefs_[0] != 0, axis=1)
            if step.warning:
                fold.warnings.append(step.warning)
            with np.errstate(all="ignore"):  # a diverged network scores inf
                value = score(estimator, X_test, y_test, sw_test)
            errors[i] = value if np.isfinite(value) else np.inf
            fold.n_nonzero[i] = step.n_nonzero
            fold.n_features[i] = step.n_features
            if stop_past_minimum and _past_minimum(errors[: i + 1]):
                path.close()
                break
    return fold._replace(n_steps=i + 1)


def _mean_error(folds):
    """Mean error over the folds at each alpha, and where it is lowest.

    A fold whose path stopped counts, at the alphas it did not reach, with
    its last error (already clearly above its minimum; its later errors are
    no lower as long as they keep rising): so that one fold stopping early
    does not rule those alphas out for the others. Ties go to the larger
    alpha (the sparser model).
    """
    filled = []
    for fold in folds:
        errors = fold.errors.copy()
        errors[fold.n_steps :] = errors[fold.n_steps - 1]
        filled.append(errors)
    mean = np.mean(filled, axis=0)
    best = len(mean) - 1 - int(np.argmin(mean[::-1]))
    return mean, best
