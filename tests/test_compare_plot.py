"""The figure of ``sk-regnet compare``, checked artist by artist on made-up runs."""

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from numpy.testing import assert_allclose

from sk_regnet import experiments
from sk_regnet._compare_plot import comparison_figure

ALPHAS = np.geomspace(1e-4, 1.0, 5)


class _Shifted:
    """A fitted-model stand-in: predicts sin(pi x) plus a constant."""

    def __init__(self, shift):
        self.shift = shift

    def predict(self, X):
        return np.sin(np.pi * X[:, 0]) + self.shift


def _comparison(curves, n_features=1, shifts=(0.0, 0.0, 0.0, 0.5)):
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(30, n_features))
    y = np.sin(np.pi * X[:, 0])
    data = experiments.Dataset(
        "made-up", X[:20], X[20:], y[:20], y[20:], [f"x{j}" for j in range(n_features)]
    )
    names = ["network none", "network l1", "network l2", "RidgeCV"]
    selections = [
        experiments.NO_PENALTY,
        experiments.CROSS_VALIDATED,
        experiments.CROSS_VALIDATED,
        experiments.BASELINE,
    ]
    rows = [
        {"model": name, "selection": how, "test_mse": 0.01 * (k + 1)}
        for k, (name, how) in enumerate(zip(names, selections))
    ]
    models = {name: _Shifted(shift) for name, shift in zip(names, shifts)}
    return experiments.Comparison(data, rows=rows, curves=curves, models=models)


def _curve(cv_mse, alpha):
    return {"alphas": ALPHAS, "cv_mse": np.asarray(cv_mse, float), "alpha": alpha}


def _axes(fig, title_start):
    (ax,) = [ax for ax in fig.axes if ax.get_title().startswith(title_start)]
    return ax


def _chosen_markers(ax):
    return [line for line in ax.get_lines() if line.get_linestyle() == "None"]


@pytest.mark.parametrize(
    "cv_mse, scale",
    [
        # From 0.03 to 1.1: where alpha is chosen would be a flat line.
        ([0.03, 0.03, 0.05, 0.3, 1.1], "log"),
        ([0.5, 0.45, 0.47, 0.8, 1.1], "linear"),
        ([0.1, 0.2, 0.5, 0.8, 1.0], "linear"),  # exactly one decade
    ],
)
def test_validation_error_axis_is_log_when_it_spans_decades(cv_mse, scale):
    fig = comparison_figure(_comparison({"l1": _curve(cv_mse, ALPHAS[1])}))
    ax = _axes(fig, "Validation")
    assert ax.get_yscale() == scale
    assert_allclose(ax.get_lines()[0].get_ydata(), cv_mse)
    if scale == "log":
        # Plain numbers, and more than the powers of ten, label the axis.
        fig.canvas.draw()
        labels = [t.get_text() for t in ax.get_yticklabels() if t.get_visible()]
        assert "0.05" in labels and "0.1" in labels and "1" in labels


def test_chosen_alphas_at_one_point_nest_instead_of_hiding():
    # Three penalties with the same curve choose the same alpha: their
    # markers sit on one point, so each must stay visible around the next.
    same = [0.5, 0.2, 0.3, 0.6, 1.0]
    curves = {name: _curve(same, ALPHAS[1]) for name in ("l1", "l2", "elasticnet")}
    ax = _axes(comparison_figure(_comparison(curves)), "Validation")
    chosen = _chosen_markers(ax)
    assert len(chosen) == 3
    for line in chosen:
        assert_allclose([line.get_xdata()[0], line.get_ydata()[0]], [ALPHAS[1], 0.2])
        assert line.get_markerfacecolor() == "none"  # a ring: the inside shows
    assert len({line.get_marker() for line in chosen}) == 3
    sizes = [line.get_markersize() for line in chosen]
    orders = [line.get_zorder() for line in chosen]
    # Each later marker is smaller and drawn above the one before.
    assert sizes == sorted(sizes, reverse=True) and len(set(sizes)) == 3
    assert orders == sorted(orders) and len(set(orders)) == 3
    # Each curve's colour is its marker's, and each penalty its own colour.
    colors = [to_rgba(line.get_markeredgecolor()) for line in chosen]
    assert len(set(colors)) == 3
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [
        f"{name}: alpha = {ALPHAS[1]:.3g} (2/5 of 0.0001..1)" for name in curves
    ]


def _grid_bars(ax):
    """The validation panel's grid bars: two-point lines drawn in axes y."""
    return [
        line
        for line in ax.get_lines()
        if len(line.get_xdata()) == 2 and line.get_marker() == "|"
    ]


def test_each_grid_is_drawn_with_its_range_and_the_choice_at_an_end_shows():
    # Automatic grids differ per penalty; l1 chooses the bottom of its grid.
    low = np.geomspace(1e-3, 1.0, 4)
    high = np.geomspace(1e-2, 10.0, 4)
    curves = {
        "l1": {"alphas": low, "cv_mse": np.array([0.2, 0.3, 0.6, 1.0]), "alpha": 1e-3},
        "l2": {"alphas": high, "cv_mse": np.array([0.3, 0.2, 0.6, 1.0]), "alpha": 0.1},
    }
    ax = _axes(comparison_figure(_comparison(curves)), "Validation")
    bars = _grid_bars(ax)
    assert [tuple(bar.get_xdata()) for bar in bars] == [(1e-3, 1.0), (1e-2, 10.0)]
    # The bars sit in a band below every curve point, in axes fractions.
    to_axes = ax.transAxes.inverted()
    lowest = min(
        to_axes.transform(ax.transData.transform((a, m)))[1]
        for c in curves.values()
        for a, m in zip(c["alphas"], c["cv_mse"])
    )
    assert max(max(bar.get_ydata()) for bar in bars) < lowest
    # Both grids' ends inside the x limits, a ring at an end drawn whole.
    left, right = ax.get_xlim()
    assert left < 1e-3 and right > 10.0
    assert all(not line.get_clip_on() for line in _chosen_markers(ax))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [
        "l1: alpha = 0.001 (1/4, low end of 0.001..1)",
        "l2: alpha = 0.1 (2/4 of 0.01..10)",
    ]


def test_networks_in_the_models_panel_can_be_told_apart():
    # Three networks predict the same curve: colour and line style differ,
    # and the first drawn is the widest, so none hides the others.
    curves = {"l1": _curve([0.5, 0.2, 0.3, 0.6, 1.0], ALPHAS[1])}
    ax = _axes(comparison_figure(_comparison(curves)), "Alpha by")
    models = [line for line in ax.get_lines() if "(test MSE" in line.get_label()]
    assert [line.get_label().split(" (")[0] for line in models] == [
        "network none",
        "network l1",
        "network l2",
        "RidgeCV",
    ]
    looks = {(line.get_color(), str(line.get_linestyle())) for line in models}
    assert len(looks) == len(models)
    assert len({line.get_linestyle() for line in models}) == len(models)
    widths = [line.get_linewidth() for line in models]
    assert widths == sorted(widths, reverse=True) and widths[0] > widths[2]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "network l2 (test MSE 0.03)" in legend


def test_predicted_vs_true_uses_hollow_markers_of_distinct_shapes():
    curves = {"l1": _curve([0.5, 0.2, 0.3, 0.6, 1.0], ALPHAS[1])}
    ax = _axes(comparison_figure(_comparison(curves, n_features=2)), "Test set")
    points = ax.collections
    assert len(points) == 4
    shapes = {tuple(map(tuple, c.get_paths()[0].vertices.round(6))) for c in points}
    assert len(shapes) == 4
    for collection in points:
        assert collection.get_facecolor().size == 0  # hollow
    assert len({tuple(c.get_edgecolor()[0]) for c in points}) == 4


def test_plot_comparison_saves_the_figure(tmp_path):
    import matplotlib.image

    curves = {"l1": _curve([0.03, 0.03, 0.05, 0.3, 1.1], ALPHAS[1])}
    path = experiments.plot_comparison(_comparison(curves), tmp_path / "f.png")
    assert path == tmp_path / "f.png"
    image = matplotlib.image.imread(path)
    assert image.shape[1] == 1100  # models and validation panels, 550 px each


def test_group_lasso_legend_says_how_many_features_it_kept():
    curves = {"l1": _curve([0.5, 0.2, 0.3, 0.6, 1.0], ALPHAS[1])}
    comparison = _comparison(curves, n_features=3)
    comparison.rows[1]["kept"] = ["x0", "x2"]
    ax = _axes(comparison_figure(comparison), "Test set")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "network l1 (test MSE 0.02, kept 2/3)" in legend
    assert "network l2 (test MSE 0.03)" in legend


def test_one_categorical_feature_is_shown_as_predicted_vs_true():
    # No curve over x for a column of levels.
    rng = np.random.RandomState(0)
    X = rng.choice(["a", "b", "c"], size=(30, 1)).astype(object)
    y = (X[:, 0] == "a").astype(float)
    data = experiments.Dataset(
        "levels",
        X[:20],
        X[20:],
        y[:20],
        y[20:],
        ["letter"],
        categories={"letter": ["a", "b", "c"]},
    )

    class _Mean:
        def predict(self, X):
            return np.full(len(X), 0.5)

    rows = [{"model": "RidgeCV", "selection": experiments.BASELINE, "test_mse": 0.2}]
    comparison = experiments.Comparison(data, rows=rows, models={"RidgeCV": _Mean()})
    fig = comparison_figure(comparison)
    assert [ax.get_title() for ax in fig.axes] == ["Test set: predicted vs true"]


# ------------------------------------------------- classification, kept
def _classification(curves, kept=None):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4))
    y = np.where(X[:, 0] > 0, "yes", "no").astype(object)
    data = experiments.Dataset(
        "labels",
        X[:20],
        X[20:],
        y[:20],
        y[20:],
        ["a", "b", "c", "d"],
        task="classification",
        informative=["a"],
    )
    names = ["network l2", "network l1", "LogisticRegressionCV l1"]
    selections = [
        experiments.CROSS_VALIDATED,
        experiments.CROSS_VALIDATED,
        experiments.BASELINE,
    ]
    kept = kept or [None, ["a", "c"], ["a"]]
    rows = [
        {
            "model": name,
            "selection": how,
            "test_log_loss": 0.1 * (k + 1),
            "test_accuracy": 0.9 - 0.05 * k,
            "kept": features,
        }
        for k, (name, how, features) in enumerate(zip(names, selections, kept))
    ]
    models = dict.fromkeys(names)  # the classification panels draw rows only
    return experiments.Comparison(data, rows=rows, curves=curves, models=models)


def _log_loss_curve(values, alpha):
    return {"alphas": ALPHAS, "cv_log_loss": np.asarray(values, float), "alpha": alpha}


def test_classification_figure_shows_scores_validation_and_kept_features():
    curves = {
        "l2": _log_loss_curve([0.3, 0.2, 0.25, 0.5, 0.69], ALPHAS[1]),
        "l1": _log_loss_curve([0.35, 0.3, 0.22, 0.5, 0.69], ALPHAS[2]),
    }
    fig = comparison_figure(_classification(curves))
    assert [ax.get_title() for ax in fig.axes] == [
        "Test set: log-loss (bars) and accuracy",
        "Validation curves (ring: chosen alpha; bars: grids)",
        "Features kept (2 of 4 kept by none; bold: informative)",
    ]
    scores, validation, kept = fig.axes
    # A bar per model, in the table's order, its accuracy beside it.
    assert [t.get_text() for t in scores.get_yticklabels()] == [
        "network l2",
        "network l1",
        "LogisticRegressionCV l1",
    ]
    assert_allclose([bar.get_width() for bar in scores.patches], [0.1, 0.2, 0.3])
    assert [t.get_text() for t in scores.texts] == [
        " 0.1, acc 0.900",
        " 0.2, acc 0.850",
        " 0.3, acc 0.800",
    ]
    # The validation curve is the mean CV log-loss.
    assert validation.get_ylabel() == "mean CV log-loss"
    assert_allclose(validation.get_lines()[0].get_ydata(), curves["l2"]["cv_log_loss"])
    # The kept panel: the features some row kept, a mark per kept feature,
    # each row in its colour of the scores panel; the informative in bold.
    assert [t.get_text() for t in kept.get_yticklabels()] == ["a", "c"]
    assert [t.get_text() for t in kept.get_xticklabels()] == [
        "l1\n2/4",
        "LogisticRegressionCV l1\n1/4",
    ]
    marks = [line for line in kept.get_lines() if line.get_marker() == "s"]
    assert [list(line.get_ydata()) for line in marks] == [[0, 1], [0]]
    bar_colors = [to_rgba(bar.get_facecolor(), 1) for bar in scores.patches]
    assert [to_rgba(line.get_color()) for line in marks] == bar_colors[1:]
    weights = [t.get_fontweight() for t in kept.get_yticklabels()]
    assert weights == ["bold", "normal"]


def test_kept_panel_lists_at_most_forty_features():
    from sk_regnet._compare_plot import MAX_KEPT_SHOWN

    names = [f"x{j}" for j in range(50)]
    comparison = _classification({}, kept=[None, names[:45], names[:2]])
    comparison.dataset.feature_names = names
    comparison.dataset.X_train = np.zeros((20, 50))
    fig = comparison_figure(comparison)
    kept = _axes(fig, "Features kept")
    assert len(kept.get_yticklabels()) == MAX_KEPT_SHOWN == 40
    assert kept.get_title() == (
        "Features kept (5 of 50 kept by none; first 40 shown; bold: informative)"
    )
    # Tall enough for a label per feature.
    assert fig.get_figheight() > 7


def test_regression_figure_adds_the_kept_panel_for_several_features():
    curves = {"l1": _curve([0.5, 0.2, 0.3, 0.6, 1.0], ALPHAS[1])}
    comparison = _comparison(curves, n_features=3)
    comparison.rows[1]["kept"] = ["x0", "x2"]
    titles = [ax.get_title() for ax in comparison_figure(comparison).axes]
    assert titles[-1] == "Features kept (1 of 3 kept by none)"
    # With one feature there is nothing to choose between: no kept panel.
    comparison = _comparison(curves, n_features=1)
    comparison.rows[1]["kept"] = ["x0"]
    titles = [ax.get_title() for ax in comparison_figure(comparison).axes]
    assert not any(title.startswith("Features kept") for title in titles)
