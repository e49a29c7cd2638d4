"""RegularizedMLPClassifierCV: choose alpha by cross-validating a warm-started path."""

from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.utils._param_validation import StrOptions

from ._classifier import _LABEL_ATTRIBUTES, RegularizedMLPClassifier
from ._cv_base import BaseRegularizedMLPCV, cv_constraints
from ._cv_folds import LogLossScore, ScorerScore


class RegularizedMLPClassifierCV(BaseRegularizedMLPCV, RegularizedMLPClassifier):
    """Regularized MLP classifier with alpha chosen by cross-validation.

    The ``LogisticRegressionCV`` pattern for :class:`RegularizedMLPClassifier`,
    on the warm-started path :class:`RegularizedMLPRegressorCV` uses: one grid
    of alphas for all folds (stratified by default, as scikit-learn's
    classifiers); on each fold a path from dense to sparse is fitted on the
    training part and scored on the held-out part after every step (by the
    log-loss, or ``scoring``); folds run in parallel through joblib. The
    alpha with the best mean validation score is ``alpha_``; the final model
    follows the path on all the data up to ``alpha_`` (its last step with the
    full ``max_iter``) and then predicts like :class:`RegularizedMLPClassifier`.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(100,)
        Units in each hidden layer.
    activation : {'identity', 'logistic', 'tanh', 'relu'}, default='relu'
        Hidden-layer activation.
    alphas : array-like of shape (n_alphas,), default=None
        Grid of regularization strengths, visited in increasing order. None
        builds a log grid of ``n_alphas`` values on the full data, from where
        the penalty wins at the zero network (past it the model predicts the
        class frequencies, or has no input left) down to ``eps`` times that,
        as for :class:`RegularizedMLPRegressorCV`, from the log-loss's
        gradient. With ``penalty=None`` the grid is ``[0.0]``. A warning names
        ``alphas`` when the best mean score lies at an end of the grid.
    n_alphas : int, default=20
        Grid size when ``alphas`` is None.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the grid built when ``alphas`` is None.
    cv : int, cross-validation generator or iterable, default=5
        Folds, as in :func:`~sklearn.model_selection.check_cv`:
        ``StratifiedKFold`` (without shuffling) for an int and binary or
        multiclass labels, ``KFold`` for multilabel ones. A splitter that
        needs ``groups`` gets them through ``fit(X, y, groups=groups)`` with
        metadata routing enabled.
    scoring : str, callable or None, default=None
        Validation score of each fold's network after each path step. None:
        the log-loss the classifier trains on (without the penalty; for
        multilabel targets, the binary log-loss averaged over labels), best
        when lowest. Otherwise a scikit-learn scorer name (e.g.
        ``"accuracy"``, ``"roc_auc"``) or callable ``scorer(estimator, X,
        y)``, best when highest. A scorer name weighs the held-out rows by
        ``sample_weight``; a callable is called without it.
    n_jobs : int, default=None
        Folds fitted in parallel through joblib. Results do not depend on it.
    max_iter_warm : int, default=None
        Iteration budget of each warm-started path step (the first step of
        each path is a cold fit with ``max_iter``). None:
        ``max(10, max_iter // 8)``.
    penalty, l1_ratio, groups, group_weights, deep_l2, class_weight, solver, \
batch_size, learning_rate, learning_rate_init, power_t, max_iter, tol, \
n_iter_no_change, early_stopping, validation_fraction, momentum, \
nesterovs_momentum, beta_1, beta_2, epsilon, max_fun, weight_init, shuffle, \
verbose
        As in :class:`RegularizedMLPClassifier`, for every fit along the
        paths (``class_weight`` weighs the training loss only; the
        validation scores weigh rows by ``sample_weight`` alone).
    random_state : int, RandomState instance or None, default=None
        Drawn once at the start of ``fit`` into one seed per fold and one for
        the final path, so that results are the same for any ``n_jobs``.

    Attributes
    ----------
    alpha_ : float
        The chosen alpha (best mean validation score; ties go to the larger
        alpha).
    alphas_ : ndarray of shape (n_alphas,)
        The grid, increasing (the order the paths visit it).
    scores_path_ : ndarray of shape (n_alphas, n_folds)
        Validation score of each fold after each path step, higher is
        better: minus the log-loss by default (as the ``"neg_log_loss"``
        scorer), else the scorer's value. NaN where a fold's path stopped
        early: after the first alpha whose error lies clearly (20% of the
        minimum's size) above the fold's minimum so far, larger alphas are
        not fitted, unless the best mean score (a stopped fold counted at
        its last score) lies among them: that fold's path then continues up
        to it.
    best_score_ : float
        The mean of ``scores_path_`` at ``alpha_``.
    nonzero_weights_path_, selected_features_path_ : ndarray of shape \
(n_alphas, n_folds)
        Non-zero weights and selected input features of each fold's network
        after each step (NaN where not fitted), as in
        :class:`RegularizedMLPRegressorCV`.
    selection_frequency_ : ndarray of shape (n_features_in_,)
        For each input feature, the share of folds whose network at
        ``alpha_`` kept it.
    path_ : list of PathStep
        The steps of the final path on all the data, up to ``alpha_``.
    n_iter_ : int
        Solver iterations of the final network over its whole path.
    classes_, coefs_, intercepts_, loss_, loss_curve_, best_loss_, \
validation_scores_, best_validation_score_, t_, n_layers_, n_outputs_, \
n_features_in_, feature_names_in_, feature_importances_, \
n_features_selected_, selected_feature_names_, group_support_, \
group_importances_, group_weights_
        As in :class:`RegularizedMLPClassifier`, for the final network.

    See Also
    --------
    RegularizedMLPClassifier : one network at a given alpha.
    RegularizedMLPRegressorCV : the regression twin.
    sklearn.linear_model.LogisticRegressionCV : the linear model's pattern.
    RegularizationPathDisplay : plots the validation curve and the sparsity.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_regnet import RegularizedMLPClassifierCV
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 5))
    >>> y = (X[:, 0] * X[:, 1] > 0).astype(int)
    >>> model = RegularizedMLPClassifierCV((8,), "tanh", penalty="group_lasso",
    ...                                    cv=3, random_state=0).fit(X, y)
    >>> model.scores_path_.shape
    (20, 3)
    >>> bool(model.alphas_[0] < model.alpha_ < model.alphas_[-1])
    True
    """

    _parameter_constraints = {
        **cv_constraints(RegularizedMLPClassifier._parameter_constraints),
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
    }
    _estimator_class = RegularizedMLPClassifier
    _restored_attributes = _LABEL_ATTRIBUTES

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        alphas=None,
        n_alphas=20,
        eps=1e-3,
        cv=5,
        scoring=None,
        n_jobs=None,
        max_iter_warm=None,
        penalty="l2",
        l1_ratio=0.5,
        groups=None,
        group_weights=None,
        deep_l2=1.0,
        class_weight=None,
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
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.max_iter_warm = max_iter_warm
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.groups = groups
        self.group_weights = group_weights
        self.deep_l2 = deep_l2
        self.class_weight = class_weight
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
        """``X``, the labels and the caller's weights, validated.

        The folds and the final path get labels, not the indicator matrix:
        each of their fits binarizes (and class-weighs) its own rows.
        """
        X, Y, _ = self._validate_training_data(X, y, None, reset=True)
        labels = self._label_binarizer.inverse_transform(Y)
        return X, labels, self._validate_sample_weight(sample_weight, X)

    def _fold_classes(self):
        # Multilabel targets have no label set to fix (each fold sees every
        # column of the indicator matrix).
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return None
        return self.classes_

    def _fold_score(self):
        if self.scoring is None:
            return LogLossScore()
        if callable(self.scoring):
            return ScorerScore(self.scoring, "score", weighted=False)
        return ScorerScore(get_scorer(self.scoring), self.scoring)

    def _record_scores(self, errors):
        self.scores_path_ = -errors
