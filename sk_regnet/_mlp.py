"""RegularizedMLPRegressor: the scikit-learn estimator around the objective."""

import contextlib
import functools
import os
import sys
import warnings
from numbers import Integral, Real

import joblib
import numpy as np
import sklearn
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from . import _solvers
from ._callables import check_differentiable
from ._grid import grid_top, loss_gradient_at_zero
from ._groups import (
    group_importances,
    input_moments,
    merge_moments,
    resolve_groups,
)
from ._losses import LOSS_NAMES, get_loss
from ._network import ACTIVATIONS, WEIGHT_INITS, ParameterLayout, forward, initialize
from ._objective import Objective
from ._penalties import (
    PENALTY_NAMES,
    check_group_weights,
    get_penalty,
)
from ._threads import limit_blas_threads

SOLVERS = ("lbfgs", "adam", "sgd", "gd", "fista")
#: What ``solver='auto'`` (the default) runs; see ``_solver``.
AUTO_SOLVER = "fista"
STOCHASTIC_SOLVERS = ("adam", "sgd")
#: First-stage alpha of the adaptive group lasso, as a share of the grid's top.
ADAPTIVE_ALPHA = 1e-2
# What validate_data records about the training data; a failed fit restores it.
_DATA_ATTRIBUTES = ("n_features_in_", "feature_names_in_")

# Frames from these directories are passed over when a warning is attributed
# (joblib runs the CV estimator's folds, even with n_jobs=1).
_LIBRARY_DIRS = tuple(
    os.path.dirname(module.__file__) + os.sep
    for module in (sys.modules[__package__], sklearn, joblib)
)


def _warn(message, category):
    """``warnings.warn`` attributed to the first caller outside the libraries.

    The same warning is reached through ``fit``, the CV estimator, the path
    or scikit-learn's model selection, at different depths: a fixed
    ``stacklevel`` would point into library code for all but one of them.
    """
    frame, level = sys._getframe(1), 2
    # Up to the outermost frame at most (a worker thread has no user frame).
    while frame.f_back is not None and frame.f_code.co_filename.startswith(
        _LIBRARY_DIRS
    ):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


@contextlib.contextmanager
def _restored_on_error(estimator, names):
    """Put the attributes ``names`` of ``estimator`` back if the block raises."""
    saved = {name: vars(estimator)[name] for name in names if name in vars(estimator)}
    try:
        yield
    except BaseException:
        for name in names:
            vars(estimator).pop(name, None)
        vars(estimator).update(saved)
        raise


def _nonfinite_is_divergence(train):
    """Make ``train`` treat any non-finite objective as divergence (issue 8).

    Training runs with NumPy's floating-point errors ignored: an overflow or
    invalid operation becomes ``inf``/``nan``, which the solvers detect and
    report as divergence (then a ``ConvergenceWarning`` naming
    ``learning_rate_init``), whatever the caller's ``np.errstate``; otherwise
    ``np.errstate(over='raise')`` turns a divergence into a ``FloatingPointError``
    deep inside autograd. It also silences benign overflows such as autograd's
    ``tanh`` gradient ``1 / cosh(z)**2`` (exactly 0 for large ``z``).

    gd never evaluates its final step: if the objective there is not finite,
    the last point where it was finite is kept instead and the run counts as
    diverged (the stochastic solvers check their final step on one batch
    themselves). After a divergence the stochastic solvers' optimizer state
    (moments, velocity) is replaced by a fresh one, so a later
    ``partial_fit`` or warm start does not reuse it; the loss curve and the
    learning-rate schedule's clock carry on. Unless ``train`` has set ``result.value`` (the value ``loss_``
    takes), the objective at the kept point is computed here on all the
    training data and left there (so an objective that overflows for any
    weights, e.g. targets near 1e200, gives ``loss_ = inf`` and a divergence
    warning, not an error).
    """

    @functools.wraps(train)
    def wrapper(estimator, *args, **kwargs):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            result, objective = train(estimator, *args, **kwargs)
            if result.value is None:
                result.value = objective.value(result.x)  # reused for loss_
            fallback = result.last_finite_x
            if fallback is not None and not np.isfinite(result.value):
                result.x, result.diverged, result.converged = fallback, True, False
                result.value = objective.value(result.x)
        if result.diverged and estimator._stochastic_progress is not None:
            # Built anew, from the parameters of that time, at the next call.
            estimator._stochastic_progress.optimizer = None
        return result, objective

    return wrapper


class RegularizedMLPRegressor(RegressorMixin, BaseEstimator):
    """Multilayer perceptron regressor with a tunable weight penalty.

    The network is trained by minimising, over all weights ``W`` and biases
    ``b`` of the layers,

    .. math:: J = L(y, f(X); s) + \\alpha \\, P(W)

    where ``L`` is the data-fit ``loss`` (a weighted mean over samples, by
    ``sample_weight`` ``s``, of the per-sample loss averaged over outputs) and
    ``P`` the ``penalty`` on the weight matrices (never the biases).
    Gradients: a hand-written backward pass with closed-form gradients for
    the built-in losses and penalties (tested against autograd); autograd
    differentiates a callable ``loss`` or ``penalty``.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(100,)
        Units in each hidden layer.
    activation : {'identity', 'logistic', 'tanh', 'relu'}, default='relu'
        Hidden-layer activation. The output layer is linear.
    penalty : {'l2', 'l1', 'elasticnet', 'group_lasso'}, callable or None, \
            default='l2'
        ``'l2'``: ``sum W**2``; ``'l1'``: ``sum |W|``; ``'elasticnet'``:
        ``l1_ratio * sum |W| + (1 - l1_ratio) * sum W**2``;
        ``'group_lasso'``: ``sum_g ||W_1[g, :]||_2 + deep_l2 * sum_{k>=2} W_k**2``
        over groups ``g`` of input features (rows of the first weight matrix;
        see ``groups``), which drops whole input features (feature selection;
        use ``solver='fista'`` or ``'adam'``; ``'gd'`` follows the
        subgradient, zero at a zero row, and gives no exact zeros); ``None``: no
        penalty. A callable ``penalty(coefs) -> scalar``, where ``coefs`` is
        the list of weight matrices (never the biases), is differentiated by
        autograd and treated as smooth: write it with ``autograd.numpy`` and
        do not modify ``coefs``. See Notes.
    alpha : float, default=1e-4
        Regularisation strength (the λ of ``MSE + λ P``).
    l1_ratio : float, default=0.5
        Mix of L1 in ``'elasticnet'``, in [0, 1].
    groups : list of lists of int, list of str, default=None
        ``'group_lasso'`` only: the groups of input features, so that, e.g.,
        the one-hot columns of one categorical feature enter or leave the
        model together. Either column indices of ``X`` forming each group, or
        names of original columns, one group per name (or per list of names),
        resolved at every fit against ``feature_names_in_``: a feature belongs
        to the name ``g`` when, after any ``"<transformer>__"`` prefix of a
        ``ColumnTransformer``, it is ``g`` or starts with ``g + "_"`` (a
        ``OneHotEncoder``'s ``<column>_<level>``); the longest matching name
        wins. Names need ``X`` with feature names (a DataFrame; in a Pipeline,
        ``set_output(transform='pandas')``), and hold under cross-validation
        when a fold lacks a level. Groups must be disjoint. Columns in no
        group are not penalised (always kept): name numeric columns too to
        penalise each on its own. None: each column is its own group.
    group_weights : array-like of shape (n_groups,), 'adaptive' or None, \
            default=None
        ``'group_lasso'`` only: a positive weight ``w_g`` for each group (each
        feature when ``groups`` is None), so the penalty is
        ``sum_g w_g ||W_1[g, :]||_2``. None: all 1. ``'adaptive'``: the
        adaptive group lasso, ``w_g = 1 / ||W_1[g, :]||**2`` from a
        first-stage fit on the same rows (unit weights, ``alpha`` at 1% of
        the top of the automatic grid, norms clipped below at 1e-3 times the
        largest), stored in ``group_weights_``. It removes much of the
        lasso's bias against features whose effect needs large weights (an
        even, non-monotone effect) and drops noise features more surely; in
        :class:`RegularizedMLPRegressorCV` each fold computes its own from
        its training rows.
    deep_l2 : float, default=1.0
        ``'group_lasso'`` only: weight of an L2 term on the weight matrices
        after the first (the penalty is still multiplied by ``alpha``). The
        group lasso alone does not fix the scale of a network: the first layer
        can shrink while the next grows to compensate (exactly so for
        ``'relu'``), which weakens the penalty without changing predictions.
        The L2 term on the deeper layers removes that escape. ``0`` gives the
        pure group lasso on the first layer.
    loss : {'squared_error', 'poisson', 'huber'} or callable, default='squared_error'
        Data-fit loss. ``'squared_error'``: mean squared error.
        ``'poisson'``: half Poisson deviance with a log link, as in
        MLPRegressor: predictions are ``exp`` of the network output, always
        positive; requires ``y >= 0``. ``'huber'``: squared for residuals up
        to ``huber_delta``, linear beyond, robust to outliers in ``y``.
        A callable ``loss(y_true, y_pred, sample_weight) -> scalar``, written
        with ``autograd.numpy``, receives arrays of shape
        ``(n_samples, n_outputs)`` (a batch for the stochastic solvers) and the
        matching weights or None; predictions are the network output itself
        (identity link). See Notes.
    huber_delta : float, default=1.0
        Residual size where ``'huber'`` turns from quadratic to linear.
    solver : {'auto', 'lbfgs', 'adam', 'sgd', 'gd', 'fista'}, default='auto'
        ``'auto'``: ``'fista'`` when there is a penalty, ``'lbfgs'`` for
        ``penalty=None``. FISTA solves every penalty exactly and
        deterministically, and its fits are stable under re-weighting and
        re-ordering of the rows (integer sample weights give the fit of
        repeated rows, to rounding), which L-BFGS-B's are not once a penalty
        is set; without a penalty L-BFGS-B converges in fewer iterations.
        ``'lbfgs'``: scipy's L-BFGS-B (an L1 part through the split
        ``W = U - V``, ``U, V >= 0``; not available for ``'group_lasso'``);
        ``'adam'``, ``'sgd'``: minibatch, with a proximal step after each
        update for a non-smooth part; ``'fista'``: full-batch accelerated
        proximal gradient with backtracking line search and adaptive restart,
        deterministic, exact for every penalty, no learning rate to tune;
        ``'gd'``: plain full-batch gradient descent on ``J`` as written (the
        blog article's loop).
    batch_size : int or 'auto', default='auto'
        Minibatch size for the stochastic solvers; 'auto' is ``min(200, n_samples)``.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Step-size schedule of ``'sgd'``, as in MLPRegressor.
    learning_rate_init : float, default=1e-3
        Step size of ``'sgd'``, ``'adam'`` and ``'gd'``.
    power_t : float, default=0.5
        Exponent of the ``'invscaling'`` schedule.
    max_iter : int, default=200
        Iterations (``'lbfgs'``, ``'gd'``, ``'fista'``) or epochs (``'adam'``,
        ``'sgd'``).
    tol : float, default=1e-4
        Stopping tolerance: the loss (or validation score) must improve by at
        least ``tol`` within ``n_iter_no_change`` iterations; the projected
        gradient tolerance for ``'lbfgs'`` (as in MLPRegressor; scipy's
        relative-reduction test, about 2e-9, often stops it first). With
        ``tol=0`` ``'gd'`` takes exactly ``max_iter`` steps.
    n_iter_no_change : int, default=10
        Patience of the stopping rule.
    early_stopping : bool, default=False
        Stochastic solvers: hold out ``validation_fraction`` of the data and
        stop when its R² stops improving, keeping the best parameters seen.
        The full-batch solvers ignore it; ``partial_fit`` refuses it.
    validation_fraction : float, default=0.1
        Share of the data held out for early stopping.
    momentum : float, default=0.9
        Momentum of ``'sgd'``.
    nesterovs_momentum : bool, default=True
        Whether ``'sgd'`` uses Nesterov's momentum.
    beta_1, beta_2, epsilon : float, defaults 0.9, 0.999, 1e-8
        Adam's moment decay rates and numerical guard.
    max_fun : int, default=15000
        Maximum objective evaluations of ``'lbfgs'``.
    weight_init : {'glorot_uniform', 'normal'}, default='glorot_uniform'
        ``'glorot_uniform'`` as MLPRegressor; ``'normal'``: each weight matrix
        drawn as ``rng.randn(fan_in, fan_out)``, biases zero.
    shuffle : bool, default=True
        Whether the stochastic solvers shuffle the samples every epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling and the early-stopping split.
    warm_start : bool, default=False
        Whether ``fit`` starts from the current parameters. As in
        MLPRegressor, the stochastic solvers then start a fresh optimizer and
        keep extending ``loss_curve_``, ``validation_scores_`` and ``t_``
        (the clock of the ``'invscaling'`` schedule). Unlike MLPRegressor, the
        stopping rule starts afresh: MLPRegressor carries its no-improvement
        count over, so that a warm-started fit after a converged one stops
        after a single epoch, even with a new ``alpha`` (which would stall a
        regularization path).
    verbose : bool, default=False
        Print the loss at every iteration.

    Attributes
    ----------
    coefs_ : list of ndarray
        Weight matrices, ``coefs_[k]`` of shape (units in layer k, units in k+1).
    intercepts_ : list of ndarray
        Bias vectors.
    n_iter_ : int
        Iterations (epochs for ``'adam'``, ``'sgd'``) run by the last call to
        ``fit`` or ``partial_fit`` (1 after ``partial_fit``), as MLPRegressor.
    loss_ : float
        Objective ``J`` on the training data. For ``'lbfgs'``, ``'fista'``
        and ``'gd'``: at the fitted parameters. For ``'adam'`` and ``'sgd'``,
        as in MLPRegressor: the last value of ``loss_curve_``, the average of
        ``J`` over the minibatches of the last epoch, each at the parameters
        its step started from (penalty included; the training part of the
        split with early stopping, where the fitted parameters are the best
        on validation data, possibly from an earlier epoch). After a
        divergence: ``J`` on all the training data at the kept parameters.
    loss_curve_ : list of float
        Objective per iteration; for the stochastic solvers, the average over
        an epoch's minibatches, accumulated over ``partial_fit`` calls and
        warm-started fits.
    best_loss_ : float or None
        Lowest value of ``loss_curve_`` (None with early stopping).
    validation_scores_ : list of float or None
        R² on the held-out data per epoch (early stopping only), accumulated
        over warm-started fits like ``loss_curve_``.
    best_validation_score_ : float or None
        Best validation score of the last ``fit``; the fitted parameters are
        those that reached it.
    t_ : int
        Training samples processed by the solver (each epoch or full-batch
        iteration counts every training sample), accumulated over
        ``partial_fit`` calls and warm-started fits.
    n_layers_ : int
        Layers, input and output included.
    n_outputs_ : int
        Number of targets.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Feature names, when ``X`` has string column names.
    feature_importances_ : ndarray of shape (n_features_in_,)
        Euclidean norm of each row of ``coefs_[0]`` (all weights leaving an
        input feature), normalised to sum to 1 unless all are zero. Exactly
        zero for the features a sparse penalty dropped. Per column, and in
        the columns' units: summed over the one-hot columns of a categorical
        feature it overstates it (see ``group_importances_``).
    n_features_selected_ : int
        Input features with a non-zero row in ``coefs_[0]``.
    selected_feature_names_ : ndarray of str
        Names of those features, when ``X`` had string column names.
    group_weights_ : ndarray of shape (n_groups,)
        The adaptive weights, with ``group_weights='adaptive'`` only.
    group_support_ : ndarray of bool of shape (n_groups,)
        Whether each group of ``groups`` (each feature when ``groups`` is
        None) kept a non-zero weight.
    group_importances_ : ndarray of shape (n_groups,)
        How much each group of ``groups`` (each feature when ``groups`` is
        None) moves the first layer: the standard deviation over the training
        rows of its contribution ``X[:, g] @ coefs_[0][g]`` to the
        pre-activations, normalised to sum to 1 unless all are zero. Its
        constant part is a shift of the first biases, so a constant column
        scores 0 and adding one vector to every row of one-hot columns (which
        sum to 1 on every row) changes nothing; a level seen on few rows
        counts little. For standardised columns, each its own group (and
        no sample weights), it equals ``feature_importances_``. Compare one-hot encoded categorical
        features with it, not with sums of ``feature_importances_``.

    See Also
    --------
    sklearn.neural_network.MLPRegressor : the same network with an L2 penalty.

    Notes
    -----
    Feature selection: with ``penalty='group_lasso'`` (or ``'l1'``) whole
    rows of ``coefs_[0]`` become exactly zero and ``feature_importances_``
    is zero there. :class:`~sklearn.feature_selection.SelectFromModel`
    uses ``feature_importances_``; its default threshold for this estimator is
    ``'mean'`` (it uses ``1e-5`` only for ``penalty='l1'``), which also drops
    kept features of below-average importance. Pass a tiny positive
    threshold, e.g. ``threshold=1e-12``, to keep exactly the features the
    penalty kept.

    With ``loss='squared_error'`` and no sample weights,
    ``L = mean((y - f(X))**2)``: ``J`` is the article's ``MSE + λ Σ|W|`` or
    ``MSE + λ Σ W²``. MLPRegressor minimises ``½ MSE + α_sk / (2 n) ‖W‖²``
    (``n`` samples, or the batch size for minibatches), so its ``α_sk``
    corresponds to ``alpha = α_sk / n`` here with ``penalty='l2'``.

    **Custom losses and penalties.** Because gradients come from autograd,
    any differentiable ``loss`` or ``penalty`` can be plugged in as a function
    written with ``autograd.numpy``, for example a log-cosh loss and an
    ``L_p`` penalty::

        import autograd.numpy as anp

        def log_cosh(y_true, y_pred, sample_weight):
            return anp.mean(anp.log(anp.cosh(y_pred - y_true)))

        def l1_5(coefs):
            return sum(anp.sum(anp.abs(W) ** 1.5) for W in coefs)

        RegularizedMLPRegressor(loss=log_cosh, penalty=l1_5, alpha=1e-3)

    A custom loss should honour ``sample_weight`` (None or one weight per
    sample) if weights are used. Before training, each callable is evaluated
    with its gradient on a few samples: one that autograd cannot
    differentiate, or that returns a non-scalar or non-finite value, raises a
    ``TypeError`` or ``ValueError`` naming ``loss`` or ``penalty``. Define
    callables at module level (not as lambdas) for the estimator to pickle.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_regnet import RegularizedMLPRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-1, 1, size=(100, 1))
    >>> y = np.sin(np.pi * X).ravel()
    >>> model = RegularizedMLPRegressor((10,), "tanh", penalty="l1", alpha=1e-3,
    ...                                 random_state=0).fit(X, y)
    >>> model.predict(X[:2]).shape
    (2,)
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
        "loss": [StrOptions(set(LOSS_NAMES)), callable],
        "huber_delta": [Interval(Real, 0, None, closed="neither")],
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
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
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
        loss="squared_error",
        huber_delta=1.0,
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
        self.loss = loss
        self.huber_delta = huber_delta
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
        self : RegularizedMLPRegressor
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def _check_partial_fit(self):
        if self._solver() not in STOCHASTIC_SOLVERS:
            raise AttributeError(
                "partial_fit is only available for the stochastic solvers "
                f"{STOCHASTIC_SOLVERS}; solver={self.solver!r} is not stochastic."
            )
        if self.early_stopping:
            raise AttributeError(
                "partial_fit is not available with early_stopping=True; hold "
                "out validation data yourself and score it between calls."
            )
        return True

    @available_if(_check_partial_fit)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with one pass (epoch) over ``X`` and ``y``.

        Only for the stochastic solvers ``'adam'`` and ``'sgd'``: the optimizer
        state (moments, velocity, learning-rate schedule, stopping counters) is
        kept from one call to the next, so that blocks of a data set too large
        for memory can be streamed through the model. The first call
        initialises the network; later calls need the same number of features
        and outputs. Not available with the full-batch solvers, nor
        with ``early_stopping=True`` (an ``AttributeError`` says why).
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
        self : RegularizedMLPRegressor
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
        return self._fit(X, y, sample_weight, incremental=True)

    def _solver(self):
        """The solver that runs: ``solver``, or what ``'auto'`` picks.

        ``'auto'``: ``'lbfgs'`` without a penalty, ``'fista'`` with one.
        FISTA solves every penalty exactly (proximal steps give the exact
        zeros of ``'l1'``, ``'elasticnet'`` and ``'group_lasso'``; a quadratic
        term is a proximal shrink too), and its steps are continuous in the
        data: fits on re-weighted or re-ordered rows (integer weights against
        repeated rows) agree to rounding. L-BFGS-B amplifies rounding into a
        different point once a penalty shapes the landscape (measured:
        predictions 3e-7 apart at the defaults with ``'l2'``, 1.15 apart with
        ``'l1'``), and it cannot solve ``'group_lasso'``; without a penalty it
        converges in fewer iterations and is reproducible in that sense.
        """
        if self.solver != "auto":
            return self.solver
        return "lbfgs" if self.penalty is None else AUTO_SOLVER

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
        y = y_cast
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
            if not np.any(sample_weight > 0):
                raise ValueError("sample_weight must contain a positive weight.")
            # The loss is a weighted mean, unchanged by rescaling the weights;
            # dividing by the largest keeps their sum finite for any valid
            # input (e.g. weights near 1e307), in float32 too. A new array:
            # the caller's is never modified.
            sample_weight = (sample_weight / sample_weight.max()).astype(
                X.dtype, copy=False
            )
        return X, y, sample_weight

    def _fit(self, X, y, sample_weight, incremental, validated=False):
        """Fit (or update, ``incremental``) the network: the body of every fit.

        ``validated=True``: ``X, y, sample_weight`` are the output of this
        estimator's ``_validate_training_data`` on data it was fitted on
        before, so they are not checked again (a regularization path refits
        one estimator on the same data at every alpha).
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
            if self.loss == "poisson" and np.any(y_2d < 0):
                raise ValueError("loss='poisson' requires non-negative targets y.")
            if not first_pass and y_2d.shape[1] != self.n_outputs_:
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
            moments = input_moments(X, group_ids, n_groups, sample_weight)
            previous = getattr(self, "_input_moments", None)
            if (
                incremental
                and not first_pass
                and previous is not None
                and np.array_equal(getattr(self, "_group_ids", None), group_ids)
            ):
                moments = merge_moments(previous, moments, group_ids)
            self._group_ids, self._n_groups = group_ids, n_groups
            self._input_moments = moments
            if first_pass or self._solver() not in STOCHASTIC_SOLVERS:
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

        if first_pass or not incremental:
            # Predictions take the shape of the y of the last fit (a warm
            # start with y of shape (n, 1) after a 1-D y predicts (n, 1)).
            self._y_ndim = y.ndim
        if first_pass:
            self.n_outputs_ = y_2d.shape[1]
            self.t_ = 0
        self._set_fitted(layout, objective, result, previous_curve, incremental)
        return self

    def _check_callables(self, layout, X, y, sample_weight, theta):
        """Probe a callable ``loss`` or ``penalty`` on a few rows before training."""
        if callable(self.loss):
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
                lambda y_pred: self.loss(y_probe, y_pred, sw_probe),
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

    def _adaptive_first_stage(self, X, y, sample_weight):
        """Weights of the adaptive group lasso, and the first-stage fit.

        The first stage is this estimator with unit weights at
        ``alpha = ADAPTIVE_ALPHA * top``, ``top`` the top of the automatic
        alpha grid for these data (where the plain group lasso drops every
        input): a light penalty, whatever the scale of the data. With
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
        if hasattr(self, "feature_names_in_"):  # to resolve groups by name
            first.feature_names_in_ = self.feature_names_in_
        y_2d = y.reshape(-1, 1) if y.ndim == 1 else y
        G = loss_gradient_at_zero(
            get_loss(self.loss, self.huber_delta), X, y_2d, sample_weight
        )
        top = grid_top(first._make_penalty(X.shape[1]), G)
        first.alpha = ADAPTIVE_ALPHA * top if top and np.isfinite(top) else 0.0
        first._convergence_sink = []  # a first stage need not converge fully
        first._fit(X, y, sample_weight, incremental=False, validated=True)
        ids, n_groups = self._resolve_groups(X.shape[1])
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

    def _make_objective(self, layout, X, y, sample_weight):
        return Objective(
            layout,
            self.activation,
            get_loss(self.loss, self.huber_delta),
            self._make_penalty(X.shape[1]),
            float(self.alpha),
            X,
            y,
            sample_weight,
            # A quadratic penalty as a proximal shrink: FISTA's line search
            # then sees the data loss alone (see Objective). SGD keeps it in
            # the gradient, as MLPRegressor (stable while
            # 2 * alpha * learning_rate_init < 2).
            quadratic_prox=self._solver() == "fista",
        )

    @_nonfinite_is_divergence
    def _train(
        self, layout, X, y, sample_weight, theta0, incremental=False, resume=False
    ):
        """Run the solver from ``theta0``; the one training routine.

        ``incremental``: one epoch that keeps the optimizer state
        (``partial_fit``). ``resume`` (``warm_start`` after a stochastic
        fit): carry over the learning-rate schedule's sample count and the
        validation-score record; the optimizer and the stopping rule start
        afresh. Otherwise the stochastic solvers start afresh entirely.

        Returns the solver's result and the objective on the training data.
        """
        objective = self._make_objective(layout, X, y, sample_weight)
        callback = self._print_progress if self.verbose else None
        if self._solver() == "gd":
            result = _solvers.gd(
                objective.value_and_grad_full,
                theta0,
                learning_rate=self.learning_rate_init,
                max_iter=self.max_iter,
                tol=self.tol,
                n_iter_no_change=self.n_iter_no_change,
                callback=callback,
            )
        elif self._solver() == "fista":
            result = _solvers.fista(
                objective.value_and_grad_smooth,
                theta0,
                max_iter=self.max_iter,
                tol=self.tol,
                n_iter_no_change=self.n_iter_no_change,
                prox=objective.prox if objective.has_prox else None,
                nonsmooth=objective.nonsmooth_value if objective.has_prox else None,
                value=objective.value_smooth,
                callback=callback,
            )
        elif self._solver() == "lbfgs":
            vg, z0, bounds, to_theta = objective.split_problem(theta0)
            result = _solvers.lbfgs(
                vg,
                z0,
                max_iter=self.max_iter,
                max_fun=self.max_fun,
                tol=self.tol,
                bounds=bounds,
                callback=callback,
            )
            result.x = to_theta(result.x)
            # A dominant penalty can stop L-BFGS-B with the output biases
            # unfitted (see Objective.refit_output_intercepts).
            refit = objective.refit_output_intercepts(result.x, self.tol)
            if refit is not result.x:
                result.x, result.value = refit, None
        else:
            result, objective = self._train_stochastic(
                objective,
                layout,
                X,
                y,
                sample_weight,
                theta0,
                incremental,
                resume,
                callback,
            )
        return result, objective

    def _validation_split(self, X, y, sample_weight):
        """MLPRegressor's early-stopping split (not stratified)."""
        split = train_test_split(
            X,
            y,
            *([] if sample_weight is None else [sample_weight]),
            random_state=self._random_state,
            test_size=self.validation_fraction,
        )
        if split[1].shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        X, X_val, y, y_val = split[:4]
        sample_weight, sw_val = split[4:] if sample_weight is not None else (None, None)
        return X, y, sample_weight, X_val, y_val, sw_val

    def _train_stochastic(
        self,
        objective,
        layout,
        X,
        y,
        sample_weight,
        theta0,
        incremental,
        resume,
        callback,
    ):
        validation_score = None
        if self.early_stopping and not incremental:
            X, y, sample_weight, X_val, y_val, sw_val = self._validation_split(
                X, y, sample_weight
            )
            objective = self._make_objective(layout, X, y, sample_weight)

            def validation_score(theta):
                pred = self._predict_with(layout.unpack(theta), X_val)
                if not np.all(np.isfinite(pred)):
                    return np.nan
                return r2_score(y_val, pred, sample_weight=sw_val)

        n_samples = X.shape[0]
        if self.batch_size == "auto":
            batch_size = min(200, n_samples)
        else:
            if self.batch_size > n_samples:
                _warn(
                    f"batch_size={self.batch_size} is larger than the "
                    f"{n_samples} training samples; it is clipped to {n_samples}.",
                    UserWarning,
                )
            batch_size = min(self.batch_size, n_samples)

        optimizer_type = (
            _solvers.SGDState if self._solver() == "sgd" else _solvers.AdamState
        )
        progress = self._stochastic_progress if (incremental or resume) else None
        if progress is None:
            progress = _solvers.new_progress(
                self._make_optimizer(layout.n_params, X.dtype),
                self.tol,
                self.n_iter_no_change,
            )
            progress.best_x = np.array(theta0, copy=True)
        elif not incremental:
            # warm_start: a fresh optimizer, as MLPRegressor, and (unlike
            # MLPRegressor, whose no-improvement count carries over so that a
            # fit after a converged one stops after one epoch) a fresh
            # stopping rule, so the fit trains until it stops improving; the
            # clock of the 'invscaling' schedule and the records carry over.
            fresh = _solvers.new_progress(
                self._make_optimizer(layout.n_params, X.dtype),
                self.tol,
                self.n_iter_no_change,
            )
            fresh.samples_seen = progress.samples_seen
            fresh.validation_scores = progress.validation_scores
            fresh.best_x = np.array(theta0, copy=True)
            progress = fresh
        elif not isinstance(progress.optimizer, optimizer_type):
            # partial_fit after a change of solver or a divergence (None); the
            # schedule's clock carries on ('invscaling').
            progress.optimizer = self._make_optimizer(layout.n_params, X.dtype)
            progress.optimizer.epoch_ends(progress.samples_seen)
        vg = (
            objective.value_and_grad_composite
            if objective.has_prox
            else objective.value_and_grad_smooth
        )
        result = _solvers.stochastic(
            vg,
            theta0,
            n_samples,
            progress=progress,
            batch_size=batch_size,
            max_iter=1 if incremental else self.max_iter,
            shuffle=self.shuffle,
            rng=self._random_state,
            prox=objective.prox if objective.has_prox else None,
            validation_score=validation_score,
            callback=callback,
        )
        if validation_score is not None:
            # Early stopping keeps the best parameters seen.
            result.x = progress.best_x
        # Only one minibatch saw the final step. Unless a bound shows J finite
        # there on every row (no pass over the data), J is evaluated; if it is
        # not finite, result.value stays unset and _nonfinite_is_divergence
        # falls back to the previous point.
        if (
            not result.diverged
            and result.loss_curve
            and (
                objective.surely_finite(result.x)
                or np.isfinite(objective.value(result.x))
            )
        ):
            # loss_ follows MLPRegressor: the last epoch's average over its
            # minibatches (J on all the data at the final parameters would
            # cost a third of an epoch's compute).
            result.value = result.loss_curve[-1]
        self._stochastic_progress = progress
        return result, objective

    def _make_optimizer(self, n_params, dtype):
        if self._solver() == "sgd":
            return _solvers.SGDState(
                n_params,
                learning_rate_init=self.learning_rate_init,
                learning_rate=self.learning_rate,
                power_t=self.power_t,
                momentum=self.momentum,
                nesterovs_momentum=self.nesterovs_momentum,
                dtype=dtype,
            )
        return _solvers.AdamState(
            n_params,
            learning_rate_init=self.learning_rate_init,
            beta_1=self.beta_1,
            beta_2=self.beta_2,
            epsilon=self.epsilon,
            dtype=dtype,
        )

    def _print_progress(self, iteration, loss):
        print(f"Iteration {iteration + 1}, loss = {loss:.8f}")

    def _set_fitted(self, layout, objective, result, previous_curve, incremental):
        """Fitted attributes from a solver result, with MLPRegressor's semantics.

        ``n_iter_`` counts this call's iterations; ``t_`` and, for the
        stochastic solvers, ``loss_curve_`` accumulate over ``partial_fit``
        calls and warm-started fits.
        """
        self.coefs_, self.intercepts_ = layout.to_lists(result.x)
        self.n_layers_ = layout.n_layers + 1
        # Set by _train (see _nonfinite_is_divergence and _train_stochastic).
        self.loss_ = result.value
        # Whether the solver met its stopping criterion (the path records it).
        self._converged = bool(result.converged and not result.diverged)
        self.n_iter_ = result.n_iter
        self.t_ += result.n_iter * objective.X.shape[0]
        self.loss_curve_ = list(previous_curve) + list(result.loss_curve)
        progress = self._stochastic_progress
        if progress is not None and self.early_stopping:
            self.validation_scores_ = list(progress.validation_scores)
            self.best_validation_score_ = progress.score_rule.best_value
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = min(self.loss_curve_, default=self.loss_)
        if result.diverged:
            # lbfgs and fista choose their own step sizes: for them only the
            # data (or the initial weights) can be at fault.
            advice = (
                "Scale the data (e.g. with StandardScaler)."
                if self._solver() in ("lbfgs", "fista")
                else "Lower learning_rate_init or scale the data."
            )
            self._warn_convergence(
                "Training diverged (the objective or its gradient became "
                f"non-finite) after {result.n_iter} iterations; kept the last "
                f"finite parameters. {advice}"
            )
        elif self._ran_away(result.loss_curve, incremental, objective):
            # Finite but worse than at the start: the stopping rule sees no
            # improvement and would call it converged (MLPRegressor does).
            self._converged = False
            curve = result.loss_curve
            self._warn_convergence(
                f"Training went the wrong way: the loss rose from {curve[0]:.3g} "
                f"(best {min(curve):.3g}) to {curve[-1]:.3g} in "
                f"{result.n_iter} iterations; the steps are too large. Lower "
                "learning_rate_init or scale the data."
            )
        elif not result.converged and not incremental:
            self._warn_convergence(
                f"Solver '{self._solver()}' reached max_iter={self.max_iter} before "
                f"the tolerance tol={self.tol} was met; increase max_iter or tol."
            )

    def _warn_convergence(self, message):
        """Warn that this fit did not converge, or hand the message over.

        A regularization path or the CV estimator runs many fits and sets
        ``_convergence_sink`` (a list) on the estimators it drives, so that
        it can say once, for the whole call, which fits did not converge.
        """
        sink = getattr(self, "_convergence_sink", None)
        if sink is None:
            _warn(message, ConvergenceWarning)
        else:
            sink.append(message)

    def _ran_away(self, curve, incremental, objective):
        """Whether a fixed-step fit ended far above where it started.

        Only the solvers with a user-set step size ('gd', 'sgd', 'adam') can;
        a single epoch (``partial_fit``) and a fit that keeps its best
        validation point (``early_stopping``) are not judged. Losses are
        measured above the loss of a perfect prediction, which is not zero
        for every loss (Poisson's is negative for counts above e).
        """
        if self._solver() not in ("gd", *STOCHASTIC_SOLVERS) or incremental:
            return False
        if self.early_stopping or len(curve) < 2 or not curve[-1] > curve[0]:
            return False
        try:
            floor = objective.loss.saturated_value(objective.y, objective.sample_weight)
        except Exception:  # a callable loss's own error: judge nothing then
            return False
        if not np.isfinite(floor):
            return False
        return curve[-1] - floor > 2 * (min(curve) - floor)

    # -------------------------------------------------------------- predict
    def _predict_with(self, params, X):
        """Predictions (2-D) of the network with ``params``, a list of (W, b)."""
        raw = forward(params, X, self.activation)
        return get_loss(self.loss, self.huber_delta).inverse_link(raw)

    @limit_blas_threads
    def predict(self, X):
        """Predict targets for ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions, 1-D when the model was fitted on a 1-D ``y``.
        """
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            reset=False,
            dtype=(np.float64, np.float32),
            accept_sparse=("csr", "csc"),
        )
        y_pred = self._predict_with(list(zip(self.coefs_, self.intercepts_)), X)
        if self._y_ndim == 1:
            y_pred = y_pred.ravel()
        return y_pred

    # ------------------------------------------------------------ persistence
    # Reliability (issue 8): pickle, joblib and skops.io all go through these.
    # The stochastic solvers' state (`_stochastic_progress`) is saved as plain
    # data (dicts, numbers, arrays), never as solver objects, so that
    # `skops.io.get_untrusted_types` reports only RegularizedMLPRegressor.
    def __getstate__(self):
        state = dict(super().__getstate__())
        progress = state.get("_stochastic_progress")
        if isinstance(progress, _solvers.StochasticProgress):
            state["_stochastic_progress"] = progress.state_dict()
        return state

    def __setstate__(self, state):
        progress = state.get("_stochastic_progress")
        if isinstance(progress, dict):
            progress = _solvers.StochasticProgress.from_state_dict(progress)
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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.input_tags.sparse = True
        # The Poisson loss needs y >= 0.
        tags.target_tags.positive_only = self.loss == "poisson"
        return tags
