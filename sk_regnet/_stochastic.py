"""The stochastic optimizers: minibatch epochs of momentum SGD or Adam.

``stochastic`` runs epochs of minibatch steps of an optimizer (``SGDState``
with MLPRegressor's learning-rate schedules, or ``AdamState``), with an
optional proximal step after each, and keeps what a later call resumes from
(``partial_fit``, a warm start) in a ``StochasticProgress``; ``new_progress``
starts one. Like the full-batch solvers of ``_solvers``, they take callables
on a flat vector, return a ``SolverResult`` and never warn.
"""

import copy
from dataclasses import dataclass, field

import numpy as np

from ._solver_base import SolverResult, _all_finite, _NoImprovement


class SGDState:
    """Momentum SGD with MLPRegressor's learning-rate schedules."""

    def __init__(
        self,
        n_params,
        *,
        learning_rate_init,
        learning_rate,
        power_t,
        momentum,
        nesterovs_momentum,
        dtype=np.float64,
    ):
        self.learning_rate_init = learning_rate_init
        self.lr = learning_rate_init
        self.schedule = learning_rate
        self.power_t = power_t
        self.momentum = momentum
        self.nesterov = nesterovs_momentum
        self.velocity = np.zeros(n_params, dtype=dtype)

    def step(self, x, g):
        """Return the new point and the (scalar) step size for the proximal step.

        The proximal step is the weight the update gives the current gradient:
        ``lr`` for plain momentum, ``(1 + momentum) * lr`` for Nesterov's.
        """
        self.velocity = self.momentum * self.velocity - self.lr * g
        if self.nesterov:
            x = x + self.momentum * self.velocity - self.lr * g
            return x, (1 + self.momentum) * self.lr
        return x + self.velocity, self.lr

    def prox_moved(self, before, after):
        """Add the proximal step's move to the velocity.

        Otherwise the velocity keeps the gradient's pull alone, which grows to
        ``1 / (1 - momentum)`` gradient steps against one threshold: the fixed
        point would solve the problem with ``alpha * (1 - momentum)``, a
        penalty 10x too weak at momentum 0.9. With the move added, a fixed
        point has zero velocity and satisfies the optimality condition of the
        objective as written. Without a proximal step nothing changes
        (MLPRegressor's update).
        """
        share = 1.0 / (1 + self.momentum) if self.nesterov else 1.0
        self.velocity += share * (after - before)

    def epoch_ends(self, samples_seen):
        if self.schedule == "invscaling":
            self.lr = self.learning_rate_init / (samples_seen + 1) ** self.power_t

    def keep_going_after_plateau(self):
        """'adaptive' divides the rate by 5 instead of stopping, down to 1e-6."""
        if self.schedule != "adaptive" or self.lr <= 1e-6:
            return False
        self.lr /= 5.0
        return True


class AdamState:
    """Adam (Kingma & Ba, 2014) with bias-corrected step size."""

    def __init__(
        self, n_params, *, learning_rate_init, beta_1, beta_2, epsilon, dtype=np.float64
    ):
        self.lr_init = learning_rate_init
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.m = np.zeros(n_params, dtype=dtype)
        self.v = np.zeros(n_params, dtype=dtype)

    def step(self, x, g):
        """Return the new point and the per-coordinate step for the proximal step."""
        self.t += 1
        # In place, with the operations of the textbook update in the same
        # order (same rounding): m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g g.
        tmp = (1 - self.beta_1) * g
        self.m *= self.beta_1
        self.m += tmp
        np.multiply(1 - self.beta_2, g, out=tmp)
        tmp *= g
        self.v *= self.beta_2
        self.v += tmp
        # A Python float, not a NumPy float64 scalar, so that float32
        # parameters stay float32 (NEP 50).
        lr = self.lr_init * float(np.sqrt(1 - self.beta_2**self.t))
        lr /= 1 - self.beta_1**self.t
        # The step each coordinate takes per unit of gradient: the proximal
        # step uses the same metric, so thresholds match the actual step.
        coordinate_step = np.sqrt(self.v)
        coordinate_step += self.epsilon
        np.divide(lr, coordinate_step, out=coordinate_step)
        np.multiply(coordinate_step, self.m, out=tmp)
        # The proximal metric is the preconditioner alone, lr / (sqrt(v_hat)
        # + eps): the bias correction of m belongs to the gradient, not to the
        # threshold (it would inflate early thresholds up to 10x).
        coordinate_step *= 1 - self.beta_1**self.t
        return np.subtract(x, tmp, out=tmp), coordinate_step

    def prox_moved(self, before, after):
        """Nothing to update: Adam's moments follow the gradients only."""

    def epoch_ends(self, samples_seen):
        pass

    def keep_going_after_plateau(self):
        return False


@dataclass
class StochasticProgress:
    """What carries over between calls of :func:`stochastic` (partial_fit).

    ``optimizer`` is None after a divergence: the caller builds a fresh one.
    """

    optimizer: object
    samples_seen: int = 0
    loss_rule: object = None
    score_rule: object = None
    best_x: np.ndarray = None
    validation_scores: list = field(default_factory=list)

    def state_dict(self):
        """A plain-data copy of this progress: dicts of numbers, strings and arrays.

        What a saved estimator holds instead of solver objects, so that
        ``skops.io`` needs to trust no solver class; see :meth:`from_state_dict`.
        """
        return copy.deepcopy(
            {
                # None after a divergence: the next call builds one.
                "optimizer_class": None
                if self.optimizer is None
                else type(self.optimizer).__name__,
                "optimizer": {} if self.optimizer is None else vars(self.optimizer),
                "samples_seen": self.samples_seen,
                "loss_rule": vars(self.loss_rule),
                "score_rule": vars(self.score_rule),
                "best_x": self.best_x,
                "validation_scores": self.validation_scores,
            }
        )

    @classmethod
    def from_state_dict(cls, state):
        """Rebuild a progress from :meth:`state_dict` output.

        Only this module's optimizer classes can be named by the state.
        """
        state = copy.deepcopy(state)
        optimizers = {c.__name__: c for c in (SGDState, AdamState)}
        name = state["optimizer_class"]
        if name is None:
            optimizer = None
        elif name in optimizers:
            optimizer = optimizers[name].__new__(optimizers[name])
            vars(optimizer).update(state["optimizer"])
        else:
            raise ValueError(f"Unknown optimizer class {name!r} in the saved state.")
        loss_rule = _NoImprovement.__new__(_NoImprovement)
        vars(loss_rule).update(state["loss_rule"])
        score_rule = _NoImprovement.__new__(_NoImprovement)
        vars(score_rule).update(state["score_rule"])
        return cls(
            optimizer=optimizer,
            samples_seen=state["samples_seen"],
            loss_rule=loss_rule,
            score_rule=score_rule,
            best_x=state["best_x"],
            validation_scores=state["validation_scores"],
        )


def stochastic(
    batch_value_and_grad,
    x0,
    n_samples,
    *,
    progress,
    batch_size,
    max_iter,
    shuffle,
    rng,
    prox=None,
    validation_score=None,
    callback=None,
):
    """Minibatch training: ``max_iter`` epochs of ``progress.optimizer`` steps.

    Parameters
    ----------
    batch_value_and_grad : callable ``(x, indices) -> (f, g)``
        Objective on the samples ``indices`` and its gradient.
    progress : StochasticProgress
        Optimizer and stopping state; updated in place so that a later call
        resumes where this one ended.
    validation_score : callable ``x -> float`` or None
        Higher is better. When given, stopping follows the validation score and
        the best parameters seen are returned (early stopping); otherwise it
        follows the training loss.

    Returns
    -------
    SolverResult
        ``loss_curve`` holds the sample-averaged objective per epoch: the
        objective on each batch at the point the step starts from, weighted
        by the batch's size (MLPRegressor's ``loss_curve_``). The final point
        is checked on the first batch of the last epoch's order; if its
        objective or gradient is not finite there, the result is marked
        diverged and ``x`` is the last point whose batch objective was finite.
    """
    opt = progress.optimizer
    x = np.array(x0, copy=True)
    x_good = x
    curve = []
    indices = np.arange(n_samples)

    def finish(n_iter, converged):
        # Every point is evaluated on the next batch, except the last one: it
        # is checked on one batch too (not on all the data: that would cost
        # a third of an epoch on a large data set), and training counts as
        # diverged if its objective there is not finite. The caller may still
        # find it non-finite on other rows and fall back to last_finite_x.
        f, g = batch_value_and_grad(x, indices[:batch_size])
        if not _all_finite(f, g):
            return SolverResult(x_good, n_iter, curve, diverged=True, state=progress)
        return SolverResult(
            x, n_iter, curve, converged=converged, state=progress, last_finite_x=x_good
        )

    for epoch in range(max_iter):
        if shuffle:
            rng.shuffle(indices)
        total = 0.0
        for start in range(0, n_samples, batch_size):
            batch = indices[start : start + batch_size]
            f, g = batch_value_and_grad(x, batch)
            if not _all_finite(f, g):
                # The last point whose objective was finite (on its batch);
                # with one batch per epoch that is the previous epoch's end.
                return SolverResult(x_good, epoch, curve, diverged=True, state=progress)
            x_good = x
            total += float(f) * len(batch)
            x_step, step = opt.step(x, g)
            if prox is None:
                x = x_step
            else:
                x = prox(x_step, step)
                opt.prox_moved(x_step, x)
        progress.samples_seen += n_samples
        epoch_loss = total / n_samples
        curve.append(epoch_loss)
        if callback is not None:
            callback(epoch, epoch_loss)
        opt.epoch_ends(progress.samples_seen)

        progress.loss_rule.update(epoch_loss)
        if validation_score is not None:
            score = float(validation_score(x))
            progress.validation_scores.append(score)
            if progress.score_rule.update(score):
                progress.best_x = x.copy()
            rule = progress.score_rule
        else:
            rule = progress.loss_rule
        if rule.exhausted:
            if opt.keep_going_after_plateau():
                rule.count = 0
            else:
                return finish(epoch + 1, converged=True)
    return finish(max_iter, converged=False)


def new_progress(optimizer, tol, n_iter_no_change):
    """Fresh :class:`StochasticProgress` for ``optimizer``."""
    return StochasticProgress(
        optimizer=optimizer,
        loss_rule=_NoImprovement(tol, n_iter_no_change),
        score_rule=_NoImprovement(tol, n_iter_no_change, higher_is_better=True),
    )
