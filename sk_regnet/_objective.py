"""The one place the training objective is assembled.

    J(theta) = L(y, f_theta(X); s) + alpha * P(W)

``L`` is the data-fit loss (``_losses``), ``P`` the penalty on the weight
matrices only (``_penalties``), ``f_theta`` the network (``_network``, run
by ``_backprop``).
Solvers get callables on the flat parameter vector from here:

- ``value_and_grad_full``: J as written and its gradient, autograd's
  (sub)gradient wherever J is not differentiable (the article's plain
  gradient descent);
- ``value_and_grad_smooth`` and ``prox``: the smooth part
  ``L + alpha * P_smooth`` and the proximal step of ``alpha * P_nonsmooth``,
  for the proximal solvers (with ``quadratic_prox``, a quadratic
  ``P_smooth = q * sum W**2`` moves into the proximal step, for FISTA);
- ``split_problem``: for L-BFGS-B, ``W = U - V`` with ``U, V >= 0`` turns an
  L1 term into a linear one under bounds, so the solution has exact zeros.

Gradients: the network's hand-written VJP (``_backprop.Network.backward``)
chained with the loss's and penalty's gradients, in closed form where their
objects offer one and from autograd otherwise (see :class:`Objective`).
"""

import warnings

import autograd
import numpy as np
import scipy.optimize
import scipy.sparse as sp

from ._backprop import Network
from ._network import output_bound

#: Rows per chunk (times the widest non-input layer) when J is evaluated on all
#: the data, so the hidden activations of a large data set never sit in memory
#: at once.
_CHUNK_ELEMENTS = 2**13


def _autograd_value_and_grad(fun):
    """``autograd.value_and_grad(fun)``, quiet when ``fun`` is a constant.

    A penalty whose (smooth) value does not depend on the weights, such as a
    part switched off by its parameters, has a zero gradient: autograd
    returns zeros and warns; the warning says nothing useful to the user.
    """
    value_and_grad = autograd.value_and_grad(fun)

    def quiet(*args):
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", "Output seems independent of input", UserWarning
            )
            return value_and_grad(*args)

    return quiet


def _closed_form(obj, value_name, closed_name):
    """``obj.<closed_name>`` if it belongs with ``obj.<value_name>``, else None.

    A closed form counts only when it is defined by the class that defines
    the value, or by a subclass of it: a subclass that overrides the value
    and not the closed form falls back to autograd instead of silently using
    its parent's gradient.
    """
    mro = type(obj).__mro__
    owner_value = next((c for c in mro if value_name in vars(c)), None)
    owner_closed = next((c for c in mro if closed_name in vars(c)), None)
    if owner_closed is None or owner_value is None:
        return None
    if not issubclass(owner_closed, owner_value):
        return None
    return getattr(obj, closed_name)


def loss_value_and_grad(loss, y, raw, sample_weight=None):
    """A loss object's value and gradient in ``raw``: closed form, else autograd."""
    closed = _closed_form(loss, "value", "value_and_grad")
    if closed is not None:
        return closed(y, raw, sample_weight)
    return _autograd_value_and_grad(lambda r: loss.value(y, r, sample_weight))(raw)


def _no_smooth_part(coefs):
    return 0.0, None


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
    X : array or scipy.sparse matrix of shape (n_samples, n_features)
    y : array of shape (n_samples, n_outputs)
    sample_weight : array of shape (n_samples,) or None
    quadratic_prox : bool, default=False
        Whether a penalty whose smooth part is ``q * sum W**2`` (its
        ``l2_coef``) has that part applied through the proximal step
        (``W / (1 + 2 t alpha q)``) instead of the gradient. FISTA uses it:
        its backtracking then fits the step to the data loss alone, where the
        quadratic term's curvature ``2 alpha q`` would cap it (a dominant
        penalty would leave the biases, and so the best constant model,
        unfitted).

    Notes
    -----
    The gradient is the chain rule applied once at the top,
    ``dJ = (df/dtheta)^T dL/df + alpha dP/dW``: the network's hand-written
    VJP (:meth:`Network.backward`) takes the loss's gradient in the output;
    the loss's and the penalty's gradients come in closed form when their
    objects offer one (``value_and_grad``), and from autograd otherwise
    (callables, new losses and penalties). Skipping autograd's tape on the
    common path is what makes small problems fast: tracing costs several
    microseconds per operation, more than the arithmetic of a small network.
    """

    def __init__(
        self,
        layout,
        activation,
        loss,
        penalty,
        alpha,
        X,
        y,
        sample_weight=None,
        quadratic_prox=False,
    ):
        self.layout = layout
        self.activation = activation
        self.loss = loss
        self.penalty = penalty
        self.alpha = alpha
        self.X = X
        self.y = y
        self.sample_weight = sample_weight
        self.network = Network(layout, activation)
        self._X_csr = None
        self._last_data = None
        self._data_ranges = None  # per-feature max |X|, min and max of y
        self._loss_vg = _closed_form(loss, "value", "value_and_grad") or (
            self._autograd_loss_vg
        )
        q = getattr(penalty, "l2_coef", None)
        # alpha * q: the quadratic weight applied by the proximal step.
        self._prox_l2 = alpha * q if quadratic_prox and alpha > 0 and q else 0.0
        self._penalty_vg = {
            True: _no_smooth_part
            if self._prox_l2
            else _closed_form(penalty, "smooth_value", "smooth_value_and_grad")
            or _autograd_value_and_grad(penalty.smooth_value),
            False: _closed_form(penalty, "value", "value_and_grad")
            or _autograd_value_and_grad(penalty.value),
        }

    def _autograd_loss_vg(self, y, raw, sw):
        return _autograd_value_and_grad(lambda r: self.loss.value(y, r, sw))(raw)

    # -- the objective and its gradient ----------------------------------------
    def _value_and_grad(self, theta, indices, smooth):
        X, y, sw = self._batch(indices)
        raw, tape = self.network.forward(theta, X, keep=True, reuse=True)
        f, g_raw = self._loss_vg(y, raw, sw)
        grad = self.network.backward(tape, g_raw)
        if self.alpha != 0:
            p, g_coefs = self._penalty_vg[smooth](tape.coefs)
            f = f + self.alpha * p
            if g_coefs is not None:
                for gW, gP in zip(tape.grad_coefs, g_coefs):
                    gW += self.alpha * gP
        return f, grad

    def _batch(self, indices):
        if indices is None:
            return self.X, self.y, self.sample_weight
        # ndarray.take(indices, axis=0) gives the same rows as X[indices],
        # several times faster: a minibatch of 200 rows of a 20000 x 50 array
        # took about a quarter of the time.
        sw = None if self.sample_weight is None else self.sample_weight.take(indices)
        X = self._rows()
        X = X.take(indices, axis=0) if isinstance(X, np.ndarray) else X[indices]
        return X, self.y.take(indices, axis=0), sw

    def _rows(self):
        """``X`` in a format cheap to select rows from (CSC turns into CSR once)."""
        X = self.X
        if sp.issparse(X) and X.format != "csr":
            if self._X_csr is None:
                self._X_csr = X.tocsr()
            return self._X_csr
        return X

    def _data_loss(self, theta):
        """L on all the data, in chunks of rows when the loss is a sample mean."""
        X, y, sw = self.X, self.y, self.sample_weight
        n = X.shape[0]
        # Chunks as large as the training batches reuse their buffers;
        # otherwise about _CHUNK_ELEMENTS activations per layer.
        chunk = self.network.workspace_rows(
            np.result_type(X.dtype, theta.dtype)
        ) or max(1, _CHUNK_ELEMENTS // max(self.layout.layer_sizes[1:]))
        if not getattr(self.loss, "sample_mean", False) or n <= chunk:
            return self.loss.value(y, self.network.predict(theta, X), sw)
        total, weight = 0.0, 0.0
        for start in range(0, n, chunk):
            rows = slice(start, start + chunk)
            w = (min(n, start + chunk) - start) if sw is None else np.sum(sw[rows])
            if w == 0:
                continue
            part_sw = None if sw is None else sw[rows]
            raw = self.network.forward(theta, X[rows], reuse=True)[0]
            total += float(self.loss.value(y[rows], raw, part_sw)) * float(w)
            weight += float(w)
        return total / weight

    # -- what the solvers call ----------------------------------------------
    def _data_value(self, theta):
        """L on all the data (float), remembered for the last ``theta``.

        A full pass over the data: asking again at the same parameters (say,
        a divergence check, then ``loss_``) costs nothing.
        """
        last = self._last_data
        if last is not None and np.array_equal(last[0], theta):
            return last[1]
        data = float(self._data_loss(theta))
        self._last_data = (np.array(theta, copy=True), data)
        return data

    def surely_finite(self, theta):
        """Whether J at ``theta`` on all the data is finite, shown without a pass over it.

        A sufficient test, for a stochastic fit's final point, which only its
        last minibatch has seen: False means "not shown" (the caller then
        evaluates J). The network's raw outputs are bounded over the box of
        the inputs' per-feature ranges (:func:`~._network.output_bound`);
        each built-in loss is convex in the raw output and convex or linear
        in the target, so over all training rows its terms are at most its
        largest value at the corners (``y`` at its smallest or largest,
        output at minus or plus the bound). J is finite when those corners
        are, with room to add up ``n_samples`` of them, and so is the penalty.
        A user's loss has no such bound: never shown.
        """
        if not getattr(self.loss, "sample_mean", False):
            return False
        X, y = self.X, self.y
        if self._data_ranges is None:
            # From the column extremes: abs(X) would be a copy of X (as much
            # memory again as the data, which training never needs).
            high, low = X.max(axis=0), X.min(axis=0)
            if sp.issparse(high):
                high, low = high.toarray().ravel(), low.toarray().ravel()
            abs_max = np.maximum(np.asarray(high).ravel(), -np.asarray(low).ravel())
            self._data_ranges = (abs_max, y.min(axis=0), y.max(axis=0))
        input_bound, y_low, y_high = self._data_ranges
        limit = float(np.finfo(np.result_type(X.dtype, theta.dtype)).max)
        params = self.layout.unpack(theta)
        bound = output_bound(params, input_bound, self.activation, limit)
        if not np.all(bound < limit):
            return False
        worst = 0.0
        for j in range(y.shape[1]):
            for y_corner in (y_low[j], y_high[j]):
                for raw in (-bound[j], bound[j]):
                    term = self.loss.value(
                        np.full((1, 1), y_corner), np.full((1, 1), raw)
                    )
                    worst = max(worst, abs(float(term)))
        if not worst * y.size < limit:
            return False
        if self.alpha == 0:
            return True
        penalty = self.alpha * float(self.penalty.value(self.layout.weights(theta)))
        return abs(penalty) < limit

    def value(self, theta):
        """J at ``theta`` on all the data (float)."""
        value = self._data_value(theta)
        if self.alpha != 0:
            value += self.alpha * float(self.penalty.value(self.layout.weights(theta)))
        return value

    def value_and_grad_full(self, theta, indices=None):
        """J as written and its (sub)gradient, on a batch or all data.

        The subgradient is autograd's for the non-smooth terms (0 at 0 for
        ``|w|``), so the article's plain gradient descent is reproduced.
        """
        return self._value_and_grad(theta, indices, smooth=False)

    def nonsmooth_value(self, theta):
        """``alpha * (P - P_smooth)`` at ``theta``."""
        if self.alpha == 0:
            return 0.0
        coefs = self.layout.weights(theta)
        return self.alpha * float(
            self.penalty.value(coefs) - self._smooth_penalty_value(coefs)
        )

    def _smooth_penalty_value(self, coefs):
        return 0.0 if self._prox_l2 else self.penalty.smooth_value(coefs)

    def value_smooth(self, theta):
        """Smooth part of J on all the data (float), without its gradient."""
        value = self._data_value(theta)
        if self.alpha != 0:
            coefs = self.layout.weights(theta)
            value += self.alpha * float(self._smooth_penalty_value(coefs))
        return value

    def value_and_grad_smooth(self, theta, indices=None):
        """Smooth part of J and its gradient, on a batch or all data."""
        return self._value_and_grad(theta, indices, smooth=True)

    def value_and_grad_composite(self, theta, indices=None):
        """(J, gradient of the smooth part): what proximal solvers report and use."""
        f, g = self.value_and_grad_smooth(theta, indices)
        return f + self.nonsmooth_value(theta), g

    @property
    def has_prox(self):
        """Whether the penalty has a non-smooth part that needs a proximal step."""
        return self.alpha > 0 and (self.penalty.l1_coef != 0.0 or self._prox_l2 != 0.0)

    def prox(self, theta, step):
        """Proximal step of ``alpha * P_nonsmooth`` on the weights of ``theta``.

        ``step`` is a scalar or an array shaped like ``theta`` (per-coordinate).
        Biases pass through unchanged. With ``quadratic_prox`` the quadratic
        part follows: the proximal step of ``c |w| + q w**2`` is
        soft-thresholding at ``t c`` followed by a shrink by ``1 + 2 t q``.
        """
        out = np.array(theta, copy=True)
        coefs = self.layout.weights(out)
        if np.ndim(step) == 0:
            steps = [step] * len(coefs)
            scaled = self.alpha * step
        else:
            steps = self.layout.weights(np.asarray(step))
            scaled = [self.alpha * s for s in steps]
        for W, W_new, t in zip(coefs, self.penalty.prox(coefs, scaled), steps):
            if self._prox_l2:
                W_new = W_new / (1.0 + 2.0 * self._prox_l2 * t)
            W[...] = W_new
        return out

    def refit_output_intercepts(self, theta, tol):
        """``theta`` with the output biases at their optimum given the rest.

        The output biases are never penalised and enter the loss only through
        ``raw = Z + b`` (``Z`` the network output without them), so for fixed
        other parameters ``J`` is a small convex problem in ``b`` (one
        variable per output, for the built-in losses). L-BFGS-B can stop on
        its relative-reduction test before getting there when the penalty's
        curvature dwarfs the data's (a large ``alpha``: the best constant
        model is then out of reach of its steps); this block step finishes
        the job. It is a no-op (``theta`` itself is returned) when the
        gradient in ``b`` is within ``tol`` already, as after any fit that
        met its tolerance, and the result is kept only if ``J`` decreased.
        """
        bias = self.layout.bias_slices[-1]
        raw = self.network.predict(theta, self.X)
        if not np.all(np.isfinite(raw)):
            return theta
        y, sw = self.y, self.sample_weight
        _, g_raw = self._loss_vg(y, raw, sw)
        if not np.max(np.abs(np.sum(g_raw, axis=0))) > tol:
            return theta
        b0 = np.asarray(theta[bias], dtype=np.float64)
        base = raw - theta[bias]

        def loss_in_b(b):
            value, g = self._loss_vg(y, base + b.astype(raw.dtype), sw)
            return float(value), np.sum(g, axis=0, dtype=np.float64)

        found = scipy.optimize.minimize(
            loss_in_b, b0, jac=True, method="L-BFGS-B", options={"gtol": tol * 1e-3}
        )
        if not (np.all(np.isfinite(found.x)) and found.fun < loss_in_b(b0)[0]):
            return theta
        out = np.array(theta, copy=True)
        out[bias] = found.x
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
        # U, V >= 0; biases are free.
        lower = np.concatenate(
            [np.where(mask, 0.0, -np.inf), np.zeros(int(mask.sum()))]
        )
        bounds = scipy.optimize.Bounds(lower, np.inf)
        return split_value_and_grad, z0, bounds, to_theta
