"""BaseRegularizedMLP: what the regressor and the classifier share.

Parameters and their constraints, ``fit`` and ``partial_fit`` (``_fit``,
the body of every fit: first pass or warm start, the start point, the
groups' input moments), persistence and the feature-selection attributes.
The checks of the inputs and the penalty are ``_inputs``'s, the training
routine ``_training``'s; the loss, the targets and the predictions are the
subclasses'.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from . import _stochastic
from ._groups import group_importances, input_moments, merge_moments
from ._inputs import InputsMixin
from ._network import ACTIVATIONS, WEIGHT_INITS, ParameterLayout, initialize
from ._penalties import PENALTY_NAMES, check_group_weights
from ._threads import limit_blas_threads
from ._training import (
    SOLVERS,
    STOCHASTIC_SOLVERS,
    TrainingMixin,
    _restored_on_error,
)

# What validate_data records about the training data; a failed fit restores it.
_DATA_ATTRIBUTES = ("n_features_in_", "feature_names_in_")


class BaseRegularizedMLP(InputsMixin, TrainingMixin, BaseEstimator):
    """Base class of the regularized MLP estimators; not for direct use.

    A subclass adds its loss parameters to ``_parameter_constraints`` and
    ``__init__``, and defines ``_get_loss()`` (the data-fit loss object),
    ``_predict_with(params, X)``, ``_validation_score(params, X, y,
    sample_weight)`` (what early stopping maximises) and, for targets its
    loss refuses, ``_check_targets(y)``.
    """

    _parameter_constraints = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "penalty": [StrOptions(set(PENALTY_NAMES)), callable, None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "groups": ["array-like", None],
        "group_weights": ["array-like", StrOptions({"adaptive"}), None],
        "deep_l2": [Interval(Real, 0, None, closed="left")],
        "solver": [StrOptions({"auto", *SOLVERS})],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        # np.inf: no patience limit, train to max_iter (as MLPRegressor).
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "weight_init": [StrOptions(set(WEIGHT_INITS))],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        penalty="l2",
        alpha=1e-4,
        l1_ratio=0.5,
        groups=None,
        group_weights=None,
        deep_l2=1.0,
        solver="auto",
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=1e-3,
        power_t=0.5,
        max_iter=200,
        tol=1e-4,
        n_iter_no_change=10,
        early_stopping=False,
        validation_fraction=0.1,
        momentum=0.9,
        nesterovs_momentum=True,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        max_fun=15000,
        weight_init="glorot_uniform",
        shuffle=True,
        random_state=None,
        warm_start=False,
        verbose=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.groups = groups
        self.group_weights = group_weights
        self.deep_l2 = deep_l2
        self.solver = solver
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.max_fun = max_fun
        self.weight_init = weight_init
        self.shuffle = shuffle
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose

    # ------------------------------------------------------------------ fit
    @limit_blas_threads
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to ``X`` and ``y``.

        With ``warm_start=True`` and an already fitted model, training
        continues from the current ``coefs_`` and ``intercepts_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs; scipy.sparse CSR/CSC matrices are used as they
            are, never densified.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; integer weights act as repeated rows.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def _check_partial_fit(self):
        if self._solver() not in STOCHASTIC_SOLVERS:
            raise AttributeError(
                "partial_fit is only available for the stochastic solvers "
                f"{STOCHASTIC_SOLVERS}; solver={self.solver!r} is not stochastic."
            )
        return True

    def _refuse_early_stopping(self):
        """``partial_fit`` with ``early_stopping=True``: MLPRegressor's ValueError.

        Raised at the call, not by hiding the method: ``early_stopping`` can
        be switched on after a fit, and the method stays where it was.
        """
        if self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True: one pass "
                "over a block has no held-out data to stop on; hold out "
                "validation data yourself and score it between calls."
            )

    @available_if(_check_partial_fit)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with one pass (epoch) over ``X`` and ``y``.

        Only for the stochastic solvers ``'adam'`` and ``'sgd'``: the optimizer
        state (moments, velocity, learning-rate schedule, stopping counters) is
        kept from one call to the next, so that blocks of a data set too large
        for memory can be streamed through the model. The first call
        initialises the network; later calls need the same number of features
        and outputs. Not available with the full-batch solvers (an
        ``AttributeError`` says why); with ``early_stopping=True`` it raises a
        ``ValueError``, as MLPRegressor's.
        Parameters are validated at every call; ``alpha``, ``penalty`` and the
        loss take effect at the next call, while the optimizer's settings
        (``learning_rate_init``, ``momentum``, the betas, ``epsilon``) and the
        stopping rule stay those of the call that built the optimizer, as in
        MLPRegressor (a change of solver or a divergence builds a new one).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights.

        Returns
        -------
        self : object
            The updated estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from sk_regnet import RegularizedMLPRegressor
        >>> rng = np.random.RandomState(0)
        >>> X = rng.uniform(-1, 1, size=(300, 2))
        >>> y = X[:, 0] - X[:, 1]
        >>> model = RegularizedMLPRegressor((8,), solver="adam", random_state=0)
        >>> for X_block, y_block in zip(np.split(X, 3), np.split(y, 3)):
        ...     model = model.partial_fit(X_block, y_block)
        >>> model.t_, model.n_iter_, len(model.loss_curve_)
        (300, 1, 3)
        """
        return self._partial_fit(X, y, sample_weight)

    # Not named partial_fit: _fit_context then validates the parameters on
    # every call (they may change between calls through set_params), not only
    # on the first one.
    @limit_blas_threads
    @_fit_context(prefer_skip_nested_validation=True)
    def _partial_fit(self, X, y, sample_weight):
        self._refuse_early_stopping()
        return self._fit(X, y, sample_weight, incremental=True)

    def _fit(self, X, y, sample_weight, incremental, validated=False):
        """Fit (or update, ``incremental``) the network: the body of every fit.

        ``validated=True``: ``X, y, sample_weight`` are the output of this
        estimator's ``_validate_training_data``, on the data of its last fit
        when it is fitted already, so they are not checked again and their
        input moments are kept (a regularization path refits one estimator
        on the same data at every alpha).
        """
        hidden = self._hidden_sizes()
        if self.penalty == "group_lasso" and self._solver() == "lbfgs":
            raise ValueError(
                "solver='lbfgs' cannot handle penalty='group_lasso' exactly; use "
                "solver='auto' or 'fista' (or 'adam', 'sgd')."
            )
        first_pass = not hasattr(self, "coefs_") or (
            not self.warm_start and not incremental
        )
        # Validation sets n_features_in_ and feature_names_in_ before the
        # checks and the training below: a fit that fails leaves them as they
        # were, matching coefs_ (the other fitted attributes are set after).
        with _restored_on_error(self, _DATA_ATTRIBUTES):
            if not validated:
                X, y, sample_weight = self._validate_training_data(
                    X, y, sample_weight, reset=first_pass
                )
            y_2d = y.reshape(-1, 1) if y.ndim == 1 else y
            self._check_targets(y_2d)
            if not first_pass and y_2d.shape[1] != getattr(
                self, "n_outputs_", y_2d.shape[1]
            ):
                raise ValueError(
                    f"y has {y_2d.shape[1]} outputs; the fitted model has "
                    f"{self.n_outputs_}."
                )

            layout = ParameterLayout([X.shape[1], *hidden, y_2d.shape[1]])
            # A fresh generator from random_state on every call, as MLPRegressor;
            # only when something draws from it: seeding one costs ~0.2 ms, a
            # third of a warm-started full-batch fit on small data (path steps).
            needs_rng = first_pass or self._solver() in STOCHASTIC_SOLVERS
            rng = check_random_state(self.random_state) if needs_rng else None
            group_ids, n_groups = self._resolve_groups(X.shape[1])
            if self._adaptive():
                if self.penalty != "group_lasso":
                    raise ValueError(
                        "group_weights='adaptive' needs penalty='group_lasso', "
                        f"got penalty={self.penalty!r}."
                    )
                if first_pass:
                    # Computed already on these data by the alpha grid.
                    stage = vars(self).pop("_first_stage", None)
                    if stage is None:
                        stage = self._adaptive_first_stage(X, y, sample_weight)
                    self.group_weights_, first_stage = stage
            else:
                check_group_weights(self.group_weights, n_groups)
            if first_pass and self._adaptive():
                # The second stage continues from the first stage's network.
                theta0 = layout.pack(
                    first_stage.coefs_, first_stage.intercepts_, dtype=X.dtype
                )
            elif first_pass:
                theta0 = initialize(
                    layout, self.weight_init, self.activation, rng, X.dtype
                )
            else:
                if [W.shape for W in self.coefs_] != layout.weight_shapes:
                    raise ValueError(
                        "hidden_layer_sizes changed since the last fit; warm_start and "
                        "partial_fit need the same architecture."
                    )
                theta0 = layout.pack(self.coefs_, self.intercepts_, dtype=X.dtype)
            self._check_callables(layout, X, y_2d, sample_weight, theta0)

            self._random_state = rng
            # The inputs' moments behind group_importances_, accumulated over
            # partial_fit's batches.
            previous = getattr(self, "_input_moments", None)
            same_groups = previous is not None and np.array_equal(
                getattr(self, "_group_ids", None), group_ids
            )
            if validated and not first_pass and not incremental and same_groups:
                # A path step refits the data of the last fit: its moments
                # stand (a pass over X, a fifth of a one-iteration step).
                moments = previous
            else:
                with np.errstate(over="ignore", invalid="ignore"):
                    # Inputs near finfo.max overflow their moments; the fit
                    # then says what is wrong with them
                    # (_refuse_untrainable_inputs).
                    moments = input_moments(X, group_ids, n_groups, sample_weight)
                if incremental and not first_pass and same_groups:
                    moments = merge_moments(previous, moments, group_ids)
            self._group_ids, self._n_groups = group_ids, n_groups
            self._input_moments = moments
            if first_pass or self._solver() not in STOCHASTIC_SOLVERS:
                self._stochastic_progress = None
            elif not hasattr(self, "_stochastic_progress"):
                # coefs_ and intercepts_ set by hand: training starts from
                # them with a fresh optimizer, as MLPRegressor's.
                self._stochastic_progress = None
            resume = not first_pass and self._stochastic_progress is not None
            previous_curve = self.loss_curve_ if resume else []
            result, objective = self._train(
                layout,
                X,
                y_2d,
                sample_weight,
                theta0,
                incremental=incremental,
                resume=resume,
            )
            if first_pass and result.diverged:
                self._refuse_untrainable_inputs(objective, theta0)

        # (Checked with hasattr too: a model whose coefs_ and intercepts_ were
        # set by hand has no record of its targets yet.)
        if first_pass or not incremental or not hasattr(self, "_y_ndim"):
            # Predictions take the shape of the y of the last fit (a warm
            # start with y of shape (n, 1) after a 1-D y predicts (n, 1)).
            self._y_ndim = y.ndim
        if first_pass or not hasattr(self, "t_"):
            self.n_outputs_ = y_2d.shape[1]
            self.t_ = 0
        self._set_fitted(layout, objective, result, previous_curve, incremental)
        return self

    def _objective_at_fit(self, X, y, sample_weight=None):
        """``J`` at the fitted parameters on the training data (float).

        What a regularization path records at each step; ``X, y,
        sample_weight`` are the training data as ``_validate_training_data``
        returned them. For the full-batch solvers this is ``loss_``; for the
        stochastic solvers ``loss_`` is an average over the last epoch's
        minibatches, so ``J`` is computed here, in one pass over the data.
        """
        if self._solver() not in STOCHASTIC_SOLVERS:
            return float(self.loss_)
        y_2d = y.reshape(-1, 1) if y.ndim == 1 else y
        layout = ParameterLayout([X.shape[1], *self._hidden_sizes(), y_2d.shape[1]])
        theta = layout.pack(self.coefs_, self.intercepts_, dtype=X.dtype)
        objective = self._make_objective(layout, X, y_2d, sample_weight)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return float(objective.value(theta))

    # ------------------------------------------------------------ persistence
    # Reliability (issue 8): pickle, joblib and skops.io all go through these.
    # The stochastic solvers' state (`_stochastic_progress`) is saved as plain
    # data (dicts, numbers, arrays), never as solver objects, so that
    # `skops.io.get_untrusted_types` reports only RegularizedMLPRegressor.
    def __getstate__(self):
        state = dict(super().__getstate__())
        progress = state.get("_stochastic_progress")
        if isinstance(progress, _stochastic.StochasticProgress):
            state["_stochastic_progress"] = progress.state_dict()
        return state

    def __setstate__(self, state):
        progress = state.get("_stochastic_progress")
        if isinstance(progress, dict):
            progress = _stochastic.StochasticProgress.from_state_dict(progress)
            state = {**state, "_stochastic_progress": progress}
        super().__setstate__(state)

    def __sklearn_is_fitted__(self):
        # Fitted once there are weights; a fit that failed after validating X
        # (e.g. on a bad callable) leaves n_features_in_ but no model.
        return hasattr(self, "coefs_")

    # ----------------------------------------------------- feature selection
    @property
    def feature_importances_(self):
        """Normalised row norms of ``coefs_[0]``; see the class Attributes."""
        check_is_fitted(self)
        norms = np.linalg.norm(self.coefs_[0], axis=1)
        total = norms.sum()
        return norms / total if total > 0 else norms

    @property
    def n_features_selected_(self):
        """Input features with a non-zero row in ``coefs_[0]``."""
        check_is_fitted(self)
        return int(np.count_nonzero(np.any(self.coefs_[0] != 0, axis=1)))

    @property
    def selected_feature_names_(self):
        """Names of the selected features (fitted on a DataFrame only)."""
        check_is_fitted(self)
        if not hasattr(self, "feature_names_in_"):
            raise AttributeError(
                "selected_feature_names_ needs feature names: fit on a DataFrame "
                "with string column names."
            )
        return self.feature_names_in_[np.any(self.coefs_[0] != 0, axis=1)]

    @property
    def group_support_(self):
        """Whether each group (each feature when ``groups`` is None) was kept."""
        check_is_fitted(self)
        row_kept = np.any(self.coefs_[0] != 0, axis=1)
        ids = self._group_ids
        support = np.zeros(self._n_groups, dtype=bool)
        np.logical_or.at(support, ids[ids >= 0], row_kept[ids >= 0])
        return support

    @property
    def group_importances_(self):
        """Normalised norms of the groups' rows of ``coefs_[0]``; see Attributes."""
        check_is_fitted(self)
        moments = getattr(self, "_input_moments", None)
        return group_importances(
            self.coefs_[0], self._group_ids, self._n_groups, moments
        )

    def _check_targets(self, y):
        """Refuse targets (2-D) the loss cannot take; nothing by default."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
