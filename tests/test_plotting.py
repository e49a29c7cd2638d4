"""Tests of RegularizationPathDisplay (rendered with the Agg backend)."""

import sys
import warnings

import matplotlib
import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import NotFittedError

from sk_regnet import (
    RegularizationPathDisplay,
    RegularizedMLPRegressor,
    RegularizedMLPRegressorCV,
)

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def sparse_data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 4))
    return X, X[:, 0] - X[:, 1] + 0.1 * rng.normal(size=40)


@pytest.fixture(scope="module")
def fitted_cv(sparse_data):
    X, y = sparse_data
    return RegularizedMLPRegressorCV(
        (3,), penalty="l1", n_alphas=4, cv=2, max_iter=30, random_state=0
    ).fit(X, y)


def test_from_estimator_renders_labels_and_alpha(fitted_cv):
    display = RegularizationPathDisplay.from_estimator(fitted_cv)
    ax = display.ax_
    assert display.figure_ is ax.figure
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() == "alpha"
    assert ax.get_ylabel() == "validation MSE"
    assert ax.get_title() == "RegularizedMLPRegressorCV"
    assert_allclose(display.line_.get_xdata(), fitted_cv.alphas_)
    assert_allclose(display.line_.get_ydata(), fitted_cv.mse_path_.mean(axis=1))
    assert_allclose(display.alpha_line_.get_xdata(), [fitted_cv.alpha_] * 2)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"alpha_ = {fitted_cv.alpha_:.3g}" in legend
    assert "non-zero weights" in legend and "selected features" in legend
    sparsity = display.ax_sparsity_
    assert sparsity.get_ylabel() == "non-zero weights / selected features"
    nonzero_line = sparsity.get_lines()[0]
    assert_allclose(
        nonzero_line.get_ydata(), fitted_cv.nonzero_weights_path_.mean(axis=1)
    )
    display.figure_.canvas.draw()


def test_from_path_with_one_validation_curve_and_given_axes():
    _, ax = plt.subplots()
    alphas = np.array([1e-1, 1e-3, 1e-2])  # any order: plotted sorted
    display = RegularizationPathDisplay.from_path(alphas, [0.5, 0.3, 0.2], ax=ax)
    assert display.ax_ is ax
    assert_allclose(display.line_.get_xdata(), [1e-3, 1e-2, 1e-1])
    assert_allclose(display.line_.get_ydata(), [0.3, 0.2, 0.5])
    assert display.alpha_line_ is None and display.ax_sparsity_ is None


def test_band_is_one_standard_deviation():
    # Three folds, so that mean +- std (3 +- 2.16) differs from the range
    # (1 to 6) and from the sample standard deviation (3 +- 2.65).
    mse = np.array([[1.0, 2.0, 6.0], [2.0, 2.0, 2.0]])
    display = RegularizationPathDisplay.from_path([0.1, 1.0], mse)
    vertices = display.band_.get_paths()[0].vertices
    std = np.std([1.0, 2.0, 6.0])
    assert_allclose(vertices[:, 1].min(), 3.0 - std)
    assert_allclose(vertices[:, 1].max(), 3.0 + std)


def test_shape_mismatch():
    with pytest.raises(ValueError, match="mse_path must have shape"):
        RegularizationPathDisplay.from_path([0.1, 1.0], np.ones((3, 2)))
    for alphas in ([-0.1, 1.0], [np.nan, 1.0], [np.inf, 1.0], []):
        with pytest.raises(ValueError, match="finite, non-negative"):
            RegularizationPathDisplay.from_path(alphas, np.ones(len(alphas)))


@pytest.mark.parametrize(
    "alphas, scale", [([0.0, 1e-3, 1e-1], "symlog"), ([0.0], "linear")]
)
def test_alpha_zero_is_plotted(alphas, scale):
    # The CV estimator accepts alpha = 0; its path must be drawable too.
    display = RegularizationPathDisplay.from_path(alphas, np.arange(len(alphas)))
    assert display.ax_.get_xscale() == scale
    assert_allclose(display.line_.get_xdata(), alphas)
    display.figure_.canvas.draw()


def test_cv_estimator_with_alpha_zero(sparse_data):
    X, y = sparse_data
    model = RegularizedMLPRegressorCV(
        (3,), penalty="l2", alphas=[0.0, 0.1], cv=2, max_iter=20, random_state=0
    ).fit(X, y)
    display = RegularizationPathDisplay.from_estimator(model)
    assert_allclose(display.line_.get_xdata(), [0.0, 0.1])


def test_unfitted_estimator():
    with pytest.raises(NotFittedError):
        RegularizationPathDisplay.from_estimator(RegularizedMLPRegressorCV())


def test_from_estimator_needs_the_cv_estimator(sparse_data):
    X, y = sparse_data
    model = RegularizedMLPRegressor((3,), max_iter=5).fit(X, y)
    with pytest.raises(TypeError, match="needs a fitted RegularizedMLPRegressorCV"):
        RegularizationPathDisplay.from_estimator(model)


def test_clear_error_without_matplotlib(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"sk-regnet\[plot\]"):
        RegularizationPathDisplay.from_path([0.1, 1.0], [1.0, 2.0])


def test_a_diverged_fold_scored_inf_is_left_off_without_warnings():
    mse = np.array([[1.0, 2.0], [np.inf, 1.5], [0.5, 0.7]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        display = RegularizationPathDisplay.from_path([1e-3, 1e-2, 1e-1], mse)
    assert_allclose(display.line_.get_ydata(), [1.5, np.inf, 0.6])
