"""
====================================
Custom loss and penalty via autograd
====================================

:class:`~sk_regnet.RegularizedMLPRegressor` differentiates a callable
``loss`` or ``penalty`` with autograd, so they may be any differentiable
functions written with ``autograd.numpy``:

- ``loss(y_true, y_pred, sample_weight) -> scalar``, with ``y_true`` and
  ``y_pred`` of shape ``(n_samples, n_outputs)`` and ``sample_weight`` an
  array of shape ``(n_samples,)`` or None;
- ``penalty(coefs) -> scalar``, with ``coefs`` the list of weight matrices
  (biases are never penalised), scaled by ``alpha``.

Here a log-cosh loss (quadratic for small residuals, linear for large ones)
resists outliers, and an :math:`L_p` penalty :math:`\\sum |w|^p` with
:math:`p = 1.5`, between ridge and lasso, shrinks the weights as ``alpha``
grows. Define such functions at module level so the fitted model pickles.
"""

# %%
# The two functions
# -----------------
import warnings

import autograd.numpy as anp
import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sk_regnet import RegularizedMLPRegressor

# 80 L-BFGS iterations keep this example fast; they are enough to see the
# effects, though not to meet the default tolerance.
warnings.filterwarnings("ignore", category=ConvergenceWarning)


def log_cosh(y_true, y_pred, sample_weight):
    """Weighted mean of log(cosh(residual))."""
    per_sample = anp.mean(anp.log(anp.cosh(y_pred - y_true)), axis=1)
    if sample_weight is None:
        return anp.mean(per_sample)
    return anp.sum(sample_weight * per_sample) / anp.sum(sample_weight)


def lp_penalty(coefs, p=1.5):
    """Sum of |w|**p over all weights."""
    return sum(anp.sum(anp.abs(W) ** p) for W in coefs)


# %%
# A robust fit with the log-cosh loss
# -----------------------------------
# A tenth of the targets are gross outliers. The squared error chases them;
# log-cosh grows only linearly in the residual and mostly ignores them.
rng = np.random.RandomState(0)
X = rng.uniform(-1, 1, (80, 1))
y = np.sin(np.pi * X[:, 0]) + 0.1 * rng.randn(80)
outliers = rng.choice(80, 8, replace=False)
y[outliers] += rng.choice([-6.0, 6.0], 8)
X_grid = np.linspace(-1, 1, 200).reshape(-1, 1)

fits = {}
for name, loss in [("squared error", "squared_error"), ("log-cosh", log_cosh)]:
    model = RegularizedMLPRegressor(
        (10,), "tanh", loss=loss, alpha=1e-4, max_iter=80, random_state=0
    ).fit(X, y)
    fits[name] = model.predict(X_grid)
    mse = np.mean((fits[name] - np.sin(np.pi * X_grid[:, 0])) ** 2)
    print(f"{name:>13}: MSE to the clean curve = {mse:.4f}")

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.scatter(X[:, 0], y, s=10, color="grey", label="data (10% outliers)")
for name, pred in fits.items():
    ax.plot(X_grid[:, 0], pred, label=name)
ax.plot(X_grid[:, 0], np.sin(np.pi * X_grid[:, 0]), "k:", label="sin(πx)")
ax.set_ylim(-2.5, 2.5)
ax.set_title("(the outliers, at about ±6, lie outside the view)", fontsize="small")
ax.legend(loc="lower right", fontsize="small")
fig.tight_layout()

# %%
# Shrinking the weights with an L\ :sub:`1.5` penalty
# ---------------------------------------------------
# The larger ``alpha``, the smaller the weights. The penalty is smooth, so
# every solver treats it through its gradient (no exact zeros, unlike
# ``penalty='l1'``).
alphas = [1e-4, 1e-3, 1e-2]
sizes = []
for alpha in alphas:
    model = RegularizedMLPRegressor(
        (10,), "tanh", penalty=lp_penalty, alpha=alpha, max_iter=80, random_state=0
    ).fit(X, y)
    sizes.append(lp_penalty(model.coefs_))
    print(f"alpha={alpha:g}: sum |w|^1.5 = {sizes[-1]:.2f}")

fig, ax = plt.subplots(figsize=(5, 3.5))
ax.loglog(alphas, sizes, "o-")
ax.set_xlabel("alpha")
ax.set_ylabel("sum of |w|^1.5 over the weights")
fig.tight_layout()
