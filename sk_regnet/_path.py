"""Regularization paths: one network followed along a grid of alphas.

The path runs from dense to sparse: the first fit is at the smallest alpha and
every later alpha starts from the previous solution (``warm_start=True`` on
the one estimator, so a path is a sequence of ordinary fits and there is no
second training loop). Going the other way cannot work for an MLP: all-zero
weights are a stationary point, so a path that reaches them stays there.

Warm-started steps get a small iteration budget (``max_iter_warm``): the
previous solution is already close, and the next step keeps improving it
(a continuation method, as LassoNet does). This is where a path saves its
time against independent cold fits.

This module also holds the per-fold scoring :class:`RegularizedMLPRegressorCV`
runs in parallel.
"""

import warnings
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, validate_params

from ._losses import get_loss
from ._mlp import RegularizedMLPRegressor

#: Parameters the path sets itself; callers may not pass them.
_PATH_OWNED = ("alpha", "warm_start")


@dataclass
class PathStep:
    """What happened at one alpha of a regularization path.

    Attributes
    ----------
    alpha : float
        Regularization strength of this step.
    n_iter : int
        Solver iterations (epochs for the stochastic solvers) of this step.
    loss : float
        Objective ``J = L + alpha * P`` on the path's data at the solution,
        for every solver (the stochastic solvers' ``loss_`` is an average
        over their last epoch instead).
    data_loss : float
        The data-fit part ``L`` of ``loss``.
    n_nonzero : int
        Non-zero entries over all weight matrices.
    n_features : int
        Input features whose first-layer row is not all zero (selected features).
    warm_start : bool
        Whether the step started from the previous solution.
    converged : bool
        Whether the solver met its tolerance within its iteration budget.
    """

    alpha: float
    n_iter: int
    loss: float
    data_loss: float
    n_nonzero: int
    n_features: int
    warm_start: bool
    converged: bool


def _check_path_params(params):
    owned = sorted(set(params) & set(_PATH_OWNED))
    if owned:
        raise TypeError(
            f"{', '.join(owned)} cannot be passed: the path sets alpha at every "
            "step and warm-starts each step from the previous one."
        )


def _sparsity(coefs):
    n_nonzero = int(sum(np.count_nonzero(W) for W in coefs))
    n_features = int(np.count_nonzero(np.any(coefs[0] != 0, axis=1)))
    return n_nonzero, n_features


def _penalty_of(estimator):
    """The fitted estimator's own penalty object ``P``.

    Built by the estimator itself (where its objective is assembled), so that
    every penalty option (``l1_ratio``, groups...) is taken into account.
    Only the number of input features matters here.
    """
    return estimator._make_penalty(estimator.coefs_[0].shape[0])


def _warm_budget(estimator, max_iter_warm):
    if max_iter_warm is not None:
        return int(max_iter_warm)
    return max(10, estimator.max_iter // 20)


def _follow_path(
    estimator, X, y, sample_weight, alphas, max_iter_warm, polish_last=False
):
    """Fit ``estimator`` at each of ``alphas`` in turn, warm-starting each step.

    ``estimator`` is a :class:`RegularizedMLPRegressor`. If it is already
    fitted (on the same data), the first step starts from its parameters too.
    A cold first step uses the estimator's ``max_iter``; every warm step at
    most ``max_iter_warm`` iterations (``None``: ``max(10, max_iter // 20)``),
    except the last one with ``polish_last``, which gets ``max_iter`` (the
    model that will be kept, trained to the estimator's tolerance).
    Convergence warnings of short warm steps are silenced: their budget is
    small on purpose, and the next step continues the optimisation.

    Yields
    ------
    step : PathStep
        After each fit; ``estimator`` then holds that step's solution.
    """
    max_iter = estimator.max_iter
    budget = _warm_budget(estimator, max_iter_warm)
    warm = hasattr(estimator, "coefs_")
    penalty = _penalty_of(estimator) if warm else None
    checked = None  # (X, y, sample_weight) as validated by the first fit
    try:
        for i, alpha in enumerate(alphas):
            full = not warm or (polish_last and i == len(alphas) - 1)
            # Plain attributes, as set_params sets them (valid by construction;
            # the first fit validates every parameter).
            estimator.alpha = float(alpha)
            estimator.warm_start = True
            estimator.max_iter = max_iter if full else budget
            with warnings.catch_warnings():
                if not full:
                    warnings.simplefilter("ignore", ConvergenceWarning)
                if checked is None:
                    estimator.fit(X, y, sample_weight)
                    checked = estimator._validate_training_data(
                        X, y, sample_weight, reset=False
                    )
                else:
                    # The same data again: skip its validation, a third of
                    # the time of a short warm step on small data.
                    estimator._fit(*checked, incremental=False, validated=True)
            penalty = penalty or _penalty_of(estimator)
            n_nonzero, n_features = _sparsity(estimator.coefs_)
            reg = float(alpha) * float(penalty.value(estimator.coefs_))
            loss = estimator._objective_at_fit(*checked)
            yield PathStep(
                alpha=float(alpha),
                n_iter=int(estimator.n_iter_),
                loss=loss,
                data_loss=loss - reg,
                n_nonzero=n_nonzero,
                n_features=n_features,
                warm_start=warm,
                converged=estimator._converged,
            )
            warm = True
    finally:
        estimator.max_iter = max_iter


def _null_loss(loss, huber_delta, y, sample_weight):
    """Deviance of the best constant prediction (one constant per output).

    Its data loss above that of a perfect prediction, so never negative for a
    convex loss: the variance of ``y`` for the squared error, the half
    Poisson deviance of the mean for ``'poisson'`` (whose loss leaves out a
    term in ``y`` alone, and is negative for large counts).
    """
    loss = get_loss(loss, huber_delta)
    y = np.asarray(y, dtype=np.float64)
    y = y.reshape(-1, 1) if y.ndim == 1 else y
    sw = None if sample_weight is None else np.asarray(sample_weight, np.float64)

    def value(c):
        return float(loss.value(y, np.broadcast_to(c, y.shape), sw))

    start = np.average(y, axis=0, weights=sw)
    # A link function (e.g. Poisson's log) moves the optimum; search from the
    # mean and from its log, and keep the better one.
    starts = [start, np.log(np.maximum(start, 1e-12))]
    best = min(value(s) for s in starts)
    for s in starts:
        best = min(best, float(scipy.optimize.minimize(value, s).fun))
    floor = loss.saturated_value(y, sw)
    deviance = best - floor
    # Rounding can leave a constant y's deviance a hair below zero.
    return 0.0 if abs(deviance) <= 1e-9 * (abs(best) + abs(floor)) else deviance


def _alpha_grid(estimator, X, y, sample_weight, n_alphas, eps):
    """A log grid of alphas from the data, and the dense fit it was built from.

    Heuristic (an MLP has no closed-form ``alpha_max`` like the Lasso's):
    ``estimator`` is fitted with ``alpha=0`` (the dense network), and

        alpha_max = L_null / P(W_dense)

    where ``L_null`` is the deviance of the best constant prediction (its data
    loss above a perfect prediction's: the variance of ``y`` for the squared
    error) and ``P(W_dense)`` the penalty of
    the dense weights. At ``alpha_max`` the penalty on the dense solution alone
    costs as much as predicting a constant. It is a scale, not a bound: the
    path shrinks the weights, so it usually reaches the constant network only
    at a larger alpha (on Friedman #1 about 10 times larger). The grid runs
    from ``eps * alpha_max`` to ``alpha_max``, evenly spaced in log scale.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        Increasing.
    estimator : RegularizedMLPRegressor
        Fitted at ``alpha=0``; a path on the same data can continue from it.
    """
    if estimator.penalty is None:
        raise ValueError(
            "alphas=None needs a penalty: with penalty=None alpha has no effect."
        )
    estimator.set_params(alpha=0.0, warm_start=True).fit(X, y, sample_weight)
    p_dense = float(_penalty_of(estimator).value(estimator.coefs_))
    l_null = _null_loss(estimator.loss, estimator.huber_delta, y, sample_weight)
    if not (np.isfinite(p_dense) and p_dense > 0 and np.isfinite(l_null)) or (
        l_null < 0
    ):
        raise ValueError(
            "Cannot build an alpha grid from the data: the penalty of the dense "
            f"fit is {p_dense!r} and the constant model's loss {l_null!r}. "
            "Pass alphas explicitly."
        )
    # A constant y has no deviance: any alpha fits it, a tiny grid (as LassoCV).
    alpha_max = max(l_null, np.finfo(np.float64).tiny) / p_dense
    return np.geomspace(eps * alpha_max, alpha_max, n_alphas), estimator


def _check_alphas(alphas):
    alphas = np.asarray(alphas, dtype=np.float64)
    if alphas.ndim != 1 or alphas.size == 0:
        raise ValueError(
            f"alphas must be a non-empty 1-D array, got shape {alphas.shape}."
        )
    if not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
        raise ValueError("alphas must be finite and non-negative.")
    return np.sort(alphas)


@validate_params(
    {
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "alphas": ["array-like", None],
        "n_alphas": [Interval(Integral, 1, None, closed="left")],
        "eps": [Interval(Real, 0, 1, closed="right")],
        "sample_weight": ["array-like", None],
        "max_iter_warm": [Interval(Integral, 1, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def regularization_path(
    X,
    y,
    *,
    alphas=None,
    n_alphas=10,
    eps=1e-3,
    sample_weight=None,
    max_iter_warm=None,
    **params,
):
    """Fit a network along a grid of alphas, from dense to sparse, with warm starts.

    The first fit is at the smallest alpha; each next alpha starts from the
    previous solution. All-zero weights are a stationary point of an MLP, so
    the path cannot go the other way.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training inputs; scipy.sparse CSR/CSC are used as they are.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets.
    alphas : array-like of shape (n_alphas,), default=None
        Regularization strengths; they are visited in increasing order. None
        builds a log grid of ``n_alphas`` values from the data: the network is
        first fitted with ``alpha=0`` and ``alpha_max = L_null / P(W_dense)``,
        the deviance of the best constant prediction (its loss above a
        perfect prediction's: the variance of ``y`` for the squared error)
        over the penalty of the dense weights, the alpha
        at which the penalty of the dense solution costs as much as predicting
        a constant. The grid spans ``[eps * alpha_max, alpha_max]``, and the
        path continues from the dense fit. A heuristic scale: when a
        cross-validated choice lands on ``alpha_max``, pass a wider grid.
        With a callable ``loss``, ``loss(y, y, sample_weight)`` is taken as
        its least value (identity link); pass ``alphas`` if it is not.
    n_alphas : int, default=10
        Grid size when ``alphas`` is None.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` when ``alphas`` is None.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights, as in :meth:`RegularizedMLPRegressor.fit`.
    max_iter_warm : int, default=None
        Iteration budget of each warm-started step (the cold first step uses
        ``max_iter``). None: ``max(10, max_iter // 20)``.
    **params
        Any other parameter of :class:`RegularizedMLPRegressor` (architecture,
        penalty, solver, ``max_iter``, ``random_state``...). ``alpha`` and
        ``warm_start`` are set by the path.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        The alphas, increasing.
    coefs : list of ndarray
        ``coefs[k][i]`` is the weight matrix of layer ``k`` at ``alphas[i]``;
        ``coefs[k]`` has shape (n_alphas, fan_in, fan_out).
    intercepts : list of ndarray
        ``intercepts[k]`` has shape (n_alphas, fan_out).
    steps : list of sk_regnet._path.PathStep
        One record per alpha: iterations, objective, data loss, non-zero
        weights, selected features.

    See Also
    --------
    RegularizedMLPRegressorCV : chooses alpha by cross-validating this path.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_regnet import regularization_path
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(60, 4))
    >>> y = X[:, 0] - 2 * X[:, 1]
    >>> alphas, coefs, intercepts, steps = regularization_path(
    ...     X, y, alphas=[1e-3, 1e-2, 1e-1], hidden_layer_sizes=(5,),
    ...     penalty="l1", random_state=0)
    >>> coefs[0].shape
    (3, 4, 5)
    >>> [step.alpha for step in steps]
    [0.001, 0.01, 0.1]
    """
    _check_path_params(params)
    estimator = RegularizedMLPRegressor(**params)
    if alphas is None:
        alphas, estimator = _alpha_grid(estimator, X, y, sample_weight, n_alphas, eps)
    else:
        alphas = _check_alphas(alphas)
    coefs, intercepts, steps = [], [], []
    for step in _follow_path(estimator, X, y, sample_weight, alphas, max_iter_warm):
        steps.append(step)
        coefs.append(estimator.coefs_)
        intercepts.append(estimator.intercepts_)
    coefs = [np.stack(layer) for layer in zip(*coefs)]
    intercepts = [np.stack(layer) for layer in zip(*intercepts)]
    return alphas, coefs, intercepts, steps


def _fold_path_scores(params, X, y, sample_weight, train, test, alphas, max_iter_warm):
    """Score a warm-started path on one cross-validation fold.

    Fits the path on ``train`` and, after each step, measures the (weighted)
    mean squared error on ``test``. ``params`` fix everything, including the
    fold's own ``random_state``, so the result does not depend on which worker
    runs it or when.

    Returns
    -------
    mse : ndarray of shape (n_alphas,)
        Validation MSE after each step (``inf`` if the prediction is not finite).
    n_nonzero, n_features : ndarray of shape (n_alphas,)
        Non-zero weights and selected input features after each step.
    """
    estimator = RegularizedMLPRegressor(**params)
    sw_train = None if sample_weight is None else sample_weight[train]
    sw_test = None if sample_weight is None else sample_weight[test]
    X_test = X[test]
    y_test = y[test].reshape(len(test), -1)
    mse = np.empty(len(alphas))
    n_nonzero = np.empty(len(alphas), dtype=np.intp)
    n_features = np.empty(len(alphas), dtype=np.intp)
    path = _follow_path(estimator, X[train], y[train], sw_train, alphas, max_iter_warm)
    for i, step in enumerate(path):
        # X is validated by the caller: predict without checking it again.
        layers = list(zip(estimator.coefs_, estimator.intercepts_))
        pred = estimator._predict_with(layers, X_test).reshape(y_test.shape)
        errors = np.mean((y_test - pred) ** 2, axis=1)
        value = float(np.average(errors, weights=sw_test))
        mse[i] = value if np.isfinite(value) else np.inf
        n_nonzero[i] = step.n_nonzero
        n_features[i] = step.n_features
    return mse, n_nonzero, n_features
