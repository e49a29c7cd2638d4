"""
==================================================
Tuning the penalty and alpha with GridSearchCV
==================================================

:class:`~sk_regnet.RegularizedMLPRegressor` is an ordinary scikit-learn
regressor, so the penalty and its strength ``alpha`` are tuned like any other
hyperparameter. Networks train best on standardised inputs and targets: the
scalers go inside the model (a :class:`~sklearn.pipeline.Pipeline` for the
features, a :class:`~sklearn.compose.TransformedTargetRegressor` for the
target) so that every cross-validation fold fits its own.

The data are Friedman #1: ten uniform features of which only the first five
enter :math:`10 \\sin(\\pi x_0 x_1) + 20 (x_2 - 0.5)^2 + 10 x_3 + 5 x_4`, plus
unit noise.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import GridSearchCV, KFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_regnet import RegularizedMLPRegressor

X, y = make_friedman1(n_samples=200, noise=1.0, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)


def scaled(estimator):
    """Standardise the features and the target around ``estimator``."""
    return TransformedTargetRegressor(
        regressor=make_pipeline(StandardScaler(), estimator),
        transformer=StandardScaler(),
    )


# At the smallest alphas a few folds stop at ``max_iter`` short of the
# tolerance; the selection does not need more, so we silence that warning.
warnings.filterwarnings("ignore", category=ConvergenceWarning)
model = scaled(RegularizedMLPRegressor((10,), "tanh", max_iter=300, random_state=0))

# %%
# The grid: two penalties times four values of alpha. The parameter names
# follow the nesting: target transformer -> pipeline step -> network.
alphas = np.geomspace(1e-3, 1, 4)
prefix = "regressor__regularizedmlpregressor__"
search = GridSearchCV(
    model,
    {prefix + "penalty": ["l1", "l2"], prefix + "alpha": alphas},
    cv=KFold(3, shuffle=True, random_state=0),
    scoring="neg_mean_squared_error",
).fit(X_train, y_train)

best = search.best_params_
print(f"best: penalty={best[prefix + 'penalty']}, alpha={best[prefix + 'alpha']:g}")
for params, score in zip(
    search.cv_results_["params"], search.cv_results_["mean_test_score"]
):
    print(
        f"  {params[prefix + 'penalty']}  alpha={params[prefix + 'alpha']:<7g} CV MSE {-score:.3f}"
    )

# %%
# Against a linear baseline on the held-out test set. The network's
# cross-validated choice beats the best ridge regression, which cannot
# represent the sine and the square in the target.
ridge = scaled(RidgeCV(alphas=np.geomspace(1e-3, 1e3, 13))).fit(X_train, y_train)
for name, fitted in [("network", search), ("RidgeCV", ridge)]:
    mse = np.mean((y_test - fitted.predict(X_test)) ** 2)
    print(f"{name:8} test MSE {mse:.3f}")

net = search.best_estimator_.regressor_[-1]
kept = np.count_nonzero(net.coefs_[0], axis=1)
print("first-layer weights kept per input feature:", kept)

# %%
# Validation curves
# -----------------
# Too small an alpha overfits, too large a one underfits; the cross-validated
# MSE is lowest in between. (In MSE units of the original target.)
results = search.cv_results_
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
for penalty in ["l1", "l2"]:
    mask = np.asarray(results["param_" + prefix + "penalty"]) == penalty
    mean = -results["mean_test_score"][mask]
    std = results["std_test_score"][mask]
    ax.errorbar(alphas, mean, yerr=std, marker="o", capsize=3, label=penalty)
ax.set(xscale="log", xlabel="alpha", ylabel="CV mean squared error")
ax.set_title("Validation curve per penalty")
ax.legend()
plt.show()
