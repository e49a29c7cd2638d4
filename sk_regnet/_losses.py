"""Data-fit losses: autograd functions of (y, raw network output, sample weight).

Each loss is a weighted mean over samples of a per-sample loss averaged over
outputs::

    L = sum_i s_i * mean_o l(y_io, f_io) / sum_i s_i

With ``sample_weight=None`` this is a plain mean over samples and outputs.

Optional, for speed: a loss object may offer ``value_and_grad(y, raw,
sample_weight) -> (value, d value / d raw)`` in closed form; the objective
then skips autograd for it (it is tested against autograd). A loss with
``sample_mean = True`` is such a weighted mean over samples, so the objective
may evaluate it on chunks of rows and combine them.

``saturated_value(y, sample_weight)``: the loss of a prediction equal to every
target, the floor from which the alpha grid measures the best constant's loss
(its deviance).
"""

import autograd.numpy as anp
import numpy as np
from autograd.scipy.special import logsumexp
from scipy.special import expit, xlogy
from scipy.special import softmax as np_softmax


def numpy_for(array):
    """NumPy for a plain array, autograd's wrappers for one autograd traces.

    The same calls either way, so the same values. The wrappers cost more
    than the sums on small data, and the solvers' line searches evaluate
    losses and penalties without their gradients (``_penalties`` uses it
    too).
    """
    return np if type(array) is np.ndarray else anp


def _weighted_mean(per_entry, sample_weight):
    xp = numpy_for(per_entry)
    if sample_weight is None:
        return xp.mean(per_entry)
    total = np.sum(sample_weight)
    if total == 0:  # a minibatch of zero-weight rows weighs nothing
        return 0.0 * xp.sum(per_entry)
    per_sample = xp.mean(per_entry, axis=1)
    return xp.sum(sample_weight * per_sample) / total


def _weighted_mean_and_scale(per_entry, sample_weight):
    """:func:`_weighted_mean` in plain NumPy, and its derivative in each entry."""
    if sample_weight is None:
        size = per_entry.size
        return np.add.reduce(per_entry, axis=None) / size, 1.0 / size
    total = np.sum(sample_weight)
    if total == 0:
        return per_entry.dtype.type(0), np.zeros_like(per_entry)
    value = np.sum(sample_weight * np.mean(per_entry, axis=1)) / total
    return value, sample_weight[:, None] * (1.0 / (per_entry.shape[1] * total))


class SquaredError:
    """Mean squared error; identity link."""

    name = "squared_error"
    sample_mean = True

    def value(self, y, raw, sample_weight=None):
        return _weighted_mean((y - raw) ** 2, sample_weight)

    def value_and_grad(self, y, raw, sample_weight=None):
        """The value and its gradient in ``raw`` (closed form, plain NumPy)."""
        residual = raw - y
        value, scale = _weighted_mean_and_scale(residual * residual, sample_weight)
        residual *= 2 * scale
        return value, residual

    def saturated_value(self, y, sample_weight=None):
        """The loss of predicting every target exactly: its least value on ``y``."""
        return 0.0

    def inverse_link(self, raw):
        return raw


def _guarded_exp(raw):
    """``exp(raw)``, continued linearly beyond ``T``.

    Equal to ``exp(raw)`` (bit for bit) up to ``T = min(100, log(finfo.max) / 2)``
    (100 in float64, about 44.4 in float32) and ``exp(T) * (1 + raw - T)``
    beyond: increasing, convex and continuously differentiable, so the Poisson
    loss, its gradient (and the solvers' products of gradients) and the
    predictions stay finite where ``exp`` would overflow, for example with
    badly scaled features at initialisation. Works on plain arrays and on
    autograd boxes.
    """
    capped = anp.minimum(raw, _exp_threshold(raw.dtype))
    return anp.exp(capped) * (1.0 + (raw - capped))


def _exp_threshold(dtype):
    """Where :func:`_guarded_exp` turns linear, for arrays of ``dtype``."""
    finfo = np.finfo(np.result_type(dtype, np.float32))
    return min(100.0, 0.5 * float(np.log(finfo.max)))


class Poisson:
    """Half Poisson deviance with a log link: predictions are ``exp(raw)``.

    Up to a term that depends on ``y`` only, the per-entry loss is
    ``exp(raw) - y * raw``; it requires ``y >= 0``. For overflow safety ``exp``
    continues linearly beyond ``raw = 100`` (float64; about 44.4 in float32),
    predictions far beyond any count data (see ``_guarded_exp``).
    """

    name = "poisson"
    sample_mean = True

    def value(self, y, raw, sample_weight=None):
        return _weighted_mean(_guarded_exp(raw) - y * raw, sample_weight)

    def value_and_grad(self, y, raw, sample_weight=None):
        """The value and its gradient in ``raw`` (closed form, plain NumPy)."""
        capped = np.minimum(raw, _exp_threshold(raw.dtype))
        exp_capped = np.exp(capped)
        # d guarded_exp / d raw = exp(min(raw, T)): exp below T, its slope beyond.
        per_entry = exp_capped * (1.0 + (raw - capped)) - y * raw
        value, scale = _weighted_mean_and_scale(per_entry, sample_weight)
        grad = exp_capped - y
        grad *= scale
        return value, grad

    def saturated_value(self, y, sample_weight=None):
        """The loss of predicting every target exactly: its least value on ``y``.

        ``exp(raw) - y * raw`` is least at ``raw = log(y)``, where it is
        ``y - y log y`` (0 for ``y = 0``, the limit as ``raw -> -inf``).
        Negative for large counts: the loss leaves out this y-only term.
        """
        return float(_weighted_mean(y - xlogy(y, y), sample_weight))

    def inverse_link(self, raw):
        return _guarded_exp(np.asarray(raw))


class Huber:
    """Huber loss: squared for residuals up to ``delta``, linear beyond."""

    name = "huber"
    sample_mean = True

    def __init__(self, delta=1.0):
        self.delta = delta

    def value_and_grad(self, y, raw, sample_weight=None):
        """The value and its gradient in ``raw`` (closed form, plain NumPy)."""
        residual = raw - y
        abs_r = np.abs(residual)
        quadratic = np.minimum(abs_r, self.delta)
        per_entry = 0.5 * quadratic**2 + self.delta * (abs_r - quadratic)
        value, scale = _weighted_mean_and_scale(per_entry, sample_weight)
        # d/draw = sign(raw - y) * min(|raw - y|, delta).
        grad = np.clip(residual, -self.delta, self.delta)
        grad *= scale
        return value, grad

    def saturated_value(self, y, sample_weight=None):
        """The loss of predicting every target exactly: its least value on ``y``."""
        return 0.0

    def value(self, y, raw, sample_weight=None):
        abs_r = anp.abs(y - raw)
        quadratic = anp.minimum(abs_r, self.delta)
        # 0.5 q² + δ (|r| - q): smooth at |r| = δ, and linear growth beyond it.
        per_entry = 0.5 * quadratic**2 + self.delta * (abs_r - quadratic)
        return _weighted_mean(per_entry, sample_weight)

    def inverse_link(self, raw):
        return raw


class CallableLoss:
    """A user loss ``loss(y_true, y_pred, sample_weight) -> scalar``; identity link."""

    name = "callable"

    def __init__(self, func):
        self.func = func

    def value(self, y, raw, sample_weight=None):
        return self.func(y, raw, sample_weight)

    def saturated_value(self, y, sample_weight=None):
        """The loss of predicting every target exactly (identity link)."""
        return float(self.func(y, y, sample_weight))

    def inverse_link(self, raw):
        return raw


class LogisticLoss:
    """Binary cross-entropy of ``sigmoid(raw)`` for each output (0/1 targets).

    The classifier's loss for binary and multilabel targets: the per-entry
    loss is ``log(1 + exp(raw)) - y * raw``, averaged over outputs (labels)
    and then over samples, as every loss here.
    """

    name = "log_loss"
    sample_mean = True

    def value(self, y, raw, sample_weight=None):
        return _weighted_mean(anp.logaddexp(0.0, raw) - y * raw, sample_weight)

    def value_and_grad(self, y, raw, sample_weight=None):
        """The value and its gradient in ``raw`` (closed form, plain NumPy).

        Both from one exponential that never overflows, ``e = exp(-|raw|)``:
        ``log(1 + exp(raw)) = max(raw, 0) + log1p(e)`` (``np.logaddexp``'s
        formula) and ``sigmoid(raw) = 1 / (1 + e)`` for ``raw >= 0``,
        ``e / (1 + e)`` below. ``np.logaddexp`` and ``expit`` took several
        times as long.
        """
        e = np.abs(raw)
        np.negative(e, out=e)
        np.exp(e, out=e)
        per_entry = np.maximum(raw, 0)
        per_entry += np.log1p(e)
        per_entry -= y * raw
        value, scale = _weighted_mean_and_scale(per_entry, sample_weight)
        grad = np.where(raw >= 0, 1, e)
        e += 1
        grad /= e
        grad -= y
        grad *= scale
        return value, grad

    def saturated_value(self, y, sample_weight=None):
        """The loss of predicting every label with certainty: 0."""
        return 0.0

    def inverse_link(self, raw):
        return expit(np.asarray(raw))


def _row_max(a):
    """The maximum of each row of a 2-D array.

    A loop over the columns for a few of them: ``np.max(a, axis=1)`` along
    rows of 4 took over ten times as long on 10000 rows.
    """
    if a.shape[1] > 8:
        return np.max(a, axis=1)
    top = a[:, 0].copy()
    for j in range(1, a.shape[1]):
        np.maximum(top, a[:, j], out=top)
    return top


class SoftmaxLoss:
    """Cross-entropy of ``softmax(raw)`` against one-hot targets (multiclass).

    The per-sample loss is ``logsumexp(raw) - sum_k y_k raw_k``, summed over
    the classes (one distribution per sample), then averaged over samples.
    """

    name = "log_loss"
    sample_mean = True

    def value(self, y, raw, sample_weight=None):
        per_sample = logsumexp(raw, axis=1, keepdims=True) - anp.sum(
            y * raw, axis=1, keepdims=True
        )
        return _weighted_mean(per_sample, sample_weight)

    def value_and_grad(self, y, raw, sample_weight=None):
        """The value and its gradient in ``raw`` (closed form, plain NumPy).

        With ``z = raw - max_k raw_k`` (so ``exp(z) <= 1``) the per-sample loss
        is ``log(sum_k exp(z_k)) - sum_k y_k z_k`` (plus ``max_k raw_k``
        times ``1 - sum_k y_k``, zero for one-hot rows) and the gradient
        ``exp(z) / sum_k exp(z_k) - y``. Sums over the few classes are
        matrix-vector products and the row maximum a loop over the columns:
        NumPy's reductions along short rows, in scipy's ``logsumexp`` and
        ``softmax``, took several times as long.
        """
        top = _row_max(raw)
        z = raw - top[:, None]
        ones = np.ones(raw.shape[1], dtype=z.dtype)
        per_sample = -((y * z) @ ones)
        per_sample += top * (1 - y @ ones)
        # sum_k exp(z_k) = 1 + rest: rest summed apart (the entries below the
        # maximum, and 1 for each further tie), so that log1p(rest) keeps its
        # digits for a confident prediction, as scipy's logsumexp does.
        at_top = z == 0
        rest = at_top @ ones
        rest -= 1
        np.exp(z, out=z)
        rest += np.where(at_top, 0, z) @ ones
        per_sample += np.log1p(rest)
        value, scale = _weighted_mean_and_scale(per_sample[:, None], sample_weight)
        rest += 1
        z /= rest[:, None]
        z -= y
        z *= scale
        return value, z

    def saturated_value(self, y, sample_weight=None):
        """The loss of predicting every label with certainty: 0."""
        return 0.0

    def inverse_link(self, raw):
        return np_softmax(np.asarray(raw), axis=1)


def get_classification_loss(y_type):
    """The classifier's log-loss for ``type_of_target``'s ``y_type``.

    Softmax for ``'multiclass'``; logistic per output for ``'binary'`` (one
    output) and ``'multilabel-indicator'`` (one output per label).
    """
    return SoftmaxLoss() if y_type == "multiclass" else LogisticLoss()


LOSS_NAMES = ("squared_error", "poisson", "huber")


def get_loss(loss, huber_delta=1.0):
    """Map the ``loss`` hyperparameter to a loss object."""
    if callable(loss):
        return CallableLoss(loss)
    if loss == "squared_error":
        return SquaredError()
    if loss == "poisson":
        return Poisson()
    if loss == "huber":
        return Huber(huber_delta)
    raise ValueError(
        f"Unknown loss {loss!r}; expected one of {LOSS_NAMES} or a callable."
    )
