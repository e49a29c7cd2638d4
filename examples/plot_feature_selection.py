"""
=====================================================
Feature selection with the group lasso on Friedman #1
=====================================================

In a network, zero weights scattered through the layers select nothing: an
input feature only leaves the model when *every* weight leaving it is zero.
``penalty='group_lasso'`` penalises the Euclidean norm of each row of the
first weight matrix, and its proximal step sets whole rows to exactly zero.

Friedman #1 has 5 informative features out of 50::

    y = 10 sin(pi x0 x1) + 20 (x2 - 0.5)**2 + 10 x3 + 5 x4 + noise

Features 0 and 1 interact, feature 2 has an even (U-shaped) effect and 3, 4
are linear. A linear model such as :class:`~sklearn.linear_model.LassoCV`
cannot see the U-shaped effect of feature 2, which has no linear trend.
"""

# %%
# Data
# ----
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LassoCV
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sk_regnet import RegularizedMLPRegressor, RegularizedMLPRegressorCV

X, y = make_friedman1(n_samples=1000, n_features=50, noise=1.0, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
y_mean, y_scale = y_train.mean(), y_train.std()
y_train, y_test = (y_train - y_mean) / y_scale, (y_test - y_mean) / y_scale

# %%
# The linear baseline: LassoCV
# ----------------------------
lasso = LassoCV(cv=3).fit(X_train, y_train)
lasso_selected = np.flatnonzero(lasso.coef_)
print(f"LassoCV keeps {lasso_selected.size} features: {lasso_selected.tolist()}")
print(f"LassoCV test R2: {lasso.score(X_test, y_test):.3f}")

# %%
# Plain group lasso
# -----------------
# The default solver (``'auto'``, FISTA for a penalty) handles the group
# lasso exactly. The plain group lasso charges a feature by the size of its
# weights, and an even effect such as feature 2's needs large weights: raising
# ``alpha`` until every noise feature is gone drops feature 2 first. At a
# small ``alpha`` it keeps feature 2 but also most noise features.
#
# Some fits stop at ``max_iter`` (they still improve by more than ``tol``);
# we silence that warning here.
warnings.simplefilter("ignore", ConvergenceWarning)

plain = RegularizedMLPRegressor(
    (8,), penalty="group_lasso", alpha=0.01, random_state=0
).fit(X_train, y_train)
print(
    f"group lasso (alpha=0.01) keeps {plain.n_features_selected_} features, "
    f"test R2 {plain.score(X_test, y_test):.3f}"
)

# %%
# Adaptive group lasso with alpha chosen by cross-validation: one line
# --------------------------------------------------------------------
# ``group_weights='adaptive'`` weights each feature by the inverse of its
# squared norm in a first, lightly penalised fit, inside ``fit``: features the
# first fit barely used are charged much more than those it relied on.
# :class:`~sk_regnet.RegularizedMLPRegressorCV` computes those weights inside
# each fold from its training rows, and chooses ``alpha`` on its automatic
# grid; ``selection_frequency_`` says how many folds kept each feature.
adaptive = RegularizedMLPRegressorCV(
    (16,), penalty="group_lasso", group_weights="adaptive", random_state=0
).fit(X_train, y_train)
print(
    f"adaptive group lasso (alpha_={adaptive.alpha_:.3g}) keeps "
    f"{adaptive.n_features_selected_} features: "
    f"{np.flatnonzero(adaptive.feature_importances_).tolist()}, "
    f"test R2 {adaptive.score(X_test, y_test):.3f}"
)
stable = np.flatnonzero(adaptive.selection_frequency_ == 1.0).tolist()
print(f"kept by every fold: {stable}")

# %%
# Side by side
# ------------
# Importances normalised to sum to one. The informative features are 0-4.
lasso_importances = np.abs(lasso.coef_) / np.abs(lasso.coef_).sum()
fig, axes = plt.subplots(3, 1, figsize=(8, 7), sharex=True)
panels = [
    (lasso_importances, "LassoCV (linear)"),
    (plain.feature_importances_, "group lasso, alpha=0.01"),
    (adaptive.feature_importances_, "adaptive group lasso, RegularizedMLPRegressorCV"),
]
for ax, (importance, title) in zip(axes, panels):
    colors = ["tab:orange" if j < 5 else "tab:blue" for j in range(X.shape[1])]
    ax.bar(np.arange(X.shape[1]), importance, color=colors)
    ax.set_title(f"{title}: {np.count_nonzero(importance)} features kept")
    ax.set_ylabel("importance")
axes[-1].set_xlabel("feature (orange: informative)")
fig.tight_layout()
plt.show()
