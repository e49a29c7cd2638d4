"""RegularizedMLPRegressor: the regression estimator around the objective."""

from numbers import Real

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

# Re-exported: the path, the CV estimator and the tests import them from here.
from ._base import _DATA_ATTRIBUTES, BaseRegularizedMLP  # noqa: F401
from ._inputs import ADAPTIVE_ALPHA  # noqa: F401
from ._losses import LOSS_NAMES, get_loss
from ._network import forward
from ._threads import limit_blas_threads
from ._training import (  # noqa: F401
    AUTO_SOLVER,
    SOLVERS,
    STOCHASTIC_SOLVERS,
    _restored_on_error,
    _warn,
)


class RegularizedMLPRegressor(RegressorMixin, BaseRegularizedMLP):
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
    n_iter_no_change : int or np.inf, default=10
        Patience of the stopping rule (``np.inf``: none, train to
        ``max_iter``; ``'lbfgs'`` and ``'fista'`` still stop on their
        gradient tests).
    early_stopping : bool, default=False
        Stochastic solvers: hold out ``validation_fraction`` of the data and
        stop when its R² stops improving, keeping the best parameters seen.
        The full-batch solvers ignore it; ``partial_fit`` refuses it (a
        ``ValueError``).
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
        **BaseRegularizedMLP._parameter_constraints,
        "loss": [StrOptions(set(LOSS_NAMES)), callable],
        "huber_delta": [Interval(Real, 0, None, closed="neither")],
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
        super().__init__(
            hidden_layer_sizes,
            activation,
            penalty=penalty,
            alpha=alpha,
            l1_ratio=l1_ratio,
            groups=groups,
            group_weights=group_weights,
            deep_l2=deep_l2,
            solver=solver,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            tol=tol,
            n_iter_no_change=n_iter_no_change,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            max_fun=max_fun,
            weight_init=weight_init,
            shuffle=shuffle,
            random_state=random_state,
            warm_start=warm_start,
            verbose=verbose,
        )
        self.loss = loss
        self.huber_delta = huber_delta

    def _get_loss(self):
        return get_loss(self.loss, self.huber_delta)

    def _check_targets(self, y):
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError("loss='poisson' requires non-negative targets y.")

    def _validation_score(self, params, X, y, sample_weight):
        """R² of the network with ``params`` on held-out data (early stopping)."""
        pred = self._predict_with(params, X)
        if not np.all(np.isfinite(pred)):
            return np.nan
        return r2_score(y, pred, sample_weight=sample_weight)

    # -------------------------------------------------------------- predict
    def _predict_with(self, params, X):
        """Predictions (2-D) of the network with ``params``, a list of (W, b)."""
        raw = forward(params, X, self.activation)
        return self._get_loss().inverse_link(raw)

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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        # The Poisson loss needs y >= 0.
        tags.target_tags.positive_only = self.loss == "poisson"
        return tags
