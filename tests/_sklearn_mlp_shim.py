"""Our estimators with MLPRegressor's and MLPClassifier's parameters.

``tests/test_sklearn_mlp.py`` runs scikit-learn's own MLP tests on these
subclasses. They take exactly the parameters (names, order and defaults) of
:class:`~sklearn.neural_network.MLPRegressor` and
:class:`~sklearn.neural_network.MLPClassifier` and fix ``penalty='l2'`` (the
only penalty those have); the solver names are the same in both packages.
What is measured in units of the objective is converted to ours; nothing
else is translated.

scikit-learn minimises ``L_sk + alpha_sk / (2 n) * sum(W**2)``, ``n`` the
rows of a step (all training rows for L-BFGS, the batch size for the
stochastic solvers). Our data term is ``L = c * L_sk``:

- regressor: ``c = 2`` for the squared error (``L_sk`` is half the mean
  squared error), ``c = 1`` for the Poisson loss;
- classifier: ``c = 1`` for binary and multiclass ``y`` (the same
  log-loss), ``c = 1 / k`` for a multilabel ``y`` of ``k`` labels (ours is
  averaged over the labels, scikit-learn's summed).

So ``alpha = c * alpha_sk / (2 n)`` (for the regressor's squared error
``alpha_sk / n``, the mapping of the user guide), and SGD's step size,
whose unit is one over the objective's, is ``learning_rate_init / c``.
Adam's steps do not depend on the objective's scale (up to its
``epsilon``). ``tol`` is passed as it is: measured on our objective, it
changes where a fit stops by the factor ``c``, not what it minimises.
"""

from sk_regnet import RegularizedMLPClassifier, RegularizedMLPRegressor

_STOCHASTIC = ("adam", "sgd")


class _ScikitLearnUnits:
    """``alpha`` and SGD's step size on scikit-learn's scale, converted to ours."""

    def _objective_scale(self):
        """``c``: our data term over scikit-learn's (module docstring)."""
        raise NotImplementedError

    def _rows_per_step(self, X):
        if self.solver not in _STOCHASTIC:
            return X.shape[0]
        if self.batch_size == "auto":
            return min(200, X.shape[0])
        return min(self.batch_size, X.shape[0])

    def _make_objective(self, layout, X, y, sample_weight):
        alpha_sk = self.alpha
        self.alpha = self._objective_scale() * alpha_sk / (2 * self._rows_per_step(X))
        try:
            return super()._make_objective(layout, X, y, sample_weight)
        finally:
            self.alpha = alpha_sk

    def _make_optimizer(self, n_params, dtype):
        rate_sk = self.learning_rate_init
        if self.solver == "sgd":
            self.learning_rate_init = rate_sk / self._objective_scale()
        try:
            return super()._make_optimizer(n_params, dtype)
        finally:
            self.learning_rate_init = rate_sk


class MLPRegressorShim(_ScikitLearnUnits, RegularizedMLPRegressor):
    """RegularizedMLPRegressor with MLPRegressor's parameters."""

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
    ):
        super().__init__(
            hidden_layer_sizes,
            activation,
            penalty="l2",
            loss=loss,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
        )

    def _objective_scale(self):
        return 2.0 if self.loss == "squared_error" else 1.0


class MLPClassifierShim(_ScikitLearnUnits, RegularizedMLPClassifier):
    """RegularizedMLPClassifier with MLPClassifier's parameters."""

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
    ):
        super().__init__(
            hidden_layer_sizes,
            activation,
            penalty="l2",
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
        )

    def _objective_scale(self):
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return 1.0 / len(self.classes_)
        return 1.0
