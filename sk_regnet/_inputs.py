"""The inputs of a fit: data validation, layer sizes, callables and groups.

``InputsMixin`` checks what a fit is given (the data, ``hidden_layer_sizes``,
a callable ``loss`` or ``penalty``), resolves the groups of the penalty and
builds the penalty object, with the adaptive group lasso's first stage.
"""

from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.utils.validation import _check_sample_weight, validate_data

from ._callables import check_differentiable
from ._grid import grid_top, null_gradient_level, output_residual
from ._groups import resolve_groups
from ._network import forward
from ._penalties import check_group_weights, get_penalty

#: First-stage alpha of the adaptive group lasso, as a share of the grid's top.
ADAPTIVE_ALPHA = 1e-2

#: Least first-stage alpha of the adaptive group lasso, per loss, as a share
#: of the noise level of the loss's gradient (``_grid.null_gradient_level``).
#: Measured (benchmarks/study_classifier.py): with the log-loss, 1% of the
#: grid's top left the first stage overfitting where the inputs act through
#: interactions (an XOR has no linear signal, so the top is the noise level
#: itself), and its weights told informative inputs from noise by a factor of
#: only 10-30: exactly the informative inputs in 7 of 9 variants (5 XOR, 4
#: multiclass), 0 of 5 XOR with the folds' warm steps run to tol; a floor of
#: 0.25 times the noise level gave 9 of 9 (2 of 5 run to tol; 0.1 gave 5 of 9).
#: The squared error keeps no floor: 0.25 cost Friedman #1 its feature x2 (a
#: pure quadratic, with no linear signal either) in 6 of 10 variants, where
#: 1% of the top keeps 0-4 in 10 of 10 (the log-loss's curvature, p (1 - p)
#: <= 1/4 against 2, lets the same alpha shrink less).
ADAPTIVE_NOISE_FLOOR = {"log_loss": 0.25}


class InputsMixin:
    """Validation and group handling of :class:`~sk_regnet._base.BaseRegularizedMLP`.

    Needs from the estimator: its parameters, ``_get_loss()`` and ``_fit``
    (the adaptive first stage is a fit of a clone).
    """

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if np.iterable(sizes) else [sizes]
        for s in sizes:
            if (
                isinstance(s, (bool, np.bool_))
                or not isinstance(s, (Integral, np.integer))
                or s < 1
            ):
                raise ValueError(
                    "hidden_layer_sizes must contain positive integers, got "
                    f"{self.hidden_layer_sizes!r}."
                )
        return [int(s) for s in sizes]

    def _validate_training_data(self, X, y, sample_weight, reset):
        X, y = validate_data(
            self,
            X,
            y,
            reset=reset,
            multi_output=True,
            y_numeric=True,
            dtype=(np.float64, np.float32),
            accept_sparse=("csr", "csc"),
        )
        # The network computes in X's dtype; a finite float64 y can overflow
        # float32 (checked here, not reported later as a diverged fit).
        with np.errstate(over="ignore"):
            y_cast = np.asarray(y, dtype=X.dtype)
        if y_cast is not y and not np.all(np.isfinite(y_cast)):
            raise ValueError(
                f"y has values beyond the range of {X.dtype} (X's dtype, in "
                "which the network computes); rescale y or pass X as float64."
            )
        return X, y_cast, self._validate_sample_weight(sample_weight, X)

    def _validate_sample_weight(self, sample_weight, X, factor=None):
        """Checked weights (times ``factor``, per sample), divided by the largest.

        None when both are None.
        """
        if sample_weight is None and factor is None:
            return None
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
        if factor is not None:
            sample_weight = sample_weight * factor
        if not np.any(sample_weight > 0):
            raise ValueError("sample_weight must contain a positive weight.")
        # The loss is a weighted mean, unchanged by rescaling the weights;
        # dividing by the largest keeps their sum finite for any valid input
        # (e.g. weights near 1e307), in float32 too. A new array: the
        # caller's is never modified.
        return (sample_weight / sample_weight.max()).astype(X.dtype, copy=False)

    def _check_callables(self, layout, X, y, sample_weight, theta):
        """Probe a callable ``loss`` or ``penalty`` on a few rows before training."""
        loss = getattr(self, "loss", None)  # the classifier has no loss parameter
        if callable(loss):
            # Rows with positive weight, so a weighted mean is well defined.
            rows = (
                np.arange(min(10, X.shape[0]))
                if sample_weight is None
                else np.flatnonzero(sample_weight > 0)[:10]
            )
            y_probe = y[rows]
            sw_probe = None if sample_weight is None else sample_weight[rows]
            raw = forward(layout.unpack(theta), X[rows], self.activation)
            check_differentiable(
                lambda y_pred: loss(y_probe, y_pred, sw_probe),
                raw,
                "loss",
                "loss(y_true, y_pred, sample_weight)",
            )
        if callable(self.penalty):
            check_differentiable(
                lambda theta: self.penalty(layout.weights(theta)),
                theta.copy(),  # views of it reach the user's callable
                "penalty",
                "penalty(coefs)",
            )

    def _adaptive(self):
        return isinstance(self.group_weights, str)  # 'adaptive'

    def _resolve_groups(self, n_features):
        """Group of each input (``-1``: none) and the number of groups.

        Names in ``groups`` are resolved against ``feature_names_in_`` (set by
        the validation of this fit's ``X``), at every fit.
        """
        names = getattr(self, "feature_names_in_", None)
        return resolve_groups(self.groups, n_features, names)

    def _make_penalty(self, n_features, group_weights=None):
        """The penalty object for ``n_features`` inputs (used by the path too).

        ``group_weights``: adaptive weights to use before ``fit`` has set
        ``group_weights_`` (the alpha grid); ignored otherwise.
        """
        group_ids, n_groups = self._resolve_groups(n_features)
        if not self._adaptive():
            group_weights = check_group_weights(self.group_weights, n_groups)
        elif hasattr(self, "group_weights_"):
            group_weights = self.group_weights_
        return get_penalty(
            self.penalty,
            self.l1_ratio,
            group_ids=group_ids,
            deep_l2=self.deep_l2,
            group_weights=group_weights,
        )

    def _first_stage_state(self):
        """What the first stage's clone needs of this fit's state.

        The feature names, to resolve groups by name (the classifier adds
        its labels).
        """
        if hasattr(self, "feature_names_in_"):
            return {"feature_names_in_": self.feature_names_in_}
        return {}

    def _adaptive_first_stage(self, X, y, sample_weight):
        """Weights of the adaptive group lasso, and the first-stage fit.

        The first stage is this estimator with unit weights at
        ``alpha = ADAPTIVE_ALPHA * top``, ``top`` the top of the automatic
        alpha grid for these data (where the plain group lasso drops every
        input): a light penalty, whatever the scale of the data; with the
        log-loss, at least ``ADAPTIVE_NOISE_FLOOR`` times the level the
        loss's gradient reaches on inputs unrelated to the target (see
        ``_grid.null_gradient_level``), so that it does not fit noise. With
        ``n_g`` the norm of group ``g``'s rows of its ``coefs_[0]``, clipped
        below at ``1e-3`` times the largest, the weights are ``1 / n_g**2``:
        groups the first stage barely used are penalised much more (all 1
        when it kept no input). ``X, y, sample_weight`` as validated.
        Returns ``(weights, first_stage)``; the second stage starts from the
        first stage's network.
        """
        first = clone(self).set_params(
            group_weights=None, warm_start=False, verbose=False
        )
        vars(first).update(self._first_stage_state())
        loss = self._get_loss()
        r = output_residual(loss, y, sample_weight)
        top = grid_top(first._make_penalty(X.shape[1]), np.asarray(X.T @ r))
        ids, n_groups = self._resolve_groups(X.shape[1])
        alpha = ADAPTIVE_ALPHA * top if top and np.isfinite(top) else 0.0
        floor = ADAPTIVE_NOISE_FLOOR.get(getattr(loss, "name", None), 0.0)
        if floor and np.any(ids >= 0):
            level = null_gradient_level(X, r, ids, n_groups)
            alpha = max(alpha, floor * level) if np.isfinite(level) else alpha
        first.alpha = alpha
        first._convergence_sink = []  # a first stage need not converge fully
        first._fit(X, y, sample_weight, incremental=False, validated=True)
        keep = ids >= 0
        norms = np.sqrt(
            np.bincount(
                ids[keep],
                weights=np.sum(first.coefs_[0][keep] ** 2, axis=1),
                minlength=n_groups,
            )
        )
        if not norms.max() > 0:
            return np.ones(n_groups), first
        return 1.0 / np.maximum(norms, 1e-3 * norms.max()) ** 2, first
