"""The one place the training objective is assembled.

    J(theta) = L(y, f_theta(X); s) + alpha * P(W)

``L`` is the data-fit loss (``_losses``), ``P`` the penalty on the weight
matrices only (``_penalties``), ``f_theta`` the network (``_network``).
Solvers get callables on the flat parameter vector from here:

- ``value_and_grad_full``: J as written, differentiated by autograd (the
  article's plain gradient descent);
- ``value_and_grad_smooth`` and ``prox``: the smooth part
  ``L + alpha * P_smooth`` and the proximal step of ``alpha * P_nonsmooth``,
  for the proximal solvers;
- ``split_problem``: for L-BFGS-B, ``W = U - V`` with ``U, V >= 0`` turns an
  L1 term into a linear one under bounds, so the solution has exact zeros.
"""

import numpy as np
from autograd import value_and_grad

from ._network import forward


class Objective:
    """Training objective of one network on one data set.

    Parameters
    ----------
    layout : ParameterLayout
    activation : str
    loss : loss object from ``_losses.get_loss``
    penalty : penalty object from ``_penalties.get_penalty``
    alpha : float
        Regularisation strength.
    X, y : arrays of shape (n_samples, n_features), (n_samples, n_outputs)
    sample_weight : array of shape (n_samples,) or None
    """

    def __init__(
        self, layout, activation, loss, penalty, alpha, X, y, sample_weight=None
    ):
        self.layout = layout
        self.activation = activation
        self.loss = loss
        self.penalty = penalty
        self.alpha = alpha
        self.X = X
        self.y = y
        self.sample_weight = sample_weight
        self._vg_full = value_and_grad(self._full)
        self._vg_smooth = value_and_grad(self._smooth)

    # -- the objective, autograd-differentiable in theta ---------------------
    def _data_loss(self, theta, X, y, sw):
        raw = forward(self.layout.unpack(theta), X, self.activation)
        return self.loss.value(y, raw, sw)

    def _full(self, theta, X, y, sw):
        data = self._data_loss(theta, X, y, sw)
        if self.alpha == 0:
            return data
        return data + self.alpha * self.penalty.value(self.layout.weights(theta))

    def _smooth(self, theta, X, y, sw):
        data = self._data_loss(theta, X, y, sw)
        if self.alpha == 0:
            return data
        return data + self.alpha * self.penalty.smooth_value(self.layout.weights(theta))

    def _batch(self, indices):
        if indices is None:
            return self.X, self.y, self.sample_weight
        sw = None if self.sample_weight is None else self.sample_weight[indices]
        return self.X[indices], self.y[indices], sw

    # -- what the solvers call ----------------------------------------------
    def value(self, theta):
        """J at ``theta`` on all the data (float)."""
        return float(self._full(theta, *self._batch(None)))

    def value_and_grad_full(self, theta, indices=None):
        """J as written and its autograd (sub)gradient, on a batch or all data."""
        return self._vg_full(theta, *self._batch(indices))

    def nonsmooth_value(self, theta):
        """``alpha * (P - P_smooth)`` at ``theta``."""
        if self.alpha == 0:
            return 0.0
        coefs = self.layout.weights(theta)
        return self.alpha * float(
            self.penalty.value(coefs) - self.penalty.smooth_value(coefs)
        )

    def value_smooth(self, theta):
        """Smooth part of J on all the data (float), without its gradient."""
        return float(self._smooth(theta, *self._batch(None)))

    def value_and_grad_smooth(self, theta, indices=None):
        """Smooth part of J and its gradient, on a batch or all data."""
        return self._vg_smooth(theta, *self._batch(indices))

    def value_and_grad_composite(self, theta, indices=None):
        """(J, gradient of the smooth part): what proximal solvers report and use."""
        f, g = self.value_and_grad_smooth(theta, indices)
        return f + self.nonsmooth_value(theta), g

    @property
    def has_prox(self):
        """Whether the penalty has a non-smooth part that needs a proximal step."""
        return self.alpha > 0 and self.penalty.l1_coef != 0.0

    def prox(self, theta, step):
        """Proximal step of ``alpha * P_nonsmooth`` on the weights of ``theta``.

        ``step`` is a scalar or an array shaped like ``theta`` (per-coordinate).
        Biases pass through unchanged.
        """
        out = np.array(theta, copy=True)
        coefs = self.layout.weights(out)
        if np.ndim(step) == 0:
            scaled = self.alpha * step
        else:
            scaled = [self.alpha * s for s in self.layout.weights(np.asarray(step))]
        for W, W_new in zip(coefs, self.penalty.prox(coefs, scaled)):
            W[...] = W_new
        return out

    # -- L-BFGS-B -------------------------------------------------------------
    def split_problem(self, theta0):
        """Bound-constrained smooth reformulation for L-BFGS-B.

        Returns ``(value_and_grad, z0, bounds, to_theta)``. The variable is
        ``z = [theta with weights replaced by U, V]``, the weights are
        ``W = U - V`` with ``U, V >= 0``, and the L1 part
        ``c * sum |W|`` becomes ``c * (sum U + sum V)``.
        When the penalty has no L1 part, ``z`` is ``theta`` itself and there
        are no bounds.
        """
        c = self.alpha * self.penalty.l1_coef if self.alpha > 0 else 0.0
        if c == 0.0:
            return self.value_and_grad_smooth, theta0, None, lambda z: z
        mask = self.layout.weight_mask
        n = theta0.size

        def to_theta(z):
            theta = z[:n].copy()
            theta[mask] -= z[n:]
            return theta

        def split_value_and_grad(z):
            f, g = self.value_and_grad_smooth(to_theta(z))
            f = f + c * (np.sum(z[:n][mask]) + np.sum(z[n:]))
            g_u = g + c * mask
            g_v = c - g[mask]
            return f, np.concatenate([g_u, g_v])

        w = theta0[mask]
        z0 = np.concatenate([theta0, np.maximum(-w, 0)])
        z0[:n][mask] = np.maximum(w, 0)
        bounds = [(0, None) if m else (None, None) for m in mask]
        bounds += [(0, None)] * int(mask.sum())
        return split_value_and_grad, z0, bounds, to_theta
