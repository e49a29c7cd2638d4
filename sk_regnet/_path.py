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

The path serves every estimator of the package (``_follow_path`` and
``_alpha_grid`` take any ``BaseRegularizedMLP``); the cross-validated
estimators score it fold by fold (``_cv_folds``).
"""

import contextlib
import copy
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, validate_params

from ._grid import check_alphas, constant_deviance, grid_top, loss_gradient_at_zero
from ._mlp import RegularizedMLPRegressor, _warn
from ._threads import blas_thread_limit, threads_for_estimator

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
    warning : str or None
        Why a step trained to ``max_iter`` did not converge (the message its
        ``ConvergenceWarning`` would carry); None otherwise, and for the
        budgeted warm steps, whose budget is short on purpose. The path
        reports these once, in one warning for the whole call.
    estimator : RegularizedMLPRegressor or None
        The fitted network of this step, ready to ``predict`` and ``score``
        (its ``alpha`` is this step's), from :func:`regularization_path`;
        None in the steps the CV estimator records.
    """

    alpha: float
    n_iter: int
    loss: float
    data_loss: float
    n_nonzero: int
    n_features: int
    warm_start: bool
    converged: bool
    warning: str | None = None
    estimator: RegularizedMLPRegressor | None = None


@contextlib.contextmanager
def _convergence_messages(estimator):
    """Collect ``estimator``'s convergence messages instead of warning them.

    Yields the list the fits inside the block append to (see
    ``RegularizedMLPRegressor._warn_convergence``).
    """
    messages = estimator._convergence_sink = []
    try:
        yield messages
    finally:
        del estimator._convergence_sink


def _warn_not_converged(reports, n_fits, advice=""):
    """One ``ConvergenceWarning`` for a call that ran ``n_fits`` fits.

    ``reports`` are ``(where, message)`` pairs, one per fit that did not
    converge; nothing is said when there are none.
    """
    if not reports:
        return
    messages = list(dict.fromkeys(message for _, message in reports))
    where = ", ".join(where for where, _ in reports)
    _warn(
        f"{len(reports)} of {n_fits} fits did not converge ({where}): "
        + " ".join(messages)
        + advice,
        ConvergenceWarning,
    )


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


#: ``n_iter_no_change`` of a warm step (at most the estimator's own): a warm
#: start near its solution improves by less than ``tol`` from its first
#: iterations, and waiting ``n_iter_no_change`` (10) of them made every warm
#: FISTA step cost 11 iterations at least, as much as the rest of the step.
_WARM_PATIENCE = 3


def _warm_budget(estimator, max_iter_warm):
    """Iterations a warm step may take: ``max_iter_warm``, else ``max_iter // 8``.

    At least 10. A warm step starts near its solution and usually stops on
    the solver's own rule first; the budget caps the slow ones. A smaller
    budget (``max_iter // 20`` before) left the network lagging behind the
    alpha it was scored at, which biased cross-validation towards larger
    alphas (measured on diabetes and Friedman #1 over five splits: with a
    budget of 25 the cross-validated test error was as low as with steps
    run to ``tol``).
    """
    if max_iter_warm is not None:
        return int(max_iter_warm)
    return max(10, estimator.max_iter // 8)


def _follow_path(
    estimator,
    X,
    y,
    sample_weight,
    alphas,
    max_iter_warm,
    polish_last=False,
    keep_estimators=False,
):
    """Fit ``estimator`` at each of ``alphas`` in turn, warm-starting each step.

    ``estimator`` is a regressor or a classifier of this package (a
    ``BaseRegularizedMLP``). If it is already
    fitted (on the same data), the first step starts from its parameters too.
    A cold first step uses the estimator's ``max_iter``; every warm step at
    most ``max_iter_warm`` iterations (``None``: ``max(10, max_iter // 8)``)
    and stops after ``_WARM_PATIENCE`` iterations without improvement,
    except the last one with ``polish_last``, which gets ``max_iter`` (the
    model that will be kept, trained to the estimator's tolerance).
    No step warns: a step trained to ``max_iter`` that did not converge says
    why in its ``warning``, for the caller to report once; short warm steps
    say nothing (their budget is small on purpose, and the next step
    continues the optimisation). With ``keep_estimators`` each step carries a
    copy of the fitted estimator.

    Yields
    ------
    step : PathStep
        After each fit; ``estimator`` then holds that step's solution.
    """
    max_iter, patience = estimator.max_iter, estimator.n_iter_no_change
    budget = _warm_budget(estimator, max_iter_warm)
    warm_patience = min(patience, _WARM_PATIENCE)
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
            estimator.n_iter_no_change = patience if full else warm_patience
            with _convergence_messages(estimator) as messages:
                if checked is None:
                    estimator.fit(X, y, sample_weight)
                    # Validated as for a new fit (not a warm start, which
                    # would ask a classifier's labels to hold every class:
                    # a CV fold may miss one).
                    estimator.warm_start = False
                    checked = estimator._validate_training_data(
                        X, y, sample_weight, reset=False
                    )
                    estimator.warm_start = True
                else:
                    # The same data again: skip its validation, a third of
                    # the time of a short warm step on small data.
                    estimator._fit(*checked, incremental=False, validated=True)
            penalty = penalty or _penalty_of(estimator)
            n_nonzero, n_features = _sparsity(estimator.coefs_)
            reg = float(alpha) * float(penalty.value(estimator.coefs_))
            loss = estimator._objective_at_fit(*checked)
            snapshot = None
            if keep_estimators:
                snapshot = copy.deepcopy(estimator)
                snapshot.set_params(
                    warm_start=False, max_iter=max_iter, n_iter_no_change=patience
                )
            yield PathStep(
                alpha=float(alpha),
                n_iter=int(estimator.n_iter_),
                loss=loss,
                data_loss=loss - reg,
                n_nonzero=n_nonzero,
                n_features=n_features,
                warm_start=warm,
                converged=estimator._converged,
                warning=messages[-1] if full and messages else None,
                estimator=snapshot,
            )
            warm = True
    finally:
        estimator.max_iter, estimator.n_iter_no_change = max_iter, patience


def _alpha_grid(estimator, X, y, sample_weight, n_alphas, eps):
    """The automatic grid of alphas (see ``_grid``), increasing.

    Returns the grid and the estimator, fitted at ``alpha=0`` when the grid
    needed a dense fit (a callable penalty; the path then continues from it).
    """
    if estimator.penalty is None:
        raise ValueError(
            "alphas=None needs a penalty: with penalty=None alpha has no effect."
        )
    # The classifier's validation turns labels into an indicator matrix (and
    # class weights into sample weights): the grid is built on what it trains on.
    Xv, yv, swv = estimator._validate_training_data(X, y, sample_weight, reset=True)
    loss = estimator._get_loss()
    weights = None
    if estimator._adaptive():  # the full data's first stage sets the scale
        # The path's first fit is on the same data: it takes this stage.
        estimator._first_stage = estimator._adaptive_first_stage(Xv, yv, swv)
        weights = estimator._first_stage[0]
    penalty = estimator._make_penalty(Xv.shape[1], weights)
    G = loss_gradient_at_zero(loss, Xv, yv, swv)
    top = grid_top(penalty, G)
    if top is None:
        top = _dense_fit_scale(estimator, X, y, sample_weight, loss, yv, swv)
    elif not np.isfinite(top):
        raise ValueError(
            "Cannot build an alpha grid from the data: the loss's gradient at "
            f"the constant model is not finite (grid top {top!r}). Scale the "
            "data or pass alphas explicitly."
        )
    if weights is not None:
        # Adaptive weights spread the groups' thresholds over decades (the
        # informative groups' weights are small): reach two decades lower.
        eps = eps * 1e-2
    # A constant y (G = 0) is fitted by any alpha: a tiny grid, as LassoCV.
    top = max(top, np.finfo(np.float64).tiny / eps)
    return np.geomspace(eps * top, top, n_alphas), estimator


def _dense_fit_scale(estimator, X, y, sample_weight, loss, y_fit, sw_fit):
    """``L_null / P(W_dense)``: where a dense fit's penalty costs a constant model.

    For a penalty with no formula (a callable); fits ``estimator`` at
    ``alpha=0``. ``loss`` is its loss object and ``y_fit``, ``sw_fit`` the
    targets and weights as its validation returns them.
    """
    # Not reported: the first path step continues this fit, and says if
    # it does not converge.
    with _convergence_messages(estimator):
        estimator.set_params(alpha=0.0, warm_start=True).fit(X, y, sample_weight)
    p_dense = float(_penalty_of(estimator).value(estimator.coefs_))
    l_null = constant_deviance(loss, y_fit, sw_fit)
    if not (np.isfinite(p_dense) and p_dense > 0 and np.isfinite(l_null)) or (
        l_null < 0
    ):
        raise ValueError(
            "Cannot build an alpha grid from the data: the penalty of the dense "
            f"fit is {p_dense!r} and the constant model's loss {l_null!r}. "
            "Pass alphas explicitly."
        )
    return max(l_null, np.finfo(np.float64).tiny) / p_dense


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
    n_alphas=20,
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
        builds a log grid of ``n_alphas`` values from the data, from where the
        penalty wins at the zero network down to ``eps`` times that: with
        ``G = X^T r``, ``r`` the data loss's gradient in the output at the
        best constant prediction, the top is ``1.25 max |G|`` for ``'l1'``,
        ``1.25 max_g ||G[g]||`` for ``'group_lasso'`` (divided by the group
        weights), ``||G||`` for ``'l2'`` and the smaller of its parts' for
        ``'elasticnet'`` (see the user guide). Past that top the path is
        constant or has dropped every input. A callable penalty has no
        formula: its top is ``L_null / P(W_dense)`` from a fit at
        ``alpha=0`` (the alpha at which the dense weights' penalty costs as
        much as predicting a constant; with a callable ``loss``,
        ``loss(y, y, sample_weight)`` is taken as its least value), and the
        path continues from that fit.
    n_alphas : int, default=20
        Grid size when ``alphas`` is None.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` when ``alphas`` is None.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights, as in :meth:`RegularizedMLPRegressor.fit`.
    max_iter_warm : int, default=None
        Iteration budget of each warm-started step (the cold first step uses
        ``max_iter``; every step also stops on the solver's own rule, ``tol``
        and ``n_iter_no_change``). None: ``max(10, max_iter // 8)``.
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
        weights, selected features, and ``estimator``, the fitted
        :class:`RegularizedMLPRegressor` of that step. Choosing alpha on a
        validation set is then one line::

            best = max(steps, key=lambda s: s.estimator.score(X_val, y_val))

    Warns
    -----
    ConvergenceWarning
        Once per call, when a step trained to ``max_iter`` (the cold first
        one) did not meet ``tol``.

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
    # The warm steps call the estimator's _fit, not its limited fit: the
    # whole path runs under one BLAS limit (see _threads).
    with blas_thread_limit(threads_for_estimator(estimator, X, y)):
        if alphas is None:
            alphas, estimator = _alpha_grid(
                estimator, X, y, sample_weight, n_alphas, eps
            )
        else:
            alphas = check_alphas(alphas)
        coefs, intercepts, steps = [], [], []
        path = _follow_path(
            estimator, X, y, sample_weight, alphas, max_iter_warm, keep_estimators=True
        )
        for step in path:
            steps.append(step)
            coefs.append(estimator.coefs_)
            intercepts.append(estimator.intercepts_)
    _warn_not_converged(
        [(f"alpha={s.alpha:.3g}", s.warning) for s in steps if s.warning],
        sum(not s.warm_start for s in steps),
    )
    coefs = [np.stack(layer) for layer in zip(*coefs)]
    intercepts = [np.stack(layer) for layer in zip(*intercepts)]
    return alphas, coefs, intercepts, steps
