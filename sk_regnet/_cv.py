"""RegularizedMLPRegressorCV: choose alpha by cross-validating a warm-started path."""

from ._base import _DATA_ATTRIBUTES
from ._cv_base import BaseRegularizedMLPCV, cv_constraints
from ._cv_folds import SquaredErrorScore
from ._mlp import RegularizedMLPRegressor


class RegularizedMLPRegressorCV(BaseRegularizedMLPCV, RegularizedMLPRegressor):
    """Regularized MLP regressor with alpha chosen by cross-validation.

    The ``LassoCV`` pattern for :class:`RegularizedMLPRegressor`: one grid of
    alphas for all folds; on each fold a warm-started regularization path
    (dense to sparse, see :func:`regularization_path`) is fitted on the
    training part and scored by the mean squared error on the held-out part
    after every step; folds run in parallel through joblib. The alpha with the
    lowest mean validation MSE is ``alpha_``. The final model follows the path
    on all the data up to ``alpha_`` (not a cold fit at ``alpha_``: the model is
    not convex, and the path is what was scored), and then predicts like
    :class:`RegularizedMLPRegressor`. That last step, at ``alpha_``, runs with
    the full ``max_iter``.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(100,)
        Units in each hidden layer.
    activation : {'identity', 'logistic', 'tanh', 'relu'}, default='relu'
        Hidden-layer activation.
    alphas : array-like of shape (n_alphas,), default=None
        Grid of regularization strengths, visited in increasing order. None
        builds a log grid of ``n_alphas`` values on the full data, as
        :func:`regularization_path` does: from where the penalty wins at the
        zero network (past it the model is constant or has no input left)
        down to ``eps`` times that. With ``penalty=None`` (nothing to
        regularise) the grid is ``[0.0]``. A ``ConvergenceWarning`` names
        ``alphas`` when the best mean score lies at an end of the grid.
    n_alphas : int, default=20
        Grid size when ``alphas`` is None.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the grid built when ``alphas`` is None.
    cv : int, cross-validation generator or iterable, default=5
        Folds, as in :func:`~sklearn.model_selection.check_cv` (``KFold``
        without shuffling for an int). A splitter that needs ``groups``
        (e.g. :class:`~sklearn.model_selection.GroupKFold`) gets them through
        ``fit(X, y, groups=groups)`` with metadata routing enabled.
    n_jobs : int, default=None
        Folds fitted in parallel through joblib (``None``: 1 unless in a
        :func:`joblib.parallel_config` context, e.g. ``backend="dask"`` to run
        them on a dask cluster). Results do not depend on it.
    max_iter_warm : int, default=None
        Iteration budget of each warm-started path step; the first step of
        each path is a cold fit with ``max_iter``. Every step also stops on
        the solver's own rule (``tol``, ``n_iter_no_change``). None:
        ``max(10, max_iter // 8)``. A smaller budget is faster but leaves the
        network lagging behind the alpha it is scored at, which favours
        larger alphas.
    penalty, l1_ratio, groups, group_weights, deep_l2, loss, huber_delta, \
solver, batch_size, learning_rate, learning_rate_init, power_t, max_iter, tol, n_iter_no_change, early_stopping, \
validation_fraction, momentum, nesterovs_momentum, beta_1, beta_2, epsilon, \
max_fun, weight_init, shuffle, verbose
        As in :class:`RegularizedMLPRegressor`, for every fit along the paths.
    random_state : int, RandomState instance or None, default=None
        Drawn once at the start of ``fit`` into one seed per fold and one for
        the final path, so that results are the same for any ``n_jobs`` or
        joblib backend.

    Attributes
    ----------
    alpha_ : float
        The chosen alpha (lowest mean validation MSE; ties go to the larger
        alpha).
    alphas_ : ndarray of shape (n_alphas,)
        The grid, increasing (the order the paths visit it).
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Validation MSE of each fold after each path step. NaN where a
        fold's path stopped early: after the first alpha whose error lies
        more than 20% above the fold's minimum so far, larger alphas cannot
        be its best and are not fitted. Should the mean error (a stopped
        fold counted at its last error) be lowest at an alpha some fold did
        not reach, that fold's path is continued up to it: every fold has
        its own score at ``alpha_``.
    best_score_ : float
        Minus the mean validation MSE at ``alpha_`` (higher is better, as
        ``GridSearchCV(scoring="neg_mean_squared_error").best_score_``).
    nonzero_weights_path_ : ndarray of shape (n_alphas, n_folds)
        Non-zero weights of each fold's network after each step (NaN where
        not fitted, as in ``mse_path_``).
    selected_features_path_ : ndarray of shape (n_alphas, n_folds)
        Input features with a non-zero first-layer row, per fold and step.
        These count the folds' networks, each trained on its training rows;
        the final network, trained on all the rows with its last step run to
        ``tol``, can keep a different number at ``alpha_``
        (``n_features_selected_`` is its count).
    selection_frequency_ : ndarray of shape (n_features_in_,)
        For each input feature, the share of folds whose network at
        ``alpha_`` kept it (a non-zero first-layer row): a cheap measure of
        how stable the selection is.
    path_ : list of PathStep
        The steps of the final path on all the data, up to ``alpha_``.
    n_iter_ : int
        Solver iterations of the final network over its whole path: the dense
        fit the grid was built from (when ``alphas`` is None) and every step of
        ``path_``.
    coefs_, intercepts_, loss_, loss_curve_, best_loss_, \
validation_scores_, best_validation_score_, t_, n_layers_, n_outputs_, \
n_features_in_, feature_names_in_, feature_importances_, \
n_features_selected_, selected_feature_names_, group_support_, group_importances_
        As in :class:`RegularizedMLPRegressor`, for the final network (the
        last step of ``path_``).

    See Also
    --------
    regularization_path : the warm-started path on its own.
    RegularizationPathDisplay : plots ``mse_path_`` and the sparsity along it.

    Notes
    -----
    Each fold costs one cold fit and ``n_alphas - 1`` short warm-started fits,
    where :class:`~sklearn.model_selection.GridSearchCV` over the same grid
    pays ``n_alphas`` cold fits per fold.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_regnet import RegularizedMLPRegressorCV
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-1, 1, size=(100, 3))
    >>> y = np.sin(np.pi * X[:, 0]) + 0.3 * rng.normal(size=100)
    >>> model = RegularizedMLPRegressorCV((5,), "tanh", penalty="l1", cv=3,
    ...                                   max_iter=500, random_state=0).fit(X, y)
    >>> model.mse_path_.shape
    (20, 3)
    >>> bool(model.alphas_[0] < model.alpha_ < model.alphas_[-1])
    True
    """

    _parameter_constraints = cv_constraints(
        RegularizedMLPRegressor._parameter_constraints
    )
    _estimator_class = RegularizedMLPRegressor
    _restored_attributes = _DATA_ATTRIBUTES

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        alphas=None,
        n_alphas=20,
        eps=1e-3,
        cv=5,
        n_jobs=None,
        max_iter_warm=None,
        penalty="l2",
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
        verbose=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.alphas = alphas
        self.n_alphas = n_alphas
        self.eps = eps
        self.cv = cv
        self.n_jobs = n_jobs
        self.max_iter_warm = max_iter_warm
        self.penalty = penalty
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
        self.verbose = verbose

    def _cv_data(self, X, y, sample_weight):
        """The data as the folds and the final path receive it (validated)."""
        return self._validate_training_data(X, y, sample_weight, reset=True)

    def _fold_score(self):
        return SquaredErrorScore()

    def _record_scores(self, errors):
        self.mse_path_ = errors
