"""Adaptive group lasso inside the estimators, and selection frequency (issue 14)."""

import warnings

import numpy as np
import pytest
from conftest import standardized_split
from numpy.testing import assert_allclose
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning

from sk_regnet import RegularizedMLPRegressor, RegularizedMLPRegressorCV
from sk_regnet._grid import grid_top, loss_gradient_at_zero
from sk_regnet._losses import get_loss
from sk_regnet._mlp import ADAPTIVE_ALPHA


def _friedman(seed, n_samples, n_features, noise):
    X, y = make_friedman1(n_samples, n_features, noise=noise, random_state=seed)
    return standardized_split(X, y, seed)


def test_adaptive_weights_come_from_a_first_stage_fit():
    X, _, y, _ = _friedman(0, 200, 8, 1.0)
    params = dict(hidden_layer_sizes=(6,), penalty="group_lasso", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = RegularizedMLPRegressor(group_weights="adaptive", **params).fit(X, y)
        assert model.group_weights == "adaptive"  # the parameter is kept
        plain = RegularizedMLPRegressor(**params)
        G = loss_gradient_at_zero(get_loss("squared_error"), X, y, None)
        top = grid_top(plain._make_penalty(X.shape[1]), G)
        first = plain.set_params(alpha=ADAPTIVE_ALPHA * top).fit(X, y)
    assert_allclose(
        model._adaptive_first_stage(X, y, None)[1].coefs_[0], first.coefs_[0]
    )
    norms = np.linalg.norm(first.coefs_[0], axis=1)
    expected = 1 / np.maximum(norms, 1e-3 * norms.max()) ** 2
    assert_allclose(model.group_weights_, expected, rtol=1e-10)
    # The weights are used: the penalty charges the noise features more.
    assert model.group_weights_[5:].min() > model.group_weights_[:5].max()


def test_adaptive_needs_the_group_lasso():
    X, y = make_friedman1(40, 5, random_state=0)
    with pytest.raises(ValueError, match="group_weights='adaptive' needs"):
        RegularizedMLPRegressor(penalty="l1", group_weights="adaptive").fit(X, y)


@pytest.mark.parametrize(
    "seed, n_samples, n_features, noise",
    [(0, 400, 20, 1.0), (1, 1000, 50, 0.5), (3, 600, 30, 2.0)],
)
def test_cv_adaptive_group_lasso_selects_friedman_features(
    seed, n_samples, n_features, noise
):
    # Only features 0-4 of make_friedman1 matter. The automatic grid and the
    # default network, nothing tuned to the data set.
    X_train, X_test, y_train, y_test = _friedman(seed, n_samples, n_features, noise)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = RegularizedMLPRegressorCV(
            penalty="group_lasso",
            group_weights="adaptive",
            solver="fista",
            random_state=seed,
        ).fit(X_train, y_train)
    assert np.flatnonzero(model.feature_importances_).tolist() == [0, 1, 2, 3, 4]
    # R2 bound of the noise: var(f) is about 24 for Friedman #1.
    assert model.score(X_test, y_test) >= 0.9 * 24 / (24 + noise**2)
    assert 0 < np.searchsorted(model.alphas_, model.alpha_) < len(model.alphas_) - 1
    # Selection frequency: per feature, the share of folds keeping it.
    freq = model.selection_frequency_
    assert freq.shape == (n_features,)
    n_folds = model.mse_path_.shape[1]
    best = int(np.searchsorted(model.alphas_, model.alpha_))
    assert_allclose(freq.sum() * n_folds, model.selected_features_path_[best].sum())
    assert np.all(freq[:5] == 1.0)


def test_null_gradient_level_bounds_noise_inputs():
    # Inputs unrelated to the target: the largest group norm of G = X^T r
    # stays below the level in nearly every draw (and is not far below it).
    from sk_regnet._grid import null_gradient_level, output_residual
    from sk_regnet._losses import get_classification_loss

    rng = np.random.RandomState(0)
    loss = get_classification_loss("binary")
    ids = np.repeat(np.arange(10), 2)  # 10 groups of two inputs
    ratios = []
    for _ in range(200):
        X = rng.normal(size=(300, 20))
        y = (rng.rand(300) < 0.3).astype(float)[:, None]
        r = output_residual(loss, y, None)
        G = X.T @ r
        norms = np.sqrt(np.bincount(ids, weights=np.sum(G**2, axis=1)))
        ratios.append(norms.max() / null_gradient_level(X, r, ids, 10))
    ratios = np.array(ratios)
    assert np.mean(ratios < 1) > 0.9
    assert 0.4 < np.median(ratios) < 1
