"""Optimisers on flat parameter vectors: the full-batch solvers.

The solvers know nothing of networks or scikit-learn: each takes callables on
a flat float vector (``value_and_grad(x) -> (f, g)``, optionally
``prox(x, step) -> x``) and a start point, and returns a :class:`SolverResult`.
They never warn; the estimator turns ``converged``/``diverged`` into warnings.
Here: gradient descent (``gd``), L-BFGS-B (``lbfgs``) and FISTA (``fista``);
the minibatch solver and its optimizers are in ``_stochastic``.
"""

import math

import numpy as np
import scipy.optimize

from ._solver_base import SolverResult, _all_finite, _NoImprovement

# Pickles of fitted estimators from versions before the stochastic solvers
# had a module of their own name these classes (and ``_NoImprovement``) by
# this module's path: they must stay importable from here.
from ._stochastic import AdamState, SGDState, StochasticProgress  # noqa: F401


def gd(
    value_and_grad,
    x0,
    *,
    learning_rate,
    max_iter,
    tol,
    n_iter_no_change,
    prox=None,
    callback=None,
):
    """Plain full-batch gradient descent ``x <- x - learning_rate * grad``.

    With ``prox`` a proximal step follows each gradient step. With ``tol=0``
    exactly ``max_iter`` steps are taken (unless the objective diverges).
    """
    x = np.array(x0, copy=True)
    curve = []
    rule = _NoImprovement(tol, n_iter_no_change)
    x_good = x
    for it in range(max_iter):
        f, g = value_and_grad(x)
        if not _all_finite(f, g):
            # ``x`` made J non-finite: hand back the last point where it was
            # finite (the start point if the very first evaluation failed).
            return SolverResult(x_good, it, curve, converged=False, diverged=True)
        x_good = x
        curve.append(float(f))
        if callback is not None:
            callback(it, float(f))
        x = x - learning_rate * g
        if prox is not None:
            x = prox(x, learning_rate)
        if tol > 0:
            rule.update(f)
            if rule.exhausted:
                return SolverResult(
                    x, it + 1, curve, converged=True, last_finite_x=x_good
                )
    return SolverResult(x, max_iter, curve, converged=tol == 0, last_finite_x=x_good)


def _projected_gradient_norm(x, g, bounds):
    """Largest entry of L-BFGS-B's projected gradient, the quantity ``gtol`` bounds.

    A coordinate at a bound whose gradient points out of the box does not
    count (L-BFGS-B's ``projgr``); without bounds this is ``max |g|``.
    """
    if bounds is None:
        return float(np.max(np.abs(g), initial=0.0))
    projected = np.where(
        g < 0, np.maximum(x - bounds.ub, g), np.minimum(x - bounds.lb, g)
    )
    return float(np.max(np.abs(projected), initial=0.0))


def lbfgs(value_and_grad, x0, *, max_iter, max_fun, tol, bounds=None, callback=None):
    """L-BFGS-B through :func:`scipy.optimize.minimize`.

    ``tol`` is the projected-gradient tolerance (``gtol``) as in MLPRegressor;
    ``bounds`` a :class:`scipy.optimize.Bounds` or None. A non-finite objective
    is reported as ``inf`` to the line search, which then backs off. Should the
    run still end on a non-finite point (L-BFGS-B's own arithmetic overflowing
    on huge gradients), the best finite point evaluated is returned and the
    result is marked diverged.
    """
    curve = []
    best_f, best_x = np.inf, None
    dtype = np.asarray(x0).dtype
    cast = dtype != np.float64
    # The point (as bytes), value and gradient of the latest evaluation.
    last_key, last_f, last_g = None, None, None

    # scipy asks for the value, then for the gradient at the same point: one
    # evaluation serves both. (With ``jac=True`` scipy's own memo compares
    # the points elementwise, twice per evaluation, which costs more than
    # comparing their bytes.) Called once or twice per iteration: kept lean,
    # as its overhead counts on small problems (see docs/performance.rst).
    def fun(x):
        nonlocal best_f, best_x, last_key, last_f, last_g
        key = x.tobytes()
        if key == last_key:
            return last_f
        f, g = value_and_grad(x.astype(dtype) if cast else x)
        f = float(f)
        g = np.asarray(g, dtype=np.float64)
        if not _all_finite(f, g):
            f, g = np.inf, np.zeros_like(g)
        elif f < best_f:
            best_f, best_x = f, x.copy()
        last_key, last_f, last_g = key, f, g
        return f

    def jac(x):
        if x.tobytes() != last_key:
            fun(x)
        return last_g

    x_start = np.asarray(x0, dtype=np.float64)
    if bounds is not None:
        x_start = np.clip(x_start, bounds.lb, bounds.ub)
    # L-BFGS-B's first test: a start that already meets gtol (a warm start at
    # a solution, as along a regularization path) stops with no iteration.
    # Checked here to skip scipy's set-up, whose per-variable Python loop over
    # the bounds costs milliseconds on a network of a thousand weights. scipy
    # then starts from this evaluation (the memo above).
    if (
        math.isfinite(fun(x_start))
        and _projected_gradient_norm(x_start, last_g, bounds) <= tol
    ):
        # A new array, as scipy would return: never the caller's x0.
        return SolverResult(np.array(x_start, dtype=dtype), 0, curve, True)

    def on_iteration(intermediate_result):
        curve.append(float(intermediate_result["fun"]))
        if callback is not None:
            callback(len(curve) - 1, curve[-1])

    res = scipy.optimize.minimize(
        fun,
        x_start,
        method="L-BFGS-B",
        jac=jac,
        bounds=bounds,
        callback=on_iteration,
        options={"maxiter": max_iter, "maxfun": max_fun, "gtol": tol},
    )
    x = res.x
    # L-BFGS-B's own arithmetic can overflow on huge gradients and end on a
    # non-finite point: then fall back to the best finite point evaluated.
    diverged = not (np.isfinite(res.fun) and np.all(np.isfinite(x)))
    if diverged and best_x is not None:
        x = best_x
    converged = res.status == 0 and not diverged
    return SolverResult(
        x.astype(dtype, copy=False), int(res.nit), curve, converged, diverged
    )


def _curvature(value_and_grad, x, g, v):
    """One power-iteration step on the Hessian of ``f`` at ``x``, from ``v``.

    The Hessian-vector product is a difference of gradients,
    ``H v ~ (grad f(x + h v) - g) / h`` with ``g = grad f(x)``: one gradient
    evaluation. Returns ``(||H v|| / ||v||, H v / ||H v||)``: a lower bound
    of the largest curvature ``max |eig(H)|`` (the gradient's local
    Lipschitz constant), which further steps from the returned direction
    raise towards it (``v``'s own direction when ``H v`` is zero); None
    when the probe is not finite or ``v`` is zero.
    """
    vnorm = np.linalg.norm(v)
    if not (np.isfinite(vnorm) and vnorm > 0):
        return None
    h = 1e-4 * max(np.linalg.norm(x), 1.0) / vnorm
    _, g_probe = value_and_grad(x + h * v)
    # ||g_probe - g|| / (h ||v||): the arithmetic of the probe that set the
    # initial L before the floor existed, so fits without it are unchanged.
    diff = g_probe - g
    diff_norm = np.linalg.norm(diff)
    if not np.isfinite(diff_norm):
        return None
    if diff_norm == 0:
        return 0.0, v / vnorm
    return diff_norm / (h * vnorm), diff / diff_norm


# L >= STABLE_FRACTION * max |eig(H)| keeps every direction of the accelerated
# step from growing, whatever the momentum (see fista).
STABLE_FRACTION = 0.75


def fista(
    value_and_grad,
    x0,
    *,
    max_iter,
    tol,
    n_iter_no_change,
    prox=None,
    nonsmooth=None,
    value=None,
    lipschitz_init=None,
    backtrack_factor=2.0,
    step_growth=2.0,
    max_backtracks=60,
    curvature_every=0,
    callback=None,
):
    """Accelerated proximal gradient (FISTA) with backtracking and adaptive restart.

    Minimises ``F(x) = f(x) + h(x)`` with ``f`` smooth (``value_and_grad``)
    and ``h`` handled through its proximal operator ``prox(x, step)``, which
    returns ``argmin_z h(z) + ||z - x||**2 / (2 * step)``. Full batch and
    deterministic.

    Each iteration takes a proximal gradient step from the extrapolated point
    ``y`` with step ``1 / L``. ``L`` is found by backtracking: it is
    multiplied by ``backtrack_factor`` until the sufficient-decrease condition
    ``f(x+) <= f(y) + g(y).(x+ - y) + L/2 ||x+ - y||**2`` holds, and divided by
    it at the start of the next iteration so the step can grow again. The
    momentum restarts (O'Donoghue & Candès, 2015) whenever ``F`` would
    increase: the step is then redone from the last iterate without
    momentum, so ``F`` never increases, which is what makes the method safe
    on non-convex objectives such as a network's.

    The sufficient-decrease test certifies the curvature along the step
    only, and the step grows between iterations: unchecked, ``L`` drifts far
    below the largest curvature ``lambda`` of directions the step does not
    probe (measured: up to 7x on a network), where the iteration amplifies
    whatever lies along them, rounding errors included (fits that should be
    equal, such as weighted and repeated rows, then drift apart by 1e-5).
    On a quadratic, a direction of curvature ``lambda`` evolves as
    ``e+ = (1 - lambda / L) ((1 + beta) e - beta e-)`` with momentum
    ``beta``; it does not grow while ``L >= lambda (1 + 2 beta) / (2 + 2
    beta)``, which is ``lambda / 2`` without momentum and tends to ``3/4
    lambda`` as ``beta -> 1``. With ``curvature_every > 0``, ``L`` is kept
    at least ``STABLE_FRACTION = 3/4`` of an estimate of ``lambda``: one
    step of power iteration on the Hessian (a difference of gradients)
    every ``curvature_every`` iterations, from the previous vector, which
    tracks the largest curvature as it changes. That costs one gradient per
    ``curvature_every`` iterations, and leaves the steps longer than
    ``1 / lambda`` that make the method fast on networks. The floor also
    slows the directions of small curvature (measured on the regressor's
    L1 fits: objective 13% higher at the default budget), so it is off by
    default and the classifier turns it on (see ``_training``).

    Parameters
    ----------
    value_and_grad : callable ``x -> (f, g)``
        Smooth part and its gradient.
    x0 : ndarray
        Start point (not modified).
    max_iter : int
        Maximum number of iterations.
    tol, n_iter_no_change : float, int
        Stop once ``F`` has failed to improve on its best value by more than
        ``tol`` for more than ``n_iter_no_change`` iterations in a row, or
        once the gradient mapping ``L (y - x+)`` of a step (the proximal
        analogue of L-BFGS-B's projected gradient) is at most ``tol`` in
        every coordinate; with ``tol=0`` exactly ``max_iter`` iterations are
        run.
    prox : callable ``(x, step) -> x`` or None
        Proximal operator of ``h``; None for ``h = 0``.
    nonsmooth : callable ``x -> float`` or None
        ``h(x)``; None for ``h = 0``.
    value : callable ``x -> f`` or None
        The smooth part alone, without its gradient. When given, the
        backtracking trials use it, and gradients are computed only at the
        points that need them (the extrapolated points, and an iterate when
        the method restarts), which saves most gradient evaluations.
    lipschitz_init : float or None
        Initial ``L``; None estimates it from a gradient difference.
    backtrack_factor : float
        Factor by which ``L`` grows when backtracking (> 1).
    step_growth : float
        Factor by which ``L`` is divided at the start of each iteration
        (>= 1; 1 never lets the step grow back).
    max_backtracks : int
        Backtracking steps per iteration before giving up (reported as
        not converged).
    curvature_every : int
        Iterations between two updates of the largest-curvature estimate
        that bounds ``L`` from below; 0 leaves ``L`` to the backtracking
        alone.
    callback : callable ``(iteration, F)`` or None

    Returns
    -------
    SolverResult
        ``loss_curve`` holds ``F`` at each iterate.
    """
    x = np.array(x0, copy=True)
    dtype = x.dtype

    def composite(z, f_z):
        return float(f_z) + (0.0 if nonsmooth is None else float(nonsmooth(z)))

    def step_from(y, f_y, g_y, L):
        """Backtracked proximal gradient step from ``y``: (x+, f(x+), g(x+), L)."""
        for _ in range(max_backtracks):
            z = y - g_y / L
            if prox is not None:
                z = prox(z, 1.0 / L)
            z = z.astype(dtype, copy=False)
            if value is None:
                f_z, g_z = value_and_grad(z)
                finite = _all_finite(f_z, g_z)
            else:
                f_z, g_z = value(z), None
                finite = np.isfinite(f_z)
            d = z - y
            bound = f_y + np.dot(g_y, d) + 0.5 * L * np.dot(d, d)
            if finite and f_z <= bound + 1e-12 * abs(bound):
                return z, f_z, g_z, L
            L *= backtrack_factor
        return None

    f_x, g_x = value_and_grad(x)
    if not _all_finite(f_x, g_x):
        return SolverResult(x, 0, [], converged=False, diverged=True)
    F_x = composite(x, f_x)
    # The first power step, from -g, also gives the initial L.
    v, curvature = -g_x, None
    if curvature_every or not lipschitz_init:
        found = _curvature(value_and_grad, x, g_x, v)
        if found is not None:
            curvature, v = found
    L = lipschitz_init or (1.0 if curvature is None else max(curvature, 1e-8))
    L_floor = STABLE_FRACTION * curvature if curvature_every and curvature else 0.0
    x_prev = x
    t = 1.0
    y, f_y, g_y = x, f_x, g_x
    curve = []
    rule = _NoImprovement(tol, n_iter_no_change)
    for it in range(max_iter):
        if curvature_every and it > 0 and it % curvature_every == 0:
            found = _curvature(value_and_grad, y, g_y, v)
            if found is not None:
                L_floor, v = STABLE_FRACTION * found[0], found[1]
        L = max(L / step_growth, L_floor)
        step = step_from(y, f_y, g_y, L)
        F_new = None
        if step is not None:
            z, f_z, g_z, L = step
            F_new = composite(z, f_z)
        origin = y
        if (step is None or not F_new <= F_x) and y is not x:
            # Adaptive restart: drop the momentum and step from x itself.
            t, origin = 1.0, x
            if g_x is None:
                f_x, g_x = value_and_grad(x)
            step = step_from(x, f_x, g_x, L) if np.all(np.isfinite(g_x)) else None
            if step is not None:
                z, f_z, g_z, L = step
                F_new = composite(z, f_z)
        if step is None or not np.isfinite(F_new):
            return SolverResult(x, it, curve, converged=False)
        x_prev, x = x, z
        f_x, g_x, F_x = f_z, g_z, F_new
        curve.append(F_x)
        if callback is not None:
            callback(it, F_x)
        if tol > 0:
            rule.update(F_x)
            # The gradient mapping L (origin - x) is the proximal analogue of
            # L-BFGS-B's projected gradient: at most tol, the point is
            # stationary to first order (a warm start near its solution
            # stops here at once, not after n_iter_no_change iterations).
            if rule.exhausted or L * np.max(np.abs(origin - x)) <= tol:
                return SolverResult(x, it + 1, curve, converged=True)
        t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        beta = (t - 1.0) / t_next
        t = t_next
        if beta > 0:
            y = (x + beta * (x - x_prev)).astype(dtype, copy=False)
            f_y, g_y = value_and_grad(y)
            if _all_finite(f_y, g_y):
                continue
            t = 1.0
        if g_x is None:
            f_x, g_x = value_and_grad(x)
            if not _all_finite(f_x, g_x):
                return SolverResult(x, it + 1, curve, converged=False)
        y, f_y, g_y = x, f_x, g_x
    return SolverResult(x, max_iter, curve, converged=tol == 0)
