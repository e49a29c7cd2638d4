"""What the cross-validated estimators share: folds, alpha_, the final path.

``BaseRegularizedMLPCV`` is a mixin placed before a base estimator class
(``RegularizedMLPRegressorCV(BaseRegularizedMLPCV, RegularizedMLPRegressor)``,
likewise for the classifier), as scikit-learn's ``LinearModelCV`` serves the
Lasso and the elastic net: one ``fit`` builds the folds and the grid, scores a
warm-started path on every fold in parallel (``_cv_folds``), continues the
folds that stopped short of the best mean error, chooses ``alpha_`` and
follows the path on all the data up to it. A subclass says what it
validates (``_cv_data``), how a fold's model is scored (``_fold_score``, a
score of ``_cv_folds``) and where the scores go (``_record_scores``).
"""

from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import _fit_context, is_classifier
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _raise_for_params,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.metaestimators import available_if

from ._cv_folds import _continue_fold_path, _fold_path_scores, _mean_error
from ._grid import check_alphas
from ._groups import named_groups
from ._path import (
    _PATH_OWNED,
    _alpha_grid,
    _follow_path,
    _warn_not_converged,
)
from ._threads import limit_blas_threads
from ._training import _restored_on_error, _warn

#: The CV parameters both estimators add to their base estimator's.
CV_CONSTRAINTS = {
    "alphas": ["array-like", None],
    "n_alphas": [Interval(Integral, 1, None, closed="left")],
    "eps": [Interval(Real, 0, 1, closed="right")],
    "cv": ["cv_object"],
    "n_jobs": [Integral, None],
    "max_iter_warm": [Interval(Integral, 1, None, closed="left"), None],
}


def cv_constraints(base_constraints):
    """A CV estimator's constraints: its base's, minus the path's, plus the CV's."""
    return {
        **{
            name: constraint
            for name, constraint in base_constraints.items()
            if name not in _PATH_OWNED
        },
        **CV_CONSTRAINTS,
    }


# --------------------------------------------------------------- the mixin
class BaseRegularizedMLPCV:
    """Cross-validation of a warm-started path, for a base estimator class.

    Subclasses set ``_estimator_class`` (the estimator every path fits) and
    ``_restored_attributes`` (what a failed fit leaves as it was), and
    implement ``_cv_data``, ``_fold_score`` and ``_record_scores``.
    """

    def _base_params(self, seed):
        """Parameters of the base estimator every path fit uses."""
        names = self._estimator_class._get_param_names()
        params = {
            name: getattr(self, name) for name in names if name not in _PATH_OWNED
        }
        params["random_state"] = int(seed)
        if named_groups(self.groups):
            # The folds and the final network see arrays: the names, resolved
            # once against this fit's columns, reach them as index lists (in
            # the same order, so group_support_ and the rest keep it).
            ids, n_groups = self._resolve_groups(self.n_features_in_)
            params["groups"] = [
                np.flatnonzero(ids == g).tolist() for g in range(n_groups)
            ]
        return params

    def _fold_classes(self):
        """All the labels, for the folds' classifiers; None for a regressor."""
        return None

    @limit_blas_threads
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **params):
        """Cross-validate the path, choose ``alpha_`` and fit the final network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets (labels, for the classifier).
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the training loss and of the validation scores.
        **params : dict
            Metadata for the CV splitter, e.g. ``groups`` for
            :class:`~sklearn.model_selection.GroupKFold`. Only with metadata
            routing enabled (``sklearn.set_config(enable_metadata_routing=True)``),
            as in :class:`~sklearn.linear_model.LassoCV`.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        # Validation resets n_features_in_ and feature_names_in_; a fit that
        # fails after it (folds, grid, paths) leaves them matching coefs_.
        with _restored_on_error(self, self._restored_attributes):
            _raise_for_params(params, self, "fit")
            split_params = (
                process_routing(self, "fit", **params).splitter.split
                if _routing_enabled()
                else {}
            )
            X, y, sample_weight = self._cv_data(X, y, sample_weight)
            self._hidden_sizes()  # fail early, with the base estimator's message
            splitter = check_cv(self.cv, y, classifier=is_classifier(self))
            folds = list(splitter.split(X, y, **split_params))
            if sample_weight is not None:
                for k, (train, test) in enumerate(folds):
                    for rows, part in ((train, "training"), (test, "test")):
                        if not np.any(sample_weight[rows] > 0):
                            raise ValueError(
                                f"sample_weight is zero on every {part} row of CV "
                                f"fold {k}; each fold needs rows of positive weight "
                                "in both parts (choose another cv splitter)."
                            )
            # One seed per fold and one for the final path, drawn up front: a fold's
            # result depends on its index only, not on which worker runs it or when.
            seeds = check_random_state(self.random_state).randint(
                np.iinfo(np.int32).max, size=len(folds) + 1
            )
            final = self._estimator_class(**self._base_params(seeds[-1]))
            if self.alphas is None and self.penalty is None:
                alphas = np.zeros(1)  # nothing to regularise: one network
            elif self.alphas is None:
                alphas, final = _alpha_grid(
                    final, X, y, sample_weight, self.n_alphas, self.eps
                )
            else:
                alphas = check_alphas(self.alphas)

            score = self._fold_score()
            results = Parallel(n_jobs=self.n_jobs)(
                delayed(_fold_path_scores)(
                    self._estimator_class,
                    self._base_params(seed),
                    X,
                    y,
                    sample_weight,
                    train,
                    test,
                    alphas,
                    self.max_iter_warm,
                    score,
                    self._fold_classes(),
                )
                for seed, (train, test) in zip(seeds, folds)
            )
            mean_error, best = _mean_error(results)
            # Where the lowest mean lies past a fold's early stop, that fold's
            # path continues up to it (the mean counted it at its last error,
            # a lower bound while its errors keep rising), until alpha_ has
            # every fold's own score.
            behind = [k for k, fold in enumerate(results) if fold.n_steps <= best]
            while behind and np.isfinite(mean_error[best]):
                extended = Parallel(n_jobs=self.n_jobs)(
                    delayed(_continue_fold_path)(
                        results[k],
                        X,
                        y,
                        sample_weight,
                        *folds[k],
                        alphas,
                        best,
                        self.max_iter_warm,
                        score,
                    )
                    for k in behind
                )
                for k, fold in zip(behind, extended):
                    results[k] = fold
                mean_error, best = _mean_error(results)
                behind = [k for k, fold in enumerate(results) if fold.n_steps <= best]
            if not np.isfinite(mean_error[best]):
                raise ValueError(
                    "No alpha has a finite validation "
                    f"{score.name} on every fold (a fold diverged at every "
                    "alpha); scale the data or lower learning_rate_init."
                )
            errors, nonzero, features = (
                np.column_stack([getattr(r, name) for r in results])
                for name in ("errors", "n_nonzero", "n_features")
            )
            self._warn_if_at_edge(alphas, best)

            n_iter_before = final.n_iter_ if hasattr(final, "n_iter_") else 0
            path = list(
                _follow_path(
                    final,
                    X,
                    y,
                    sample_weight,
                    alphas[: best + 1],
                    self.max_iter_warm,
                    polish_last=True,
                )
            )

        # One warning for the whole fit (a fold's message and the final one).
        reports = [
            (f"fold {k}", message)
            for k, fold in enumerate(results)
            for message in fold.warnings
        ] + [
            (f"final network at alpha={s.alpha:.3g}", s.warning)
            for s in path
            if s.warning
        ]
        # Fits trained to max_iter: each fold's cold step, and the final
        # path's cold first step and polished last one (one when they coincide).
        _warn_not_converged(reports, len(folds) + min(len(path), 2))
        # Fitted attributes only once everything has succeeded.
        self.alphas_ = alphas
        self._record_scores(errors)
        self.nonzero_weights_path_ = nonzero
        self.selected_features_path_ = features
        self.alpha_ = float(alphas[best])
        self.best_score_ = -float(mean_error[best])
        self.selection_frequency_ = np.mean(
            [fold.support[best] for fold in results], axis=0
        )
        self.path_ = path
        self._adopt_fitted_state(final)
        # The final network is the product of the whole path, not of its last
        # step alone (which may need no iteration at all).
        self.n_iter_ = n_iter_before + sum(step.n_iter for step in self.path_)
        return self

    def _warn_if_at_edge(self, alphas, best):
        """Say so when the best mean score lies at an end of the grid.

        The optimum may then lie beyond it. Not for the top of the automatic
        grid: the model is constant (or has no input left) there, and beyond.
        """
        if len(alphas) < 2 or not (
            best == 0 or (best == len(alphas) - 1 and self.alphas is not None)
        ):
            return
        end, beyond = ("smallest", "smaller") if best == 0 else ("largest", "larger")
        _warn(
            f"The best mean validation score is at the {end} alpha of the grid "
            f"({alphas[best]:.3g}); the optimum may lie at a {beyond} alpha. "
            "Pass alphas reaching further (or a smaller eps).",
            UserWarning,
        )

    def get_metadata_routing(self):
        """How :meth:`fit` routes metadata: to the CV splitter's ``split``.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRouter
        """
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(
                splitter=check_cv(self.cv),
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
        )

    def _no_partial_fit(self):
        raise AttributeError(
            f"{type(self).__name__} has no partial_fit: alpha is chosen by "
            "cross-validating whole paths. Continue training with "
            f"{self._estimator_class.__name__}(alpha=model.alpha_, ...) instead."
        )

    @available_if(_no_partial_fit)
    def partial_fit(self, X, y, sample_weight=None):
        """Not available: the base estimator's ``partial_fit`` is hidden here."""

    def _adopt_fitted_state(self, estimator):
        """Take over the fitted network of ``estimator`` to predict with it."""
        params = estimator.get_params(deep=False)
        for name, value in vars(estimator).items():
            if name not in params and name not in (
                "n_features_in_",
                "feature_names_in_",
            ):
                setattr(self, name, value)
