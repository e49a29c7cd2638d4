"""Penalties on the weight matrices: each one a small object.

A penalty ``P(coefs)`` (``coefs`` is the list of weight matrices; biases are
never penalised) splits into a smooth part, differentiated by autograd, and a
non-smooth part handled by its proximal operator, so that the first-order
solvers produce exact zeros. Every penalty offers

- ``value(coefs)``: ``P`` as written (autograd-differentiable where it is
  differentiable; the article's ``'gd'`` solver differentiates it directly);
- ``smooth_value(coefs)``: the part of ``P`` that goes through the gradient;
- ``prox(coefs, step)``: the proximal operator of ``step * (P - smooth part)``,
  returning new arrays (``step`` is a scalar or a list of arrays shaped like
  ``coefs`` for per-coordinate steps);
- optionally ``value_and_grad(coefs)`` and ``smooth_value_and_grad(coefs)``:
  the value and the list of gradients per matrix in closed form (plain
  NumPy; ``None`` for a zero gradient), which the objective uses instead of
  autograd (tested against autograd);
- ``l1_coef``: ``c`` when the non-smooth part is exactly ``c * sum |W|``
  (``0.0`` when there is none), else ``None``. L-BFGS-B handles the ``c > 0``
  case exactly through the split ``W = U - V`` with ``U, V >= 0``; it cannot
  handle ``None`` (group lasso) exactly, so the estimator refuses that pair;
- ``l2_coef``: ``q`` when the smooth part is exactly ``q * sum W**2`` over
  every weight matrix (``0.0`` when there is no smooth part), else ``None``.
  FISTA then moves that term into the proximal step (a shrink by
  ``1 / (1 + 2 t q)`` after the non-smooth part's), so its line search sees
  the data loss alone: at a large ``alpha`` the quadratic term would cap the
  step at about ``1 / (2 alpha q)`` and the biases would barely move.

:func:`get_penalty` is the one place that maps the ``penalty`` hyperparameter
to an object.
"""

from numbers import Integral

import autograd.numpy as anp
import numpy as np
from autograd.extend import defvjp, primitive

from ._losses import numpy_for

PENALTY_NAMES = ("l1", "l2", "elasticnet", "group_lasso")


def _sum_abs(coefs):
    return sum(numpy_for(W).sum(numpy_for(W).abs(W)) for W in coefs)


def _sum_squares(coefs):
    return sum(numpy_for(W).sum(W**2) for W in coefs)


def soft_threshold(w, threshold):
    """Proximal operator of ``threshold * |w|`` (elementwise)."""
    return np.sign(w) * np.maximum(np.abs(w) - threshold, 0.0)


def _per_matrix(step, coefs):
    if isinstance(step, (list, tuple)):
        return step
    return [step] * len(coefs)


class NoPenalty:
    """``P = 0``."""

    l1_coef = 0.0
    l2_coef = 0.0

    def value(self, coefs):
        return 0.0

    def smooth_value(self, coefs):
        return 0.0

    def prox(self, coefs, step):
        return [np.array(W) for W in coefs]

    def value_and_grad(self, coefs):
        return 0.0, None

    def smooth_value_and_grad(self, coefs):
        return 0.0, None


class L2(NoPenalty):
    """``P = sum_k sum W_k**2`` (smooth)."""

    l2_coef = 1.0

    def value(self, coefs):
        return _sum_squares(coefs)

    smooth_value = value

    def value_and_grad(self, coefs):
        value = sum(np.add.reduce(W * W, axis=None) for W in coefs)
        return value, [2 * W for W in coefs]

    smooth_value_and_grad = value_and_grad


class L1(NoPenalty):
    """``P = sum_k sum |W_k|``; its proximal step is soft-thresholding."""

    l1_coef = 1.0

    def value(self, coefs):
        return _sum_abs(coefs)

    def prox(self, coefs, step):
        return [soft_threshold(W, s) for W, s in zip(coefs, _per_matrix(step, coefs))]

    def value_and_grad(self, coefs):
        # np.sign(0) = 0: autograd's subgradient of |w| at 0.
        value = sum(np.add.reduce(np.abs(W), axis=None) for W in coefs)
        return value, [np.sign(W) for W in coefs]


class ElasticNet(NoPenalty):
    """``P = l1_ratio * sum |W| + (1 - l1_ratio) * sum W**2``."""

    def __init__(self, l1_ratio=0.5):
        self.l1_ratio = float(l1_ratio)
        self.l1_coef = self.l1_ratio
        self.l2_coef = 1.0 - self.l1_ratio

    def value(self, coefs):
        return self.l1_ratio * _sum_abs(coefs) + self.smooth_value(coefs)

    def smooth_value(self, coefs):
        return (1.0 - self.l1_ratio) * _sum_squares(coefs)

    def value_and_grad(self, coefs):
        r = self.l1_ratio
        grads = [r * np.sign(W) + (2 * (1.0 - r)) * W for W in coefs]
        return self.value(coefs), grads

    def smooth_value_and_grad(self, coefs):
        c = 2 * (1.0 - self.l1_ratio)
        return self.smooth_value(coefs), [c * W for W in coefs]

    def prox(self, coefs, step):
        return [
            soft_threshold(W, self.l1_ratio * s)
            for W, s in zip(coefs, _per_matrix(step, coefs))
        ]


def check_groups(groups, n_features):
    """Validate the ``groups`` hyperparameter for ``n_features`` input columns.

    Parameters
    ----------
    groups : list of lists of int, or None
        Column indices of each group; None puts every column in its own group.
    n_features : int

    Returns
    -------
    ids : ndarray of int of shape (n_features,)
        Group of each column (row of the first weight matrix); ``-1`` for a
        column in no group, which is not penalised.
    n_groups : int
    """
    if groups is None:
        return np.arange(n_features), n_features
    if isinstance(groups, (str, bytes)) or not np.iterable(groups):
        raise ValueError(
            f"groups must be a list of lists of column indices, got {groups!r}."
        )
    groups = list(groups)
    if not groups:
        raise ValueError(
            "groups is empty: no column would be penalised. Pass None for one "
            "group per column."
        )
    ids = np.full(n_features, -1)
    n_groups = 0
    for g, group in enumerate(groups):
        if isinstance(group, (str, bytes)) or not np.iterable(group):
            raise ValueError(
                f"groups[{g}] must be a list of column indices, got {group!r}."
            )
        members = list(group)
        if not members:
            raise ValueError(f"groups[{g}] is empty.")
        for j in members:
            if isinstance(j, (bool, np.bool_)) or not isinstance(
                j, (Integral, np.integer)
            ):
                raise ValueError(
                    f"groups[{g}] must hold integer column indices, got {j!r}."
                )
            if not 0 <= j < n_features:
                raise ValueError(
                    f"groups[{g}] holds column {j}, out of range for "
                    f"{n_features} features."
                )
            if ids[j] != -1:
                raise ValueError(
                    f"Column {j} is in groups[{ids[j]}] and groups[{g}]; "
                    "groups must be disjoint."
                )
            ids[j] = g
        n_groups += 1
    return ids, n_groups


def check_group_weights(group_weights, n_groups):
    """Validate ``group_weights``: None, or ``n_groups`` positive finite floats."""
    if group_weights is None:
        return None
    weights = np.asarray(group_weights, dtype=float)
    if weights.shape != (n_groups,):
        raise ValueError(
            f"group_weights must have one entry per group ({n_groups}), got "
            f"shape {weights.shape}."
        )
    if not np.all(np.isfinite(weights)) or np.any(weights <= 0):
        raise ValueError("group_weights must be positive and finite.")
    return weights


def _group_sum(row_values, ids, n_groups):
    """Sum ``row_values`` (one per row) within each group; rows with id -1 drop out."""
    keep = ids >= 0
    return np.bincount(ids[keep], weights=row_values[keep], minlength=n_groups)


@primitive
def group_norms(W, ids, n_groups):
    """Euclidean norm of each group of rows of ``W`` (``ids`` from :func:`check_groups`).

    Differentiable by autograd; at a zero group the vector-Jacobian product
    uses the zero subgradient, so gradients stay finite (``sqrt`` alone gives nan).
    """
    sq = np.sum(np.square(W), axis=1)
    return np.sqrt(_group_sum(sq, ids, n_groups)).astype(W.dtype, copy=False)


def _group_norms_vjp(ans, W, ids, n_groups):
    inv = np.where(ans > 0, 1.0 / np.where(ans > 0, ans, 1.0), 0.0)

    def vjp(g):
        per_row = np.where(ids >= 0, (g * inv)[ids], 0.0)
        return (per_row[:, None] * W).astype(W.dtype, copy=False)

    return vjp


defvjp(group_norms, _group_norms_vjp)


def _group_max(row_values, ids, n_groups):
    out = np.zeros(n_groups)
    keep = ids >= 0
    np.maximum.at(out, ids[keep], row_values[keep])
    return out


def group_soft_threshold(W, step, ids, n_groups, *, group_weights=None, max_newton=100):
    """Proximal operator of ``sum_g w_g ||W[g]||_2`` in the metric of ``step``.

    Solves ``argmin_V sum (V - W)**2 / (2 * step) + sum_g w_g ||V[g]||_2``,
    with ``w_g`` from ``group_weights`` (one per group; None: all 1).

    With a scalar ``step`` (or one constant within a group) this is group
    soft-thresholding, ``V[g] = W[g] * max(0, 1 - step / ||W[g]||)``. With a
    per-coordinate ``step`` array (Adam's diagonal metric) the minimiser is
    still exact: ``V[g] = 0`` when ``||W[g] / step[g]|| <= 1``, else
    ``V_i = W_i * rho / (rho + step_i)`` where ``rho = ||V[g]||`` is the root
    of ``sum_i W_i**2 / (rho + step_i)**2 = 1``, found by Newton's method
    (monotone from a point left of the root, since that function is convex
    and decreasing). Rows with group id ``-1`` are returned unchanged. A
    weight scales its group's step: ``w_g ||.||`` with step ``t`` is ``||.||``
    with step ``w_g t``, which stays constant within the group for a scalar
    ``step`` (the closed form, not Newton's method).
    """
    W = np.asarray(W)
    out = np.array(W, copy=True)
    if np.ndim(step) == 0:
        norms = np.sqrt(_group_sum(np.sum(W**2, axis=1), ids, n_groups))
        threshold = step if group_weights is None else step * group_weights
        factor = np.where(
            norms > threshold, 1.0 - threshold / np.where(norms > 0, norms, 1.0), 0.0
        )
        rows = ids >= 0
        out[rows] = W[rows] * factor[ids[rows]][:, None]
        return out
    if group_weights is not None:
        row_weights = np.where(ids >= 0, group_weights[np.maximum(ids, 0)], 1.0)
        step = np.asarray(step) * row_weights[:, None]
    t = np.broadcast_to(np.asarray(step, dtype=np.float64), W.shape)
    rows = ids >= 0
    Wr, tr, idr = W[rows].astype(np.float64), t[rows], ids[rows]
    scaled = np.sqrt(_group_sum(np.sum((Wr / tr) ** 2, axis=1), idr, n_groups))
    norms = np.sqrt(_group_sum(np.sum(Wr**2, axis=1), idr, n_groups))
    active = scaled > 1.0
    rho = np.maximum(norms - _group_max(np.max(tr, axis=1), idr, n_groups), 0.0)
    sq = Wr**2
    for _ in range(max_newton):
        d = rho[idr][:, None] + tr
        phi = _group_sum(np.sum(sq / d**2, axis=1), idr, n_groups) - 1.0
        dphi = -2.0 * _group_sum(np.sum(sq / d**3, axis=1), idr, n_groups)
        new = np.where(active, rho - phi / np.where(active, dphi, -1.0), 0.0)
        new = np.maximum(new, rho)  # monotone: guards against round-off
        done = np.all(np.abs(new - rho) <= 1e-13 * np.maximum(new, 1e-300))
        rho = new
        if done:
            break
    r = rho[idr][:, None]
    out[rows] = np.where(active[idr][:, None], Wr * r / (r + tr), 0.0)
    return out


class GroupLasso(NoPenalty):
    """``P = sum_g w_g ||W_1[g, :]||_2 + deep_l2 * sum_{k >= 2} sum W_k**2``.

    Each group ``g`` is a set of input features (rows of the first weight
    matrix); by default every feature is its own group. Features in no group
    are not penalised. The proximal step (group soft-thresholding) sets whole
    rows of ``W_1`` to exactly zero, so those features leave the model.

    Parameters
    ----------
    group_ids : ndarray of int or None
        Group of each input feature, ``-1`` for none (see :func:`check_groups`);
        None: one group per feature.
    deep_l2 : float
        Weight of the L2 term on the weight matrices after the first. It is
        applied through its proximal step (a shrink by ``1 / (1 + 2 t deep_l2)``)
        rather than through the gradient: as a smooth term it would cap the
        step sizes of a line search at about ``1 / (2 alpha deep_l2)``, so at a
        large ``alpha`` the biases (and the data fit) would barely move.
    group_weights : ndarray of shape (n_groups,) or None
        Positive weight ``w_g`` of each group (adaptive group lasso); None: 1.
    """

    l1_coef = None

    def __init__(self, group_ids=None, deep_l2=0.0, group_weights=None):
        self.group_ids = None if group_ids is None else np.asarray(group_ids)
        self.deep_l2 = float(deep_l2)
        self.group_weights = (
            None if group_weights is None else np.asarray(group_weights, dtype=float)
        )

    def _ids(self, n_rows):
        if self.group_ids is None:
            return np.arange(n_rows), n_rows
        n_groups = int(self.group_ids.max()) + 1 if self.group_ids.size else 0
        return self.group_ids, n_groups

    def value(self, coefs):
        ids, n_groups = self._ids(coefs[0].shape[0])
        norms = group_norms(coefs[0], ids, n_groups)
        if self.group_weights is not None:
            norms = self.group_weights * norms
        deep = 0.0
        if self.deep_l2 != 0 and len(coefs) > 1:
            deep = self.deep_l2 * _sum_squares(coefs[1:])
        return anp.sum(norms) + deep

    def prox(self, coefs, step):
        steps = _per_matrix(step, coefs)
        ids, n_groups = self._ids(coefs[0].shape[0])
        first = group_soft_threshold(
            coefs[0], steps[0], ids, n_groups, group_weights=self.group_weights
        )
        # prox of t * deep_l2 * ||W||^2 is W / (1 + 2 t deep_l2), elementwise t.
        deeper = [
            W / (1.0 + 2.0 * t * self.deep_l2) for W, t in zip(coefs[1:], steps[1:])
        ]
        return [first] + deeper


class CallablePenalty(NoPenalty):
    """A user penalty ``penalty(coefs) -> scalar``, treated as smooth."""

    l2_coef = None

    def __init__(self, func):
        self.func = func

    def value(self, coefs):
        return self.func(coefs)

    smooth_value = value


def get_penalty(
    penalty, l1_ratio=0.5, *, group_ids=None, deep_l2=0.0, group_weights=None
):
    """Map the ``penalty`` hyperparameter (name, None or callable) to an object.

    ``group_ids``, ``deep_l2`` and ``group_weights`` are used by
    ``'group_lasso'`` only.
    """
    if penalty is None:
        return NoPenalty()
    if callable(penalty):
        return CallablePenalty(penalty)
    if penalty == "l2":
        return L2()
    if penalty == "l1":
        return L1()
    if penalty == "elasticnet":
        return ElasticNet(l1_ratio)
    if penalty == "group_lasso":
        return GroupLasso(group_ids, deep_l2, group_weights)
    raise ValueError(
        f"Unknown penalty {penalty!r}; expected None, one of {PENALTY_NAMES} "
        "or a callable."
    )
