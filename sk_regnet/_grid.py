"""The automatic alpha grid: where a path turns constant, from the data alone.

An MLP has no closed-form ``alpha_max`` like the Lasso's, but its zero-weight
network has one: with every weight at zero the network predicts the best
constant ``c`` (its output bias), and the first-order conditions there give
the scale of alpha at which the penalty wins. With ``r`` the gradient of the
data loss ``L`` in the network's raw output at ``c`` (one row per sample,
sample weights included) and

    G = X^T r            (n_features x n_outputs)

the gradient of ``L`` in a linear first layer, the top of the grid is

- ``'l1'``: ``1.25 * max |G|`` (the first-layer weights, and so every input,
  are exactly zero past about this point; with ``l1_coef`` ``c``, divided by c);
- ``'group_lasso'``: ``1.25 * max_g ||G[g]||_F / w_g`` over the groups;
- ``'l2'``: ``1.0 * ||G||_F``: at ``W = 0`` the Hessian of ``J`` in the two
  layers has a negative eigenvalue exactly when
  ``alpha < sigma'(b) ||G|| / 2`` per unit, so past it the zero network is a
  local minimum the path settles in;
- ``'elasticnet'``: the smaller of its L1 part's and its L2 part's tops.

The factors were measured: the path is constant (``'l2'``) or has no input
left (the sparse penalties) at 0.3-1.05 (``'l2'``) and 0.18-1.25 (the others)
times the bare norms on six data sets, and cross-validation chose a median
1-7% of that point. The grid spans ``[eps * top, top]`` in log scale. A
callable penalty has no such formula: its top is ``L_null / P(W_dense)``,
the alpha at which the penalty of a dense fit costs as much as predicting the
constant.

``r`` sums to zero over the samples (``c`` is optimal), so centring ``X``
changes nothing and sparse ``X`` is used as it is.
"""

import numpy as np
import scipy.optimize

from ._losses import get_loss
from ._objective import loss_value_and_grad

#: Multiples of the bare norms of ``G`` that make the top of the grid.
_TOP_SPARSE = 1.25
_TOP_L2 = 1.0


def _as_2d(y):
    y = np.asarray(y, dtype=np.float64)
    return y.reshape(-1, 1) if y.ndim == 1 else y


def best_constant(loss, y, sample_weight):
    """The best constant raw output (one per output) and its data loss.

    Parameters
    ----------
    loss : loss object from ``_losses.get_loss``
    y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,) or None

    Returns
    -------
    c : ndarray of shape (n_outputs,)
    value : float
    """

    def value(c):
        return float(loss.value(y, np.broadcast_to(c, y.shape), sample_weight))

    start = np.average(y, axis=0, weights=sample_weight)
    # A link function (e.g. Poisson's log) moves the optimum; search from the
    # mean and from its log, and keep the better one.
    best_c, best = start, value(start)
    for s in (start, np.log(np.maximum(start, 1e-12))):
        found = scipy.optimize.minimize(value, s)
        if found.fun < best:
            best_c, best = np.atleast_1d(found.x), float(found.fun)
    return np.asarray(best_c, dtype=np.float64), best


def null_deviance(loss, huber_delta, y, sample_weight):
    """Deviance of the best constant prediction (one constant per output).

    Its data loss above that of a perfect prediction, so never negative for a
    convex loss: the variance of ``y`` for the squared error, the half
    Poisson deviance of the mean for ``'poisson'`` (whose loss leaves out a
    term in ``y`` alone, and is negative for large counts).
    """
    return constant_deviance(get_loss(loss, huber_delta), y, sample_weight)


def constant_deviance(loss, y, sample_weight):
    """:func:`null_deviance` for a loss object (the classifier's log-losses too)."""
    y = _as_2d(y)
    sw = None if sample_weight is None else np.asarray(sample_weight, np.float64)
    _, best = best_constant(loss, y, sw)
    floor = loss.saturated_value(y, sw)
    deviance = best - floor
    # Rounding can leave a constant y's deviance a hair below zero.
    return 0.0 if abs(deviance) <= 1e-9 * (abs(best) + abs(floor)) else deviance


def output_residual(loss, y, sample_weight):
    """``r``: the data loss's gradient in the raw output at the best constant.

    One row per sample (the sample weights and the mean's ``1/n`` included).
    """
    y = _as_2d(y)
    sw = None if sample_weight is None else np.asarray(sample_weight, np.float64)
    c, _ = best_constant(loss, y, sw)
    _, r = loss_value_and_grad(loss, y, np.broadcast_to(c, y.shape).copy(), sw)
    return np.asarray(r, dtype=np.float64)


def loss_gradient_at_zero(loss, X, y, sample_weight):
    """``G = X^T r``: the data loss's gradient in a linear first layer at ``W = 0``.

    ``r`` is the gradient of the loss in the raw output at the best constant.
    """
    return np.asarray(X.T @ output_residual(loss, y, sample_weight))


def null_gradient_level(X, r, group_ids, n_groups):
    """How large ``||G[g]||`` grows for inputs unrelated to the target.

    With ``r`` fixed and the rows independent, ``||G[g]||^2`` has mean
    ``s_g^2 = sum_{j in g} sum_i x_ij^2 |r_i|^2``; over ``n_groups`` groups
    of pure noise the largest norm stays near ``max_g s_g * sqrt(2 log
    n_groups)`` (the universal threshold's scale). Returns that level.
    """
    squared = X.multiply(X) if hasattr(X, "multiply") else X**2
    per_feature = np.asarray(squared.T @ np.sum(r**2, axis=1)).ravel()
    keep = group_ids >= 0
    s = np.sqrt(
        np.bincount(group_ids[keep], weights=per_feature[keep], minlength=n_groups)
    )
    return float(np.max(s)) * np.sqrt(2 * np.log(max(n_groups, 2)))


def grid_top(penalty, G):
    """The top of the automatic grid for a penalty object and ``G``, or None.

    None when the penalty has no formula (a callable).
    """
    if hasattr(penalty, "group_ids"):  # group lasso
        ids = np.arange(G.shape[0]) if penalty.group_ids is None else penalty.group_ids
        keep = ids >= 0
        if not np.any(keep):
            return None
        sq = np.bincount(ids[keep], weights=np.sum(G[keep] ** 2, axis=1))
        norms = np.sqrt(sq)
        if penalty.group_weights is not None:
            norms = norms / penalty.group_weights
        return _TOP_SPARSE * float(np.max(norms))
    c, q = penalty.l1_coef, penalty.l2_coef
    tops = []
    if c:
        tops.append(_TOP_SPARSE * float(np.max(np.abs(G))) / c)
    if q:
        tops.append(_TOP_L2 * float(np.linalg.norm(G)) / q)
    return min(tops) if tops else None


def check_alphas(alphas):
    """Validate a user's grid: 1-D, finite, non-negative; returned increasing."""
    alphas = np.asarray(alphas, dtype=np.float64)
    if alphas.ndim != 1 or alphas.size == 0:
        raise ValueError(
            f"alphas must be a non-empty 1-D array, got shape {alphas.shape}."
        )
    if not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
        raise ValueError("alphas must be finite and non-negative.")
    return np.sort(alphas)
