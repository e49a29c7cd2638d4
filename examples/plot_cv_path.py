"""
=======================================================
Choosing alpha with a cross-validated warm-started path
=======================================================

:class:`~sk_regnet.RegularizedMLPRegressorCV` picks the L1 strength of a small
network by cross-validation. On every fold it fits one regularization path,
from dense (small alpha) to sparse (large alpha), each step starting from the
previous solution, and scores it on the held-out part after every step. The
final network follows the same path on all the data up to the chosen alpha.

The data are Friedman's benchmark function: only the first five of the ten
features matter. The L1 penalty shrinks the weights that leave the others.

The grid is given explicitly, from nearly unpenalised to a nearly constant
network, so that the validation curve has its minimum inside it. (With
``alphas=None`` the grid is built from the data by a heuristic whose upper
end can fall short of that: when ``alpha_`` is the largest alpha searched,
widen the grid.)
"""

# %%
# Fit the cross-validated path
# ----------------------------
import warnings

import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sk_regnet import RegularizationPathDisplay, RegularizedMLPRegressorCV

X, y = make_friedman1(n_samples=300, n_features=10, noise=0.5, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

model = RegularizedMLPRegressorCV(
    hidden_layer_sizes=(8,),
    activation="tanh",
    penalty="l1",
    alphas=np.geomspace(1e-3, 3, 8),
    cv=3,
    max_iter=3000,
    random_state=0,
)
with warnings.catch_warnings():
    # The cold first fit of a path, at the smallest alpha, may stop at max_iter.
    warnings.simplefilter("ignore", ConvergenceWarning)
    model.fit(X_train, y_train)

print(f"alphas searched: {model.alphas_[0]:.2g} .. {model.alphas_[-1]:.2g}")
print(f"chosen alpha_:   {model.alpha_:.3g}")
print(f"test MSE:        {np.mean((model.predict(X_test) - y_test) ** 2):.3f}")

# %%
# Validation error and sparsity along the path
# --------------------------------------------
# The curve is the mean validation MSE over the folds, the band one standard
# deviation; the dashed line marks ``alpha_``. On the right: how many weights
# are still non-zero at each alpha, and on an axis of its own how many input
# features the network still uses.
display = RegularizationPathDisplay.from_estimator(model)

# %%
# Which features survived
# -----------------------
# The norm of the first-layer row that leaves each input feature: zero means
# the feature is not used at all. At the alpha that predicts best, L1 on every
# weight rarely zeroes a whole row (here none), and a small row is not only
# noise: the linear terms of x3 and x4 run through the tanh's linear range
# with small input weights. Dropping whole features is the group lasso's job
# (see the feature selection example).
row_norms = np.linalg.norm(model.coefs_[0], axis=1)
for j, norm in enumerate(row_norms):
    print(f"feature {j}: {'used' if norm > 0 else 'dropped'} (row norm {norm:.2f})")
