"""
=====================================================
Classification: an XOR of two features among noise
=====================================================

The label is the XOR of the signs of features 0 and 1; 18 more features are
Gaussian noise, and 5% of the labels are flipped. Each feature on its own
says nothing about the label (for a fixed sign of feature 0, the two signs of
feature 1 are equally likely, and they give opposite labels), so a linear
classifier cannot beat a coin, however it is regularised. A network can
represent the XOR, and with the group lasso its first layer can also drop the
noise inputs.

:class:`~sk_regnet.RegularizedMLPClassifierCV` chooses ``alpha`` by
cross-validation on stratified folds, scored by the log-loss; here it runs at
its defaults except for the network (one hidden layer of 32 units) and the
penalty (``'group_lasso'`` with ``group_weights='adaptive'``, see
:doc:`/feature_selection`).
"""

# %%
# Data
# ----
# 1,000 rows, 20 standard normal features, the label ``(x0 > 0) XOR (x1 > 0)``
# with 5% of the labels flipped at random; a stratified 25% test split, and
# the features standardised on the training rows.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sk_regnet import RegularizationPathDisplay, RegularizedMLPClassifierCV

rng = np.random.default_rng(0)
n_samples, n_features = 1000, 20
X = rng.normal(size=(n_samples, n_features))
xor = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)
flipped = rng.random(n_samples) < 0.05
y = np.where(flipped, 1 - xor, xor)
X_train, X_test, y_train, y_test, xor_train, xor_test = train_test_split(
    X, y, xor, test_size=0.25, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

# The best any classifier can do on these test rows: predict the XOR itself.
print(f"test rows: {y_test.size}, classes {np.bincount(y_test).tolist()}")
print(f"accuracy of the noise-free XOR on them: {np.mean(y_test == xor_test):.3f}")

# %%
# The linear baseline: LogisticRegressionCV
# -----------------------------------------
# Chosen by the same criterion as our CV estimator, the log-loss. (Recent
# scikit-learn versions announce changes of LogisticRegressionCV's defaults
# with FutureWarnings; none of them matters for this comparison.)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)
    linear = LogisticRegressionCV(scoring="neg_log_loss").fit(X_train, y_train)
print(
    "LogisticRegressionCV: test accuracy "
    f"{accuracy_score(y_test, linear.predict(X_test)):.3f}, "
    f"log-loss {log_loss(y_test, linear.predict_proba(X_test)):.3f}"
)

# %%
# Chance: the classes are balanced, and predicting 0.5 for every row has a
# log-loss of log 2 = 0.693; the linear model does no better.

# %%
# The network, with the adaptive group lasso
# ------------------------------------------
model = RegularizedMLPClassifierCV(
    hidden_layer_sizes=(32,),
    penalty="group_lasso",
    group_weights="adaptive",
    random_state=0,
).fit(X_train, y_train)
position = int(np.searchsorted(model.alphas_, model.alpha_)) + 1
print(f"alpha_ = {model.alpha_:.3g} ({position} of {model.alphas_.size} in the grid)")
print(
    f"RegularizedMLPClassifierCV: test accuracy {model.score(X_test, y_test):.3f}, "
    f"log-loss {log_loss(y_test, model.predict_proba(X_test)):.3f}"
)
kept = np.flatnonzero(model.feature_importances_)
print(f"features kept: {kept.tolist()} ({model.n_features_selected_} of {n_features})")

# %%
# The network's test accuracy is close to the noise-free XOR's, the ceiling
# on these test rows, and the network kept exactly features 0 and 1. The
# chosen ``alpha_`` lies inside the automatic grid, in its upper part: the
# validation log-loss rises again at the larger alphas (see the plot below).

# %%
# ``selection_frequency_``
# ------------------------
# For each feature, the share of the five (stratified) folds whose network
# at ``alpha_`` still used it.
print("selection_frequency_:")
print(model.selection_frequency_.round(1))

# %%
# Features 0 and 1 are kept by every fold; a noise feature by one or two
# folds at most. Each fold's path, like the final one, takes a short budget
# of iterations at each alpha after its first (``max_iter_warm``, by default
# ``max(10, max_iter // 8)``); only the final path's last step, at
# ``alpha_``, runs with the full ``max_iter``. The inputs the folds'
# networks used after their short step at ``alpha_``, and the final path's
# last two steps:
step = int(np.searchsorted(model.alphas_, model.alpha_))
print(
    "features used by each fold's network at alpha_:",
    model.selected_features_path_[step].astype(int).tolist(),
)
for path_step in model.path_[-2:]:
    print(
        f"final path, alpha {path_step.alpha:.3g}: {path_step.n_iter} iterations, "
        f"converged {path_step.converged}, {path_step.n_features} features used"
    )

# %%
# A fold whose network still used a noise input after its short step at
# ``alpha_`` is what ``selection_frequency_`` counts; the final network's
# long last step dropped every noise input. With the log-loss, the adaptive
# weights come from a first fit held at or above the noise level of the
# loss's gradient (an XOR has no linear signal to set the scale), so that
# the first fit does not learn the noise and the weights tell features 0
# and 1 from the rest (see :doc:`/feature_selection`).
#
# Other draws of these data (other seeds of ``rng``) are not part of this
# example; ``benchmarks/study_classifier.py --variants`` measures the same
# settings on XOR data of other sizes and widths.

# %%
# Validation log-loss and sparsity along the path
# -----------------------------------------------
# The mean validation log-loss over the folds (the band one standard
# deviation), ``alpha_`` (dashed), and on the right the folds' non-zero
# weights and input features at each alpha.
display = RegularizationPathDisplay.from_estimator(model)

# %%
# What the network learned
# ------------------------
# The predicted probability of class 1 over features 0 and 1 (the others at
# their mean, 0): the four quadrants of the XOR.
grid = np.linspace(-3, 3, 121)
g0, g1 = np.meshgrid(grid, grid)
points = np.zeros((g0.size, n_features))
points[:, 0], points[:, 1] = g0.ravel(), g1.ravel()
proba = model.predict_proba(points)[:, 1].reshape(g0.shape)
fig, ax = plt.subplots(figsize=(5.5, 4.5))
contour = ax.contourf(g0, g1, proba, levels=np.linspace(0, 1, 11), cmap="RdBu_r")
fig.colorbar(contour, ax=ax, label="P(class 1)")
for label, style in ((0, dict(c="k", s=10)), (1, dict(c="w", edgecolor="k", s=18))):
    rows = y_test == label
    ax.scatter(
        X_test[rows, 0], X_test[rows, 1], label=f"test rows, class {label}", **style
    )
ax.set_xlim(-3, 3)
ax.set_ylim(-3, 3)
ax.legend(loc="lower left", fontsize="small", framealpha=0.9)
ax.set_xlabel("feature 0 (standardised)")
ax.set_ylabel("feature 1 (standardised)")
ax.set_title("RegularizedMLPClassifierCV, test rows")
fig.tight_layout()
plt.show()
