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
    # Each count on its own axes: one line each, labelled.
    weights, features = display.ax_sparsity_, display.ax_features_
    assert len({ax, weights, features}) == 3
    assert weights.get_ylabel() == "non-zero weights"
    assert features.get_ylabel() == "selected features"
    ((nonzero_line,), (features_line,)) = weights.get_lines(), features.get_lines()
    assert_allclose(
        nonzero_line.get_ydata(), fitted_cv.nonzero_weights_path_.mean(axis=1)
    )
    assert_allclose(
        features_line.get_ydata(), fitted_cv.selected_features_path_.mean(axis=1)
    )
    display.figure_.canvas.draw()


def test_selected_features_get_an_axis_of_their_own():
    # 90 weights and at most 4 features: on one axis the features would lie
    # flat at the bottom; on their own they span their axis.
    nonzero, features = [90, 60, 20, 4], [4, 4, 2, 1]
    display = RegularizationPathDisplay.from_path(
        [1e-3, 1e-2, 1e-1, 1.0],
        [1.0, 0.8, 0.9, 2.0],
        nonzero_weights=nonzero,
        selected_features=features,
    )
    weights_axis, features_axis = display.ax_sparsity_, display.ax_features_
    assert features_axis is not weights_axis
    assert features_axis.get_ylim()[0] == 0 and features_axis.get_ylim()[1] < 5
    assert weights_axis.get_ylim()[0] == 0 and weights_axis.get_ylim()[1] >= 90
    # The second count axis is set off to the right of the first, so their
    # tick labels do not overlap.
    assert features_axis.spines["right"].get_position() == ("outward", 60)
    assert weights_axis.spines["right"].get_position() == ("outward", 0)
    # Integer ticks: counts have no fractions.
    ticks = features_axis.get_yticks()
    assert_allclose(ticks, np.round(ticks))


def test_features_alone_take_the_first_count_axis():
    display = RegularizationPathDisplay.from_path(
        [0.1, 1.0], [1.0, 2.0], selected_features=[3, 1]
    )
    assert display.ax_sparsity_ is None
    assert display.ax_features_.get_ylabel() == "selected features"
    assert display.ax_features_.spines["right"].get_position() == ("outward", 0)


@pytest.mark.parametrize("given_ax", [False, True])
def test_legend_sits_below_the_axes_clear_of_every_curve(given_ax):
    ax = plt.subplots(figsize=(7, 5), layout="constrained")[1] if given_ax else None
    display = RegularizationPathDisplay.from_path(
        [1e-3, 1e-2, 1e-1, 1.0],
        [[1.0, 1.2], [0.8, 0.9], [0.9, 1.0], [2.0, 2.2]],
        alpha_=1e-2,
        nonzero_weights=[90, 60, 20, 4],
        selected_features=[4, 4, 2, 1],
        ax=ax,
    )
    fig = display.figure_
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = display.ax_.get_legend().get_window_extent(renderer)
    for axes in (display.ax_, display.ax_sparsity_, display.ax_features_):
        # Below every axes' data area...
        assert legend.y1 < axes.get_window_extent(renderer).y0
    # ... below the x label and tick labels...
    assert legend.y1 < display.ax_.xaxis.get_tightbbox(renderer).y0
    # ... and inside the figure.
    figure = fig.bbox
    assert figure.x0 <= legend.x0 and legend.x1 <= figure.x1
    assert figure.y0 <= legend.y0


@pytest.mark.parametrize(
    "mse, scale",
    [
        ([2.0, 0.05, 0.04, 0.5], "log"),  # spans 50x
        ([2.0, np.inf, 0.04, 0.5], "log"),  # a diverged alpha is ignored
        ([1.0, 0.5, 0.2, 0.4], "linear"),  # 5x
        ([1.0, 0.5, 0.1, 0.4], "linear"),  # exactly 10x
        ([1.0, 0.0, 0.01, 0.4], "linear"),  # a zero has no log
    ],
)
def test_error_axis_is_log_when_it_spans_more_than_a_decade(mse, scale):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        display = RegularizationPathDisplay.from_path([1e-3, 1e-2, 1e-1, 1.0], mse)
    assert display.ax_.get_yscale() == scale
    if scale == "log":
        # Plain numbers label the axis, not only powers of ten.
        display.figure_.canvas.draw()
        labels = [t.get_text() for t in display.ax_.get_yticklabels()]
        assert {"0.05", "0.1", "0.2", "0.5", "1"} <= set(labels)


def test_error_axis_over_many_decades_labels_powers_of_ten():
    display = RegularizationPathDisplay.from_path([1e-3, 1e-2, 1e-1], [1e-4, 1e-2, 10])
    display.figure_.canvas.draw()
    ticks = display.ax_.get_yticks()
    assert_allclose(np.log10(ticks), np.round(np.log10(ticks)))
    labels = {t.get_text() for t in display.ax_.get_yticklabels()}
    assert {"0.0001", "0.01", "1", "10"} <= labels


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


# Two alphas, 20 iterations: the best may sit at an end of this tiny grid.
@pytest.mark.filterwarnings(
    "ignore:The best mean validation score is at the:UserWarning"
)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
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
