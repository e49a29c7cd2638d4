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
  case exactly through the split ``W = U - V`` with ``U, V >= 0``.

:func:`get_penalty` is the one place that maps the ``penalty`` hyperparameter
to an object.
"""

import autograd.numpy as anp
import numpy as np

PENALTY_NAMES = ("l1", "l2", "elasticnet", "group_lasso")


def _sum_abs(coefs):
    return sum(anp.sum(anp.abs(W)) for W in coefs)


def _sum_squares(coefs):
    return sum(anp.sum(W**2) for W in coefs)


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


class CallablePenalty(NoPenalty):
    """A user penalty ``penalty(coefs) -> scalar``, treated as smooth."""

    def __init__(self, func):
        self.func = func

    def value(self, coefs):
        return self.func(coefs)

    smooth_value = value


def get_penalty(penalty, l1_ratio=0.5):
    """Map the ``penalty`` hyperparameter (name, None or callable) to an object."""
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
    raise ValueError(
        f"Unknown penalty {penalty!r}; expected None, one of {PENALTY_NAMES} "
        "or a callable."
    )
