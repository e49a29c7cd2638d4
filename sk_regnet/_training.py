"""The training routine every fit goes through, from solver to fitted state.

``TrainingMixin`` holds what runs between a validated fit and its fitted
attributes: the choice of solver, the objective, the solvers' calls (the
stochastic ones with their early-stopping split and resumable state), the
fitted attributes and the convergence warnings. ``_warn`` and
``_restored_on_error`` serve every estimator of the package.
"""

import contextlib
import functools
import os
import sys
import warnings

import joblib
import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from . import _solvers, _stochastic
from ._objective import Objective

SOLVERS = ("lbfgs", "adam", "sgd", "gd", "fista")
#: What ``solver='auto'`` (the default) runs; see ``_solver``.
AUTO_SOLVER = "fista"
STOCHASTIC_SOLVERS = ("adam", "sgd")

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


class TrainingMixin:
    """The training routine of :class:`~sk_regnet._base.BaseRegularizedMLP`.

    Needs from the estimator: its parameters, ``_get_loss()`` (the data-fit
    loss object), ``_make_penalty(n_features)`` and, for early stopping,
    ``_validation_score(params, X, y, sample_weight)``.
    """

    # Iterations between FISTA's estimates of the largest curvature, which
    # bound its step (see _solvers.fista); 0: the backtracking alone.
    _fista_curvature_every = 0

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

    def _make_objective(self, layout, X, y, sample_weight):
        return Objective(
            layout,
            self.activation,
            self._get_loss(),
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
                curvature_every=self._fista_curvature_every,
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

    def _refuse_untrainable_inputs(self, objective, theta0):
        """After a first fit diverged: raise if ``X`` left nothing to train.

        When the objective or its gradient is already non-finite at the
        initial weights, no solver can take a finite step and the "fitted"
        model would be the random start. If the all-zero network (which
        ignores ``X``) has a finite objective and gradient, the inputs are
        what overflows (values near ``finfo.max``, say): a ``ValueError``
        with MLPRegressor's message, whose solver turns such data into
        non-finite weights. Otherwise (targets whose loss overflows for any
        weights, say) the divergence stays a warning.
        """
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if _solvers._all_finite(*objective.value_and_grad_smooth(theta0)):
                return
            zero = np.zeros_like(theta0)
            if not _solvers._all_finite(*objective.value_and_grad_smooth(zero)):
                return
            X = objective.X
            largest = float(abs(X).max()) if X.size else 0.0
        raise ValueError(
            "Solver produced non-finite parameter weights. The input data may "
            "contain large values and need to be preprocessed: the objective "
            "or its gradient is not finite at the initial weights, where it is "
            "at the all-zero network (the largest absolute value in X is "
            f"{largest:.3g}); scale X, e.g. with StandardScaler."
        )

    def _validation_split(self, X, y, sample_weight):
        """The early-stopping split, stratified by ``_early_stopping_strata``."""
        split = train_test_split(
            X,
            y,
            *([] if sample_weight is None else [sample_weight]),
            random_state=self._random_state,
            test_size=self.validation_fraction,
            stratify=self._early_stopping_strata(y),
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
                return self._validation_score(
                    layout.unpack(theta), X_val, y_val, sw_val
                )

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
            _stochastic.SGDState if self._solver() == "sgd" else _stochastic.AdamState
        )
        progress = self._stochastic_progress if (incremental or resume) else None
        if progress is None:
            progress = _stochastic.new_progress(
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
            fresh = _stochastic.new_progress(
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
        result = _stochastic.stochastic(
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

    def _early_stopping_strata(self, y):
        """What the early-stopping split is stratified on: nothing (regression)."""
        return None

    def _make_optimizer(self, n_params, dtype):
        if self._solver() == "sgd":
            return _stochastic.SGDState(
                n_params,
                learning_rate_init=self.learning_rate_init,
                learning_rate=self.learning_rate,
                power_t=self.power_t,
                momentum=self.momentum,
                nesterovs_momentum=self.nesterovs_momentum,
                dtype=dtype,
            )
        return _stochastic.AdamState(
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
