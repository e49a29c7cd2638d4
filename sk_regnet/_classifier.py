"""RegularizedMLPClassifier: the classification estimator around the objective.

What is classification's on top of ``BaseRegularizedMLP``: the labels (the
functions of ``_labels`` fit, check and weigh them), the log-loss,
``predict``, ``predict_proba`` and the accuracy of early stopping.
"""

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
)
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ._base import _DATA_ATTRIBUTES, BaseRegularizedMLP
from ._labels import (
    check_known_labels,
    class_weight_factor,
    fit_labels,
    indicator_labels,
)
from ._losses import get_classification_loss
from ._network import forward
from ._threads import limit_blas_threads
from ._training import _restored_on_error

_LABEL_ATTRIBUTES = (*_DATA_ATTRIBUTES, "classes_", "_label_binarizer")


class RegularizedMLPClassifier(ClassifierMixin, BaseRegularizedMLP):
    """Multilayer perceptron classifier with a tunable weight penalty.

    The network is trained by minimising, over all weights ``W`` and biases
    ``b`` of the layers,

    .. math:: J = L(y, f(X); s) + \\alpha \\, P(W)

    where ``L`` is the log-loss (a weighted mean over samples, by
    ``sample_weight`` times the ``class_weight`` of each sample's class) and
    ``P`` the ``penalty`` on the weight matrices (never the biases), exactly
    as in :class:`RegularizedMLPRegressor`. Binary and multilabel targets:
    a logistic output per label, ``L`` the binary cross-entropy averaged
    over labels; multiclass: a softmax output, ``L`` the cross-entropy.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(100,)
        Units in each hidden layer.
    activation : {'identity', 'logistic', 'tanh', 'relu'}, default='relu'
        Hidden-layer activation.
    penalty : {'l2', 'l1', 'elasticnet', 'group_lasso'}, callable or None, \
            default='l2'
        The weight penalty, as in :class:`RegularizedMLPRegressor`.
    alpha : float, default=1e-4
        Regularisation strength.
    l1_ratio : float, default=0.5
        Mix of L1 in ``'elasticnet'``, in [0, 1].
    groups : list of lists of int, list of str, default=None
        ``'group_lasso'`` only: the groups of input features, as in
        :class:`RegularizedMLPRegressor`.
    group_weights : array-like of shape (n_groups,), 'adaptive' or None, \
            default=None
        ``'group_lasso'`` only: a weight per group, or the adaptive weights.
    deep_l2 : float, default=1.0
        ``'group_lasso'`` only: weight of an L2 term on the deeper layers.
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, applied as sample weights (multiplied with
        ``sample_weight``): ``{label: weight}`` (absent classes weigh 1),
        ``'balanced'`` (``n_samples / (n_classes * count)``), or None (all
        1). Not for multilabel ``y``; ``'balanced'`` is not available in
        ``partial_fit`` (the counts of a stream are not known).
    solver : {'auto', 'lbfgs', 'adam', 'sgd', 'gd', 'fista'}, default='auto'
        ``'auto'``: ``'fista'`` when there is a penalty, ``'lbfgs'`` for
        ``penalty=None``; see :class:`RegularizedMLPRegressor`.
    batch_size : int or 'auto', default='auto'
        Minibatch size of the stochastic solvers.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Step-size schedule of ``'sgd'``.
    learning_rate_init : float, default=1e-3
        Step size of ``'sgd'``, ``'adam'`` and ``'gd'``.
    power_t : float, default=0.5
        Exponent of the ``'invscaling'`` schedule.
    max_iter : int, default=200
        Iterations, or epochs for the stochastic solvers.
    tol : float, default=1e-4
        Stopping tolerance.
    n_iter_no_change : int or np.inf, default=10
        Patience of the stopping rule (``np.inf``: none, train to
        ``max_iter``; ``'lbfgs'`` and ``'fista'`` still stop on their
        gradient tests).
    early_stopping : bool, default=False
        Stochastic solvers: hold out ``validation_fraction`` of the data
        (stratified by class, except for multilabel ``y``) and stop when its
        accuracy (subset accuracy for multilabel ``y``) stops improving,
        keeping the best parameters seen. ``partial_fit`` refuses it.
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
        Initialisation of the weights.
    shuffle : bool, default=True
        Whether the stochastic solvers shuffle the samples every epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling and the early-stopping split.
    warm_start : bool, default=False
        Whether ``fit`` starts from the current parameters (the classes must
        be the same).
    verbose : bool, default=False
        Print the loss at every iteration.

    Attributes
    ----------
    classes_ : ndarray or list of ndarray
        The class labels (for multilabel ``y``: ``0 .. n_labels - 1``).
    coefs_, intercepts_ : list of ndarray
        Weight matrices and bias vectors.
    n_outputs_ : int
        Outputs of the network: 1 for binary ``y``, the number of classes
        (multiclass) or labels (multilabel).
    n_iter_, loss_, loss_curve_, best_loss_, t_, n_layers_ : see \
            :class:`RegularizedMLPRegressor`
    validation_scores_ : list of float or None
        Accuracy on the held-out data per epoch (early stopping only).
    best_validation_score_ : float or None
        Best validation accuracy of the last ``fit``.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Feature names, when ``X`` has string column names.
    feature_importances_, n_features_selected_, selected_feature_names_, \
group_support_, group_importances_, group_weights_ : see \
            :class:`RegularizedMLPRegressor`

    See Also
    --------
    sklearn.neural_network.MLPClassifier : the same network with an L2 penalty.
    RegularizedMLPRegressor : the regression twin.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_regnet import RegularizedMLPClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 4))
    >>> y = np.where(X[:, 0] * X[:, 1] > 0, "same", "opposite")
    >>> model = RegularizedMLPClassifier((16,), "tanh", penalty="group_lasso",
    ...                                  alpha=1e-2, random_state=0).fit(X, y)
    >>> model.classes_
    array(['opposite', 'same'], dtype='<U8')
    >>> model.predict_proba(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints = {
        **BaseRegularizedMLP._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    # On separable classes the log-loss keeps falling for many iterations,
    # where FISTA's growing steps, unchecked, outrun the largest curvature
    # and amplify rounding (weighted and repeated rows then fitted 3e-5
    # apart); a curvature estimate every 10 iterations bounds the step.
    _fista_curvature_every = 10

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
        self.class_weight = class_weight

    # ---------------------------------------------------------------- labels
    def _validate_training_data(
        self, X, y, sample_weight, reset, classes=None, incremental=False
    ):
        """``X``, the labels as an indicator matrix in ``X``'s dtype, weights.

        As MLPClassifier: a first pass (``reset``) fits the labels (or takes
        ``classes``, at a first ``partial_fit``); a warm start needs the same
        classes; ``partial_fit`` refuses labels outside ``classes_``.
        """
        X, y = validate_data(
            self,
            X,
            y,
            reset=reset,
            multi_output=True,
            dtype=(np.float64, np.float32),
            accept_sparse=("csr", "csc"),
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if reset or classes is not None:
            self._label_binarizer = fit_labels(y, classes)
            if len(self._label_binarizer.classes_) < 2:
                raise ValueError(
                    "y has one class "
                    f"({self._label_binarizer.classes_[0]!r}); a classifier "
                    "needs samples of at least two classes."
                )
            self.classes_ = self._label_binarizer.classes_
        else:
            check_known_labels(
                y, self.classes_, same_classes=self.warm_start and not incremental
            )
        multilabel = self._label_binarizer.y_type_ == "multilabel-indicator"
        factor = class_weight_factor(
            self.class_weight, self.classes_, y, multilabel, incremental
        )
        Y = self._label_binarizer.transform(y).astype(X.dtype)
        return X, Y, self._validate_sample_weight(sample_weight, X, factor)

    def _get_loss(self):
        return get_classification_loss(self._label_binarizer.y_type_)

    def _first_stage_state(self):
        return {
            **super()._first_stage_state(),
            "classes_": self.classes_,
            "_label_binarizer": self._label_binarizer,
        }

    def _validation_score(self, params, X, y, sample_weight):
        """Accuracy of the network with ``params`` on held-out data."""
        proba = self._predict_with(params, X)
        if not np.all(np.isfinite(proba)):
            return np.nan
        y_type = self._label_binarizer.y_type_
        return accuracy_score(
            indicator_labels(y_type, y),
            indicator_labels(y_type, proba),
            sample_weight=sample_weight,
        )

    def _early_stopping_strata(self, y):
        """Stratify the early-stopping split on the labels, as MLPClassifier.

        On the indicator rows (boolean, as MLPClassifier's binary split), for
        binary and multiclass ``y``; a multilabel split is not stratified.
        """
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return None
        return y.astype(bool)

    # ------------------------------------------------------------ partial_fit
    @available_if(BaseRegularizedMLP._check_partial_fit)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the model with one pass (epoch) over ``X`` and ``y``.

        As MLPClassifier: ``classes``, all the labels the stream will hold,
        is required at the first call (and may be repeated, unchanged,
        later); labels outside them raise a ``ValueError``. For a multilabel
        indicator ``y``, ``classes`` are its column indices. Only for the
        stochastic solvers ``'adam'`` and ``'sgd'``; with
        ``early_stopping=True`` it raises a ``ValueError``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights.
        classes : array-like of shape (n_classes,), default=None
            All the classes; required at the first call only.

        Returns
        -------
        self : RegularizedMLPClassifier
            The updated estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from sk_regnet import RegularizedMLPClassifier
        >>> rng = np.random.RandomState(0)
        >>> X = rng.normal(size=(300, 2))
        >>> y = (X[:, 0] > X[:, 1]).astype(int)
        >>> model = RegularizedMLPClassifier((8,), solver="adam", random_state=0)
        >>> for X_block, y_block in zip(np.split(X, 3), np.split(y, 3)):
        ...     model = model.partial_fit(X_block, y_block, classes=[0, 1])
        >>> model.classes_, model.t_
        (array([0, 1]), 300)
        """
        return self._partial_fit_classes(X, y, sample_weight, classes)

    # Not named partial_fit: _fit_context validates the parameters on every
    # call (see BaseRegularizedMLP._partial_fit), before anything is changed.
    @limit_blas_threads
    @_fit_context(prefer_skip_nested_validation=True)
    def _partial_fit_classes(self, X, y, sample_weight, classes):
        self._refuse_early_stopping()
        if _check_partial_fit_first_call(self, classes):
            # It set classes_; _fit takes the labels from ``classes`` instead
            # (and a failed call leaves no classes_ behind).
            del self.classes_
            self._first_classes = classes
        try:
            return self._fit(X, y, sample_weight, incremental=True)
        finally:
            vars(self).pop("_first_classes", None)

    def _fit(self, X, y, sample_weight, incremental, validated=False):
        """The labels are validated here, then the base class's ``_fit``."""
        if validated:
            return super()._fit(X, y, sample_weight, incremental, validated=True)
        first_pass = not hasattr(self, "coefs_") or (
            not self.warm_start and not incremental
        )
        # A fit that fails leaves the labels and the data's record as they were.
        with _restored_on_error(self, _LABEL_ATTRIBUTES):
            X, y, sample_weight = self._validate_training_data(
                X,
                y,
                sample_weight,
                reset=first_pass,
                classes=getattr(self, "_first_classes", None),
                incremental=incremental,
            )
            return super()._fit(X, y, sample_weight, incremental, validated=True)

    # ---------------------------------------------------------------- predict
    def _predict_with(self, params, X):
        """Probabilities of the outputs (2-D) of the network with ``params``."""
        return self._get_loss().inverse_link(forward(params, X, self.activation))

    def _network_proba(self, X):
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            reset=False,
            dtype=(np.float64, np.float32),
            accept_sparse=("csr", "csc"),
        )
        return self._predict_with(list(zip(self.coefs_, self.intercepts_)), X)

    @limit_blas_threads
    def predict(self, X):
        """Predict the class labels of ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted labels (an indicator matrix for multilabel ``y``).
        """
        proba = self._network_proba(X)
        if self.n_outputs_ == 1:
            proba = proba.ravel()
        return self._label_binarizer.inverse_transform(proba)

    @limit_blas_threads
    def predict_proba(self, X):
        """Probability of each class (each label, for multilabel ``y``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows sum to 1, except for multilabel ``y`` (one probability per
            label), in the order of ``classes_``.
        """
        proba = self._network_proba(X)
        if self._label_binarizer.y_type_ == "multiclass":
            return proba
        # A saturated logistic output rounds to exactly 0 or 1; kept inside.
        eps = np.finfo(proba.dtype).eps
        proba = np.clip(proba, eps, 1 - eps)
        if self._label_binarizer.y_type_ == "binary":
            return np.hstack([1 - proba, proba])
        return proba

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
