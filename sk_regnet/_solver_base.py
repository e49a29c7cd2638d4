"""What every solver shares: the result it hands back and when it stops.

``SolverResult`` is the record each solver of ``_solvers`` and ``_stochastic``
returns; ``_all_finite`` is the check of every evaluation for a non-finite
objective or gradient; ``_NoImprovement`` is MLPRegressor's stopping rule.
Like the solvers, these know no network and no scikit-learn.
"""

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass
class SolverResult:
    """What a solver hands back.

    Attributes
    ----------
    x : ndarray
        Final parameters (the last finite ones if training diverged).
    n_iter : int
        Iterations (steps, or epochs for the stochastic solvers) performed.
    loss_curve : list of float
        Objective value per iteration.
    converged : bool
        Whether the stopping criterion was met before the iteration budget ran out.
    diverged : bool
        Whether training stopped because the objective or gradient was not finite.
    state : object
        Solver state to resume from (stochastic solvers), else None.
    last_finite_x : ndarray or None
        The last point at which the solver evaluated a finite objective and
        gradient. gd never evaluates its final step, so the caller can fall
        back to this point should ``x`` turn out to give a non-finite
        objective. None when ``x`` itself was evaluated (lbfgs, fista, and
        the stochastic solvers, which check their final point on one batch).
    value : float or None
        The objective value the caller reports for this run (solvers leave it
        None): the estimator puts there the full objective at ``x``, or for
        the stochastic solvers the last entry of ``loss_curve``.
    """

    x: np.ndarray
    n_iter: int
    loss_curve: list = field(default_factory=list)
    converged: bool = False
    diverged: bool = False
    state: object = None
    last_finite_x: np.ndarray = None
    value: float = None


def _all_finite(f, g):
    """Whether ``f`` and every entry of the vector ``g`` are finite.

    ``g @ g`` is finite exactly when every entry is, unless it overflows;
    only then is each entry looked at. One dot product costs a fraction of
    ``isfinite(g).all()`` (an array of booleans, then a reduction), and this
    check runs at every evaluation. The overflow raises NumPy's floating-point
    error like any other in training: the estimator runs the solvers with
    those ignored.
    """
    if not math.isfinite(f):
        return False
    return math.isfinite(g.dot(g)) or bool(np.isfinite(g).all())


class _NoImprovement:
    """MLPRegressor's stopping rule: ``n_iter_no_change`` values in a row that
    fail to improve on the best by more than ``tol``."""

    def __init__(self, tol, n_iter_no_change, higher_is_better=False):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.sign = -1.0 if higher_is_better else 1.0
        self.best = np.inf
        self.count = 0

    def update(self, value):
        """Record a value; return True when it is the best so far."""
        v = self.sign * value
        self.count = self.count + 1 if v > self.best - self.tol else 0
        improved = v < self.best
        if improved:
            self.best = v
        return improved

    @property
    def exhausted(self):
        return self.count > self.n_iter_no_change

    @property
    def best_value(self):
        return self.sign * self.best
